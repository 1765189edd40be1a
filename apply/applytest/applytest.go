//go:build linux

// Package applytest is what namespace tests of package apply share: a new
// unpinned network namespace with a netlink handle on it, a way to run
// commands such as ip inside it, and a dump of its state as ip prints it,
// with what changes by itself taken out, so that a test can compare the
// namespace before and after a rollback.
//
// Tests skip with the reason (not root, no namespaces, a module missing)
// on a developer's machine, and fail instead when NETPLUMB_REQUIRE_NETNS=1
// or NETPLUMB_CI=1 (set by .ci/run), except for the kinds of link whose
// module this kernel lacks (bond, vlan, dummy), which always skip.
package applytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// RequireNetns reports whether namespace tests must run: true when
// NETPLUMB_REQUIRE_NETNS=1 or in CI.
func RequireNetns() bool {
	return os.Getenv("NETPLUMB_REQUIRE_NETNS") == "1" || testenv.InCI()
}

// SkipOrFail skips the test with the reason, or fails it when
// [RequireNetns].
func SkipOrFail(t testing.TB, reason string) {
	t.Helper()
	if RequireNetns() {
		t.Fatalf("cannot run (NETPLUMB_REQUIRE_NETNS=1): %s", reason)
	}
	t.Skip(reason)
}

// NewNS creates a network namespace that no file pins, and a netlink
// handle on it; both are closed when the test ends, and the namespace
// goes with them. It skips the test (or fails it, see [SkipOrFail]) when
// not root or when the namespace cannot be made.
//
// The namespace is made on a thread of its own that moves back to the
// original namespace at once (or, if it cannot, dies with its goroutine),
// so no goroutine of the test ever runs inside it: reach it only through
// the handle and [Run].
func NewNS(t testing.TB) (*netlink.Handle, netns.NsHandle) {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, "network namespace tests need root")
	}
	var ns netns.NsHandle = -1
	err := onThreadIn(func() error {
		n, err := netns.New()
		if err != nil {
			return fmt.Errorf("new namespace: %w", err)
		}
		ns = n
		return nil
	}, func() {})
	if err != nil {
		if ns.IsOpen() {
			ns.Close()
		}
		SkipOrFail(t, "cannot create a network namespace: "+err.Error())
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		SkipOrFail(t, "cannot open a netlink handle in a new namespace: "+err.Error())
	}
	t.Cleanup(func() {
		h.Close()
		ns.Close()
	})
	return h, ns
}

// Exec runs a command inside the namespace ns with stdin (which may be
// nil) and returns what it wrote. The child is started from a thread that
// has entered ns, so it inherits ns; the thread returns to its namespace
// before anything else runs on it (or dies if it cannot). err is the
// command's, an *exec.ExitError when it ran and failed.
//
// Exec is safe for concurrent use.
func Exec(ns netns.NsHandle, stdin io.Reader, name string, args ...string) (stdout, stderr []byte, err error) {
	var o, e bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &o, &e
	var startErr error
	err = onThreadIn(func() error {
		if err := netns.Set(ns); err != nil {
			return fmt.Errorf("enter the namespace: %w", err)
		}
		return nil
	}, func() { startErr = cmd.Start() }) // forks from the thread, inside ns
	if err != nil {
		if startErr == nil && cmd.Process != nil {
			cmd.Wait()
		}
		return nil, nil, err
	}
	if startErr != nil {
		return nil, nil, startErr
	}
	err = cmd.Wait()
	return o.Bytes(), e.Bytes(), err
}

// onThreadIn runs f on a locked OS thread that enter has moved into a
// namespace, then moves the thread back to where it was and unlocks it.
// If enter fails or the thread cannot go back, the thread stays locked and
// dies with its goroutine, so that no code ever runs on a thread in the
// wrong namespace.
func onThreadIn(enter func() error, f func()) error {
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			ch <- fmt.Errorf("current namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := enter(); err != nil {
			ch <- err
			return
		}
		f()
		if err := netns.Set(orig); err != nil {
			ch <- fmt.Errorf("back to the original namespace: %w", err)
			return
		}
		runtime.UnlockOSThread()
		ch <- nil
	}()
	return <-ch
}

