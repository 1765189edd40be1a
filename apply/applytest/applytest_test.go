package applytest

import (
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunInsideNamespace(t *testing.T) {
	t.Parallel()
	h, ns := NewNS(t)
	hostNS, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(Run(t, ns, "readlink", "/proc/self/ns/net")); got == hostNS || !strings.HasPrefix(got, "net:[") {
		t.Fatalf("the child's namespace is %q, the test's %q", got, hostNS)
	}
	Run(t, ns, "ip", "link", "add", "applytest0", "type", "veth", "peer", "name", "applytest1")
	if _, err := h.LinkByName("applytest0"); err != nil {
		t.Errorf("the handle does not see the link ip added: %v", err)
	}
	if _, err := net.InterfaceByName("applytest0"); err == nil {
		t.Errorf("the link ip added is in the test's own namespace")
	}
}

func TestExecConcurrent(t *testing.T) {
	t.Parallel()
	_, ns1 := NewNS(t)
	_, ns2 := NewNS(t)
	want1 := strings.TrimSpace(Run(t, ns1, "readlink", "/proc/self/ns/net"))
	want2 := strings.TrimSpace(Run(t, ns2, "readlink", "/proc/self/ns/net"))
	if want1 == want2 {
		t.Fatalf("two new namespaces are the same: %s", want1)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ns, want := ns1, want1
			if i%2 == 1 {
				ns, want = ns2, want2
			}
			out, _, err := Exec(ns, nil, "readlink", "/proc/self/ns/net")
			if got := strings.TrimSpace(string(out)); err != nil || got != want {
				t.Errorf("run %d: %q, %v; want %q", i, got, err, want)
			}
		})
	}
	wg.Wait()
}

func TestRunFails(t *testing.T) {
	t.Parallel()
	_, ns := NewNS(t)
	_, stderr, err := Exec(ns, nil, "ip", "link", "del", "nosuchlink")
	if err == nil || !strings.Contains(string(stderr), "nosuchlink") && !strings.Contains(string(stderr), "Cannot find device") {
		t.Errorf("Exec of a failing command: %v, stderr %q", err, stderr)
	}
}

// TestDumpJSONRecreated checks that a link deleted and made again as it
// was dumps as before, although its index and its order in the kernel's
// list changed, and that real changes show.
func TestDumpJSONRecreated(t *testing.T) {
	t.Parallel()
	_, ns := NewNS(t)
	setup := `link add a0 address 02:00:00:00:00:01 type veth peer name b0 address 02:00:00:00:00:02
link set a0 addrgenmode none
link set b0 addrgenmode none
link add br0 address 02:00:00:00:00:03 type bridge stp_state 1
link set br0 addrgenmode none
link set b0 master br0
link set a0 up
link set b0 up
link set br0 up
address add 10.0.0.1/24 dev a0
address add 10.0.0.2/24 dev a0
address add 2001:db8::1/64 dev a0
address add 2001:db8::2/64 dev a0 valid_lft 300 preferred_lft 300
route add 192.0.2.0/24 via 10.0.0.254 metric 10 table 100
route add blackhole 198.51.100.0/24
rule add from 10.0.0.0/24 table 100 pref 100
`
	Batch(t, ns, setup)
	before := DumpJSON(t, ns)
	for _, want := range []string{`"ifname": "br0"`, `"stp_state": 1`, `"local": "2001:db8::2"`, `"dst": "192.0.2.0/24"`, `"table": "100"`} {
		if !strings.Contains(before, want) {
			t.Errorf("dump lacks %s:\n%s", want, before)
		}
	}
	for _, gone := range []string{`"ifindex"`, `"operstate"`, `_timer"`, `"valid_life_time"`, `"LOWER_UP"`} {
		if strings.Contains(before, gone) {
			t.Errorf("dump has %s:\n%s", gone, before)
		}
	}
	// Delete the veth (its routes and addresses go with it) and the rule,
	// then make them again, IPv6 addresses in the other order.
	Batch(t, ns, `link del a0
rule del pref 100
link add a0 address 02:00:00:00:00:01 type veth peer name b0 address 02:00:00:00:00:02
link set a0 addrgenmode none
link set b0 addrgenmode none
link set b0 master br0
link set a0 up
link set b0 up
address add 10.0.0.1/24 dev a0
address add 10.0.0.2/24 dev a0
address add 2001:db8::2/64 dev a0 valid_lft 300 preferred_lft 300
address add 2001:db8::1/64 dev a0
route add 192.0.2.0/24 via 10.0.0.254 metric 10 table 100
rule add from 10.0.0.0/24 table 100 pref 100
`)
	if d := cmp.Diff(before, DumpJSON(t, ns)); d != "" {
		t.Errorf("dump after recreating (-before +after):\n%s", d)
	}
	Run(t, ns, "ip", "address", "del", "10.0.0.2/24", "dev", "a0")
	if DumpJSON(t, ns) == before {
		t.Errorf("dump did not change when an address was removed")
	}
}

func TestRequireKind(t *testing.T) {
	t.Parallel()
	h, ns := NewNS(t)
	for _, kind := range []string{"veth", "bridge", "macvlan", "vxlan"} {
		RequireKind(t, ns, kind)
	}
	links, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 {
		var names []string
		for _, l := range links {
			names = append(names, l.Attrs().Name)
		}
		t.Errorf("RequireKind left links behind: %v", names)
	}
}
