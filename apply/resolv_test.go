package apply

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseResolvConf(t *testing.T) {
	t.Parallel()
	addrs := func(ss ...string) []netip.Addr {
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	tests := []struct {
		name string
		in   string
		want DNS
	}{
		{name: "empty", in: "", want: DNS{}},
		{
			name: "servers and search",
			in:   "# Generated\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.com corp.example\noptions edns0 trust-ad\n",
			want: DNS{Servers: addrs("192.0.2.53", "2001:db8::53"), Search: []string{"example.com", "corp.example"}},
		},
		{
			name: "comments, blanks and tabs",
			in:   "; comment\n\n  nameserver\t10.0.0.1   # primary\nnameserver 10.0.0.2;second\nsearch a.example ; b.example\n",
			want: DNS{Servers: addrs("10.0.0.1", "10.0.0.2"), Search: []string{"a.example"}},
		},
		{
			name: "the last search or domain line wins",
			in:   "search a.example b.example\ndomain c.example d.example\n",
			want: DNS{Search: []string{"c.example"}},
		},
		{
			name: "an empty search line clears",
			in:   "search a.example\nsearch\n",
			want: DNS{},
		},
		{
			name: "search after domain",
			in:   "domain c.example\nsearch a.example b.example\n",
			want: DNS{Search: []string{"a.example", "b.example"}},
		},
		{
			name: "bad addresses skipped, zones kept",
			in:   "nameserver dns.example\nnameserver 300.1.1.1\nnameserver fe80::1%eth0\nnameserver\nnameserver 127.0.0.53 extra\n",
			want: DNS{Servers: addrs("fe80::1%eth0", "127.0.0.53")},
		},
		{
			name: "no final newline, CRLF",
			in:   "nameserver 192.0.2.1\r\nsearch x.example",
			want: DNS{Servers: addrs("192.0.2.1"), Search: []string{"x.example"}},
		},
		{
			name: "unknown keywords and a keyword as a prefix",
			in:   "nameservers 192.0.2.1\nsortlist 10.0.0.0/8\nsearching a\n",
			want: DNS{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseResolvConf([]byte(tt.in))
			if d := cmp.Diff(tt.want, got, netipComparers); d != "" {
				t.Errorf("parseResolvConf(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestReadResolvConf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	got, err := readResolvConf(filepath.Join(dir, "missing"))
	if err != nil || len(got.Servers) != 0 || len(got.Search) != 0 {
		t.Errorf("missing file: %+v, %v; want nothing, no error", got, err)
	}
	path := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(path, []byte("nameserver 192.0.2.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = readResolvConf(path)
	if err != nil || len(got.Servers) != 1 || got.Servers[0] != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("readResolvConf: %+v, %v", got, err)
	}
	if _, err := readResolvConf(dir); err == nil {
		t.Errorf("readResolvConf of a directory: no error")
	}
}
