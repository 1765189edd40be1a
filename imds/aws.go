package imds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/netplumb/netplumb/nmstate"
)

// AWS EC2 IMDS. The saved document maps a path below /latest/
// ("meta-data/instance-id") to its body: a string, a list of lines for
// multi-line bodies, or the decoded JSON of the identity document.

const (
	awsTokenPath   = "latest/api/token"
	awsTokenTTL    = "21600"
	awsTokenHeader = "X-aws-ec2-metadata-token"
	awsTTLHeader   = "X-aws-ec2-metadata-token-ttl-seconds"
	awsMACs        = "meta-data/network/interfaces/macs/"
	awsIdentity    = "dynamic/instance-identity/document"
)

// awsNICKeys are the keys read per MAC: what fetch and show need.
var awsNICKeys = []string{"device-number", "network-card", "local-ipv4s", "subnet-ipv4-cidr-block",
	"ipv6s", "subnet-ipv6-cidr-blocks", "public-ipv4s"}

func awsProvider() Provider {
	return Provider{
		Name: "aws",
		Base: "http://169.254.169.254",
		DMI: func(d map[string]string) bool {
			if d["sys_vendor"] == "Amazon EC2" {
				return true
			}
			// Xen-era instances: the UUID or serial starts with ec2, unless
			// the vendor names someone else.
			ec2 := func(s string) bool { return strings.HasPrefix(strings.ToLower(s), "ec2") }
			vendor := d["sys_vendor"]
			if vendor != "" && vendor != "Xen" {
				return false
			}
			return ec2(d["product_uuid"]) || ec2(d["product_serial"]) || ec2(d["hypervisor_uuid"]) ||
				ec2(swappedUUID(d["product_uuid"]))
		},
		Probe: func(ctx context.Context, c *Client) bool {
			s := &awsSession{c: c}
			_, err := s.get(ctx, "meta-data/")
			return err == nil
		},
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return awsFetch(ctx, &awsSession{c: src.Client})
		},
		Parse: parseDoc("aws", awsParse),
	}
}

// awsSession holds the IMDSv2 token, shared by concurrent requests and
// refreshed once when the service answers 401.
type awsSession struct {
	c     *Client
	mu    sync.Mutex
	token string
	gen   int  // bumped at every new token
	v1    bool // the service issues no tokens: IMDSv1
}

func (s *awsSession) newToken(ctx context.Context, seen int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != seen || s.v1 {
		return nil // someone else already did
	}
	resp, err := s.c.Do(ctx, http.MethodPut, awsTokenPath, http.Header{awsTTLHeader: {awsTokenTTL}})
	var se *StatusError
	if errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusMethodNotAllowed) {
		s.v1 = true // an IMDSv1-only service
		return nil
	}
	if err != nil {
		return err
	}
	token := strings.TrimSpace(string(resp.Body))
	if token == "" || strings.ContainsAny(token, "\r\n") {
		return fmt.Errorf("PUT %s: the service returned no usable token", s.c.URL(awsTokenPath))
	}
	s.token = token
	s.gen++
	return nil
}

func (s *awsSession) current() (string, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, s.gen, s.v1
}