// Run runs a command inside ns, like `ip -n NAME …` for a namespace that
// has no name, and returns its standard output. It fails the test with
// the command's standard error if the command fails.
func Run(t testing.TB, ns netns.NsHandle, name string, args ...string) string {
	t.Helper()
	stdout, stderr, err := Exec(ns, nil, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(stdout)
}

// Batch runs `ip -batch -` inside ns on the commands given, one a line,
// and fails the test if any fails.
func Batch(t testing.TB, ns netns.NsHandle, commands string) {
	t.Helper()
	_, stderr, err := Exec(ns, strings.NewReader(commands), "ip", "-batch", "-")
	if err != nil {
		t.Fatalf("ip -batch: %v\n%s", err, stderr)
	}
}

// missingModules names the kernel module behind each kind of link that
// this project's test machines lack: tests of these kinds skip in
// namespaces, whatever NETPLUMB_REQUIRE_NETNS says, and are covered by
// plan tests.
var missingModules = map[string]string{"bond": "bonding", "vlan": "8021q", "dummy": "dummy"}

// RequireKind skips the test unless links of the kind (as ip names them:
// bond, vlan, dummy, bridge, veth, macvlan, vxlan) can be created in ns,
// by creating one and deleting it. For bond, vlan and dummy it always
// skips, naming the module; for the others it skips or fails as
// [SkipOrFail] does.
func RequireKind(t testing.TB, ns netns.NsHandle, kind string) {
	t.Helper()
	var cmds []string
	switch kind {
	case "vlan", "macvlan":
		child := "link add applytest-k link applytest-p type macvlan"
		if kind == "vlan" {
			child = "link add applytest-k link applytest-p type vlan id 2"
		}
		cmds = []string{"link add applytest-p type veth peer name applytest-q", child, "link del applytest-p"}
	case "vxlan":
		cmds = []string{"link add applytest-k type vxlan id 1 dstport 4789", "link del applytest-k"}
	case "veth":
		cmds = []string{"link add applytest-k type veth peer name applytest-q", "link del applytest-k"}
	default:
		cmds = []string{"link add applytest-k type " + kind, "link del applytest-k"}
	}
	_, stderr, err := Exec(ns, strings.NewReader(strings.Join(cmds, "\n")+"\n"), "ip", "-batch", "-")
	if err == nil {
		return
	}
	// ip -batch stops at the first failure: take away what it left.
	for _, name := range []string{"applytest-k", "applytest-p"} {
		Exec(ns, nil, "ip", "link", "del", name)
	}
	msg := fmt.Sprintf("cannot create a %s link: %v: %s", kind, err, strings.ReplaceAll(string(bytes.TrimSpace(stderr)), "\n", "; "))
	if mod, ok := missingModules[kind]; ok {
		t.Skipf("kernel module %s is not available (%s); covered by plan tests", mod, msg)
	}
	SkipOrFail(t, msg)
}

// DumpJSON returns the state of ns as ip prints it — `ip -j -d addr show`,
// `ip -j -d route show table all`, `ip -j -6 route show table all`,
// `ip -j rule show` and `ip -j -6 rule show` — as one indented JSON
// object with the keys addr, route, route6, rule and rule6, for a test to
// compare before and after a rollback.
//
// What changes by itself or cannot be restored is taken out: link
// indexes, operational state and carrier flags, address lifetimes and DAD
// flags, bridge and port STP timers and states, route expiry and the
// linkdown flag. Links are sorted by name, IPv6 addresses (which have no
// primary and are listed in the order they were added) and routes (whose
// order within a prefix follows insertion) by their JSON; IPv4 addresses
// and rules keep their order, which matters.
func DumpJSON(t testing.TB, ns netns.NsHandle) string {
	t.Helper()
	parts := []struct {
		key  string
		args []string
	}{
		{"addr", []string{"-j", "-d", "addr", "show"}},
		{"route", []string{"-j", "-d", "route", "show", "table", "all"}},
		{"route6", []string{"-j", "-6", "route", "show", "table", "all"}},
		{"rule", []string{"-j", "rule", "show"}},
		{"rule6", []string{"-j", "-6", "rule", "show"}},
	}
	doc := map[string]any{}
	for _, p := range parts {
		out := Run(t, ns, "ip", p.args...)
		v, err := cleanDump(p.key, []byte(out))
		if err != nil {
			t.Fatalf("ip %s: %v", strings.Join(p.args, " "), err)
		}
		doc[p.key] = v
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// Fields taken out of DumpJSON's objects wherever they are.
var volatileKeys = map[string]bool{
	"ifindex": true, "link_index": true, "operstate": true,
	"valid_life_time": true, "preferred_life_time": true, "tentative": true,
	"expires": true,
	// bridge and bridge port STP state
	"topology_change": true, "topology_change_detected": true,
	"topology_change_ack": true, "config_pending": true,
	// stats, if ever asked for
	"stats": true, "stats64": true,
}

// Flags taken out of DumpJSON's flag lists: carrier, not configuration.
var volatileFlags = map[string]bool{"LOWER_UP": true, "NO-CARRIER": true, "M-DOWN": true, "DORMANT": true, "linkdown": true}

// cleanDump parses one ip -j output and removes what changes by itself.
func cleanDump(key string, out []byte) (any, error) {
	var list []any
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, err
	}
	for _, x := range list {
		clean(x, "")
	}
	switch key {
	case "addr":
		for _, x := range list {
			link, _ := x.(map[string]any)
			if ai, ok := link["addr_info"].([]any); ok {
				var v4, v6 []any
				for _, a := range ai {
					if m, _ := a.(map[string]any); m["family"] == "inet6" {
						v6 = append(v6, a)
					} else {
						v4 = append(v4, a)
					}
				}
				sortByJSON(v6)
				link["addr_info"] = append(append([]any{}, v4...), v6...)
			}
		}
		slices.SortStableFunc(list, func(a, b any) int {
			an, _ := a.(map[string]any)["ifname"].(string)
			bn, _ := b.(map[string]any)["ifname"].(string)
			return strings.Compare(an, bn)
		})
	case "route", "route6":
		sortByJSON(list)
	}
	if list == nil {
		list = []any{}
	}
	return list, nil
}

// clean removes volatile keys and flags from v in place; parent is the
// key v is under.
func clean(v any, parent string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			// The state of a bridge port is its STP state
			// (listening, learning, forwarding).
			if volatileKeys[k] || strings.HasSuffix(k, "_timer") || parent == "info_slave_data" && k == "state" {
				delete(v, k)
				continue
			}
			if k == "flags" {
				if fl, ok := x.([]any); ok {
					v[k] = slices.DeleteFunc(fl, func(f any) bool { s, _ := f.(string); return volatileFlags[s] })
					continue
				}
			}
			clean(x, k)
		}
	case []any:
		for _, x := range v {
			clean(x, parent)
		}
	}
}

// sortByJSON sorts values by their JSON encoding.
func sortByJSON(list []any) {
	type entry struct {
		enc string
		v   any
	}
	es := make([]entry, len(list))
	for i, v := range list {
		b, _ := json.Marshal(v)
		es[i] = entry{string(b), v}
	}
	slices.SortStableFunc(es, func(a, b entry) int { return strings.Compare(a.enc, b.enc) })
	for i, e := range es {
		list[i] = e.v
	}
}
