package imds

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/imds/imdstest"
)

// benchAWSDoc is a 3-NIC instance with secondary addresses and the keys a
// real instance has beside them, so that a crawler has a real tree to walk.
func benchAWSDoc() map[string]any {
	doc := awsTestDoc()
	for _, k := range []string{"ami-id", "ami-launch-index", "ami-manifest-path", "hostname", "instance-action",
		"instance-id", "instance-life-cycle", "instance-type", "local-ipv4", "mac", "profile", "reservation-id",
		"security-groups", "placement/availability-zone", "placement/availability-zone-id", "placement/region",
		"services/domain", "services/partition", "system", "public-hostname", "public-ipv4",
		"block-device-mapping/ami", "block-device-mapping/root", "events/maintenance/history",
		"events/maintenance/scheduled", "metrics/vhostmd", "iam/info"} {
		doc["meta-data/"+k] = "value-of-" + strings.ReplaceAll(k, "/", "-")
	}
	for _, mac := range []string{"0a:00:00:00:00:01", "0a:00:00:00:00:02", "0a:00:00:00:00:03"} {
		for _, k := range []string{"interface-id", "mac", "owner-id", "security-group-ids", "security-groups",
			"subnet-id", "vpc-id", "vpc-ipv4-cidr-block", "vpc-ipv4-cidr-blocks", "local-hostname", "public-hostname"} {
			doc[awsMACs+mac+"/"+k] = "x"
		}
	}
	return doc
}

// BenchmarkAWSFetch reads the 3-NIC instance from a service with 20 ms of
// latency per request, as imdsctl fetch does.
func BenchmarkAWSFetch(b *testing.B) {
	srv := imdstest.New(b, imdstest.NewAWS(benchAWSDoc(), true))
	srv.SetLatency(20 * time.Millisecond)
	b.ResetTimer()
	for b.Loop() {
		c, _ := NewClient(srv.URL)
		if _, err := awsProvider().Fetch(context.Background(), Source{Client: c}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(srv.Requests())/float64(b.N), "requests/op")
}

// BenchmarkAWSCrawl walks the same tree one request at a time, as
// cloud-init does: the peer the concurrent fetch is measured against.
func BenchmarkAWSCrawl(b *testing.B) {
	srv := imdstest.New(b, imdstest.NewAWS(benchAWSDoc(), true))
	srv.SetLatency(20 * time.Millisecond)
	b.ResetTimer()
	for b.Loop() {
		c, _ := NewClient(srv.URL)
		s := &awsSession{c: c}
		n, err := crawl(context.Background(), s, "meta-data/")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.get(context.Background(), awsIdentity); err != nil {
			b.Fatal(err)
		}
		if n < 80 {
			b.Fatalf("crawled %d paths", n)
		}
	}
	b.ReportMetric(float64(srv.Requests())/float64(b.N), "requests/op")
}

// crawl reads every path below dir, serially.
func crawl(ctx context.Context, s *awsSession, dir string) (int, error) {
	body, err := s.get(ctx, dir)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", dir, err)
	}
	n := 1
	for _, child := range lines(body) {
		if strings.HasSuffix(child, "/") {
			m, err := crawl(ctx, s, dir+child)
			if err != nil {
				return 0, err
			}
			n += m
			continue
		}
		if _, err := s.get(ctx, dir+child); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