// get reads a path below /latest/, with a token, getting one first and a
// new one once if the service says the token is missing or expired.
func (s *awsSession) get(ctx context.Context, path string) ([]byte, error) {
	for try := 0; ; try++ {
		token, gen, v1 := s.current()
		if gen == 0 && !v1 {
			if err := s.newToken(ctx, 0); err != nil {
				return nil, err
			}
			continue
		}
		var h http.Header
		if !v1 {
			h = http.Header{awsTokenHeader: {token}}
		}
		resp, err := s.c.Get(ctx, "latest/"+path, h)
		var se *StatusError
		if try == 0 && errors.As(err, &se) && se.Code == http.StatusUnauthorized && !v1 {
			if err := s.newToken(ctx, gen); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
}

// awsFetch reads what fetch and show need in three waves: the token; the
// MAC listing beside the identity document and host name; every MAC's
// keys at once. Absent keys (404) are left out.
func awsFetch(ctx context.Context, s *awsSession) ([]byte, error) {
	if err := s.newToken(ctx, 0); err != nil {
		return nil, err
	}
	doc := map[string]any{}
	wave2 := []string{awsMACs, awsIdentity, "meta-data/local-hostname"}
	bodies, err := parallel(ctx, len(wave2), func(ctx context.Context, i int) ([]byte, error) {
		b, err := s.get(ctx, wave2[i])
		if errors.Is(err, ErrNotFound) && wave2[i] != awsMACs {
			return nil, nil
		}
		return b, err
	})
	if err != nil {
		return nil, err
	}
	var macs []string
	for _, line := range lines(bodies[0]) {
		macs = append(macs, strings.TrimSuffix(line, "/"))
	}
	if bodies[1] != nil {
		identity, err := nmstate.Decode(bodies[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.c.URL("latest/"+awsIdentity), err)
		}
		doc[awsIdentity] = identity
	}
	if bodies[2] != nil {
		doc["meta-data/local-hostname"] = textValue(bodies[2])
	}
	var paths []string
	if bodies[1] == nil {
		// No identity document (older or emulated services): read its
		// facts from the plain keys, with the NICs' keys.
		paths = append(paths, "meta-data/instance-id", "meta-data/instance-type", "meta-data/ami-id",
			"meta-data/placement/region", "meta-data/placement/availability-zone")
	}
	if bodies[2] == nil {
		paths = append(paths, "meta-data/hostname")
	}
	for _, mac := range macs {
		for _, k := range awsNICKeys {
			paths = append(paths, awsMACs+mac+"/"+k)
		}
	}
	values, err := parallel(ctx, len(paths), func(ctx context.Context, i int) ([]byte, error) {
		b, err := s.get(ctx, paths[i])
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return b, err
	})
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if v != nil {
			doc[paths[i]] = textValue(v)
		}
	}
	if len(macs) == 0 {
		doc[awsMACs] = ""
	}
	return json.Marshal(doc)
}

// lines splits a text body into its non-empty lines.
func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// textValue is a text body as the saved document keeps it: a string, or a
// list of its lines when it has several.
func textValue(b []byte) any {
	ls := lines(b)
	if len(ls) > 1 {
		out := make([]any, len(ls))
		for i, l := range ls {
			out[i] = l
		}
		return out
	}
	if len(ls) == 1 {
		return ls[0]
	}
	return ""
}

// awsLines reads a value of the saved document: a text body (a string,
// or a list of its lines) as its non-empty lines.
func awsLines(n node) ([]string, error) {
	switch v := n.v.(type) {
	case nil:
		return nil, nil
	case string:
		return lines([]byte(v)), nil
	case []any:
		var out []string
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, n.at(i).errorf("%s is not a string", describeValue(e))
			}
			out = append(out, lines([]byte(s))...)
		}
		return out, nil
	default:
		return nil, n.errorf("%s is not text", describeValue(v))
	}
}

// awsFirst reads the first line of a text body; "" when there is none.
func awsFirst(n node) (string, error) {
	ss, err := awsLines(n)
	if err != nil || len(ss) == 0 {
		return "", err
	}
	return ss[0], nil
}

// awsAddrs reads a text body of IPv4 (want4) or IPv6 addresses.
func awsAddrs(n node, want4 bool) ([]netip.Addr, error) {
	ss, err := awsLines(n)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, s := range ss {
		a, err := ParseAddr(s)
		if err != nil || a.Is4() != want4 {
			family := "IPv6"
			if want4 {
				family = "IPv4"
			}
			return nil, n.errorf("%q is not an %s address", s, family)
		}
		out = append(out, a)
	}
	return out, nil
}

// awsNetwork reads a network in CIDR form; the zero Prefix when absent.
func awsNetwork(n node) (netip.Prefix, error) {
	s, err := awsFirst(n)
	if err != nil || s == "" {
		return netip.Prefix{}, err
	}
	p, err := ParseNetwork(s)
	if err != nil {
		return netip.Prefix{}, n.errorf("%v", err)
	}
	return p, nil
}

