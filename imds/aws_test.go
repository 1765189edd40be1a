package imds

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

func awsTestDoc() map[string]any {
	p := awsMACs
	return map[string]any{
		awsIdentity: map[string]any{"instanceId": "i-1", "region": "eu-west-1", "availabilityZone": "eu-west-1a",
			"instanceType": "m5.large", "imageId": "ami-1", "accountId": "1"},
		"meta-data/local-hostname":                      "ip-10-0-0-5.ec2.internal",
		p + "0a:00:00:00:00:02/device-number":           "1",
		p + "0a:00:00:00:00:02/local-ipv4s":             "10.0.1.5",
		p + "0a:00:00:00:00:02/subnet-ipv4-cidr-block":  "10.0.1.0/24",
		p + "0a:00:00:00:00:01/device-number":           "0",
		p + "0a:00:00:00:00:01/local-ipv4s":             []any{"10.0.0.5", "10.0.0.6"},
		p + "0a:00:00:00:00:01/subnet-ipv4-cidr-block":  "10.0.0.0/24",
		p + "0a:00:00:00:00:01/public-ipv4s":            "203.0.113.5",
		p + "0a:00:00:00:00:03/device-number":           "2",
		p + "0a:00:00:00:00:03/local-ipv4s":             []any{"10.0.2.5", "10.0.2.6", "10.0.2.7"},
		p + "0a:00:00:00:00:03/subnet-ipv4-cidr-block":  "10.0.2.0/24",
		p + "0a:00:00:00:00:03/ipv6s":                   []any{"2001:db8::5", "2001:db8::6"},
		p + "0a:00:00:00:00:03/subnet-ipv6-cidr-blocks": "2001:db8::/64",
	}
}

func TestAWSParseErrors(t *testing.T) {
	t.Parallel()
	p := awsMACs + "0a:00:00:00:00:01/"
	tests := []struct {
		name string
		set  map[string]any
		want string
	}{
		{"bad IPv4", map[string]any{p + "local-ipv4s": "10.0.0.300"},
			p + `local-ipv4s: "10.0.0.300" is not an IPv4 address`},
		{"IPv6 among IPv4", map[string]any{p + "local-ipv4s": []any{"10.0.0.5", "2001:db8::1"}},
			p + `local-ipv4s: "2001:db8::1" is not an IPv4 address`},
		{"newline injection", map[string]any{p + "public-ipv4s": "203.0.113.5\nfoo"},
			p + `public-ipv4s: "foo" is not an IPv4 address`},
		{"wrong type", map[string]any{p + "local-ipv4s": map[string]any{"a": "b"}},
			p + "local-ipv4s: a map is not text"},
		{"bad device number", map[string]any{p + "device-number": "-1"},
			p + `device-number: "-1" is not a small number`},
		{"bad subnet", map[string]any{p + "subnet-ipv4-cidr-block": "10.0.0.0/33"},
			p + `subnet-ipv4-cidr-block: "10.0.0.0/33" is not a network in CIDR form`},
		{"bad MAC", map[string]any{awsMACs + "zz:00:00:00:00:01/device-number": "3"},
			awsMACs + `zz:00:00:00:00:01: "zz:00:00:00:00:01" is not a MAC address`},
		{"bad hostname", map[string]any{"meta-data/local-hostname": "evil/host\nname"},
			`hostname: host name "evil/host" holds "/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := awsTestDoc()
			for k, v := range tt.set {
				doc[k] = v
			}
			b, err := nmstate.MarshalJSON(doc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = awsProvider().Parse(b)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse error = %v\nwant %s", err, tt.want)
			}
		})
	}
	if _, err := awsProvider().Parse([]byte("[1, 2]")); err == nil || !strings.Contains(err.Error(), "not a map") {
		t.Errorf("a list document: %v", err)
	}
}

// TestAWSFetchWaves is the performance contract: against a service with
// 20 ms of latency, a 3-NIC instance is read in three round-trip waves.
func TestAWSFetchWaves(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewAWS(awsTestDoc(), true))
	srv.SetLatency(20 * time.Millisecond)
	c, _ := NewClient(srv.URL)
	start := time.Now()
	saved, err := awsProvider().Fetch(context.Background(), Source{Client: c})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	m, err := awsProvider().Parse(saved)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Links) != 3 || m.Links[0].MAC != "0a:00:00:00:00:01" || m.InstanceID != "i-1" {
		t.Fatalf("parsed %d links, first %q, id %q", len(m.Links), m.Links[0].MAC, m.InstanceID)
	}
	// 1 token + 3 (MACs, identity, host name) + 7 keys × 3 NICs.
	if got := srv.Requests(); got != 25 {
		t.Errorf("%d requests, want 25", got)
	}
	// The per-NIC keys go out together, up to the client's bound: that is
	// what makes the fetch a few waves and not one request after another
	// (the time is logged, not asserted, as it depends on the machine).
	if got := srv.MaxInFlight(); got != MaxInFlight {
		t.Errorf("%d requests in flight at most, want %d", got, MaxInFlight)
	}
	t.Logf("%d requests in %v", srv.Requests(), elapsed)
}

func TestAWSTokenRefresh(t *testing.T) {
	t.Parallel()
	fake := imdstest.NewAWS(awsTestDoc(), true)
	srv := imdstest.New(t, fake)
	c, _ := NewClient(srv.URL)
	s := &awsSession{c: c}
	if _, err := s.get(context.Background(), "meta-data/local-hostname"); err != nil {
		t.Fatal(err)
	}
	fake.ExpireTokens()
	b, err := s.get(context.Background(), "meta-data/local-hostname")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "ip-10-0-0-5.ec2.internal" || fake.TokensIssued() != 2 {
		t.Errorf("got %q with %d tokens, want a second token", b, fake.TokensIssued())
	}
}

func TestAWSFetchFailsInTime(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewAWS(awsTestDoc(), true))
	srv.FailFirst(1<<30, imdstest.Fail500, "")
	c, _ := NewClient(srv.URL)
	c.Backoff = 10 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := awsProvider().Fetch(ctx, Source{Client: c})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 500 {
		t.Fatalf("error = %v", err)
	}
	if time.Since(start) > 1100*time.Millisecond {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestAWSIMDSv1(t *testing.T) {
	t.Parallel()
	// A service that issues no tokens (405 on PUT) is read without one.
	fake := imdstest.NewAWS(awsTestDoc(), false)
	srv := imdstest.New(t, stripPUT(fake))
	c, _ := NewClient(srv.URL)
	saved, err := awsProvider().Fetch(context.Background(), Source{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsProvider().Parse(saved); err != nil {
		t.Fatal(err)
	}
}

type putless struct{ h *imdstest.AWS }

func stripPUT(h *imdstest.AWS) putless { return putless{h} }

func (p putless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == "PUT" {
		w.WriteHeader(405)
		return
	}
	p.h.ServeHTTP(w, r)
}

func FuzzAWSParse(f *testing.F) {
	b, _ := nmstate.MarshalJSON(awsTestDoc())
	f.Add(b)
	f.Add([]byte(`{"meta-data/network/interfaces/macs/": "0a:00:00:00:00:01/"}`))
	f.Add([]byte(`{"dynamic/instance-identity/document": "{\"instanceId\": 5}"}`))
	f.Add([]byte(`{"meta-data/network/interfaces/macs/0A-00-00-00-00-01/local-ipv4s": ["1.2.3.4", 5]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := awsProvider().Parse(doc)
		checkParse(t, m, err, false, nil)
	})
}
