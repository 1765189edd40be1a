package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/nmstate"
)

// TestResolvConfServers checks that a fourth name server is refused where
// netrender writes /etc/resolv.conf (glibc's and musl's resolvers read
// three), and passed on where the system's own DNS settings hold them.
func TestResolvConfServers(t *testing.T) {
	t.Parallel()
	doc := `interfaces:
- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: false, address: [{ip: 192.0.2.5, prefix-length: 24}]}}
dns-resolver:
  config:
    server: [192.0.2.53, 192.0.2.54, 192.0.2.55, 192.0.2.56]
`
	d, err := nmstate.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Renderers() {
		st, err := Parse(d, r.Name())
		if err != nil {
			t.Fatal(err)
		}
		_, err = Files(r, st)
		var ue *UnsupportedError
		switch r.(type) {
		case Ifupdown, Ifcfg:
			want := "dns-resolver.config.server[3] (resolv.conf is read for 3 name servers): not supported by " + r.Name()
			if !errors.As(err, &ue) || err.Error() != want {
				t.Errorf("%s: error %v, want %q", r.Name(), err, want)
			}
			st.DNS.Servers = st.DNS.Servers[:3]
			files, err := Files(r, st)
			if err != nil {
				t.Fatalf("%s with three: %v", r.Name(), err)
			}
			if got := fileContent(t, files, "/etc/resolv.conf"); strings.Count(got, "nameserver ") != 3 {
				t.Errorf("%s: resolv.conf:\n%s", r.Name(), got)
			}
		default:
			if err != nil {
				t.Errorf("%s: %v", r.Name(), err)
			}
		}
	}
}