// awsNumber reads a number from 0 to 1024; ok is false when absent.
func awsNumber(n node) (int, bool, error) {
	s, err := awsFirst(n)
	if err != nil || s == "" {
		return 0, false, err
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i > 1024 {
		return 0, false, n.errorf("%q is not a small number", s)
	}
	return i, true, nil
}

type awsNIC struct {
	mac        string
	card, dev  int
	hasDev     bool
	v4, v6     []netip.Addr
	pub        []netip.Addr
	sub4, sub6 netip.Prefix
}

func awsParse(data []byte) (*Metadata, error) {
	root, err := decodeTree(data, "a map of metadata paths to values", rawText)
	if err != nil {
		return nil, err
	}
	raw := root.v.(map[string]any)
	m := &Metadata{Raw: awsTree(raw)}

	// MACs: from the listing if the document has it, else from the keys.
	var macs []string
	if listing, err := awsLines(root.get(awsMACs)); err != nil {
		return nil, err
	} else {
		for _, l := range listing {
			macs = append(macs, strings.TrimSuffix(l, "/"))
		}
	}
	for k := range raw {
		if rest, ok := strings.CutPrefix(k, awsMACs); ok {
			if mac, _, ok := strings.Cut(rest, "/"); ok && !slices.Contains(macs, mac) {
				macs = append(macs, mac)
			}
		}
	}
	slices.Sort(macs)
	var nics []awsNIC
	for _, raw := range macs {
		mac, err := ParseMAC(raw)
		if err != nil {
			return nil, root.get(awsMACs+raw).errorf("%v", err)
		}
		p := awsMACs + raw + "/"
		n := awsNIC{mac: mac}
		if n.dev, n.hasDev, err = awsNumber(root.get(p + "device-number")); err != nil {
			return nil, err
		}
		if n.card, _, err = awsNumber(root.get(p + "network-card")); err != nil {
			return nil, err
		}
		if n.v4, err = awsAddrs(root.get(p+"local-ipv4s"), true); err != nil {
			return nil, err
		}
		if n.v6, err = awsAddrs(root.get(p+"ipv6s"), false); err != nil {
			return nil, err
		}
		if n.pub, err = awsAddrs(root.get(p+"public-ipv4s"), true); err != nil {
			return nil, err
		}
		if n.sub4, err = awsNetwork(root.get(p + "subnet-ipv4-cidr-block")); err != nil {
			return nil, err
		}
		if n.sub6, err = awsNetwork(root.get(p + "subnet-ipv6-cidr-blocks")); err != nil {
			return nil, err
		}
		if len(n.v4) > 1 && !n.sub4.IsValid() {
			return nil, root.get(p + "subnet-ipv4-cidr-block").errorf("missing, but the NIC has secondary addresses")
		}
		nics = append(nics, n)
	}
	// The primary is card 0 device 0: order by (network-card, device-number).
	slices.SortStableFunc(nics, func(a, b awsNIC) int {
		if a.card != b.card {
			return a.card - b.card
		}
		return a.dev - b.dev
	})
	for i, n := range nics {
		l := &Link{Kind: Ethernet, MAC: n.mac, Index: n.dev, Primary: i == 0,
			PrivateIPv4: n.v4, PublicIPv4: n.pub, AllIPv6: n.v6, SubnetIPv4: n.sub4}
		if !n.hasDev {
			l.Index = i
		}
		if n.sub4.IsValid() {
			l.GatewayIPv4 = FirstHost(n.sub4)
		}
		if len(n.v4) > 0 {
			l.IPv4.DHCP = true
			for _, a := range n.v4[1:] {
				l.IPv4.Addresses = append(l.IPv4.Addresses, netip.PrefixFrom(a, n.sub4.Bits()))
			}
			if len(nics) > 1 {
				l.AutoRouteMetric = 100 * (i + 1)
			}
		}
		if len(n.v6) > 0 {
			l.IPv6.DHCP, l.IPv6.Autoconf = true, true
			bits := 128
			if n.sub6.IsValid() {
				bits = n.sub6.Bits()
			}
			for _, a := range n.v6[1:] {
				l.IPv6.Addresses = append(l.IPv6.Addresses, netip.PrefixFrom(a, bits))
			}
		}
		m.Links = append(m.Links, l)
	}

	// The instance: the identity document first, then the plain keys.
	id, _ := raw[awsIdentity].(map[string]any)
	if s, ok := raw[awsIdentity].(string); ok {
		if v, err := nmstate.Decode([]byte(s)); err == nil {
			id, _ = v.(map[string]any)
		}
	}
	fact := func(idKey, path string) (string, error) {
		if v, ok := id[idKey].(string); ok && v != "" {
			return v, nil
		}
		return awsFirst(root.get(path))
	}
	for _, f := range []struct {
		dst         *string
		idKey, path string
	}{
		{&m.InstanceID, "instanceId", "meta-data/instance-id"},
		{&m.Region, "region", "meta-data/placement/region"},
		{&m.Zone, "availabilityZone", "meta-data/placement/availability-zone"},
		{&m.Size, "instanceType", "meta-data/instance-type"},
		{&m.Image, "imageId", "meta-data/ami-id"},
		{&m.Account, "accountId", ""},
		{&m.Hostname, "", "meta-data/local-hostname"},
	} {
		if *f.dst, err = fact(f.idKey, f.path); err != nil {
			return nil, err
		}
	}
	if m.Hostname == "" {
		if m.Hostname, err = awsFirst(root.get("meta-data/hostname")); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// awsTree nests the saved document's paths into a tree, for `raw`.
func awsTree(doc map[string]any) map[string]any {
	root := map[string]any{}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts := strings.Split(strings.Trim(k, "/"), "/")
		dir := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := dir[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				dir[p] = next
			}
			dir = next
		}
		last := parts[len(parts)-1]
		if _, isDir := dir[last].(map[string]any); !isDir {
			dir[last] = doc[k]
		}
	}
	return root
}

// swappedUUID returns a UUID with its first three groups byte-swapped,
// as some firmware stores it (little-endian).
func swappedUUID(u string) string {
	g := strings.Split(u, "-")
	if len(g) != 5 || len(g[0]) != 8 || len(g[1]) != 4 || len(g[2]) != 4 {
		return ""
	}
	swap := func(s string) string {
		var b strings.Builder
		for i := len(s) - 2; i >= 0; i -= 2 {
			b.WriteString(s[i : i+2])
		}
		return b.String()
	}
	return strings.Join([]string{swap(g[0]), swap(g[1]), swap(g[2]), g[3], g[4]}, "-")
}
