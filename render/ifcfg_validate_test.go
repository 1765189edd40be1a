package render

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/internal/testenv"
)

// ifcfgKeys are the keys the ifcfg renderer may write, each documented in
// initscripts' sysconfig.txt; numbered ones match ifcfgNumbered.
var ifcfgKeys = []string{
	"DEVICE", "TYPE", "ONBOOT", "BOOTPROTO", "METRIC", "IPV6INIT", "IPV6_AUTOCONF", "DHCPV6C",
	"IPV6ADDR", "IPV6ADDR_SECONDARIES", "DOMAIN", "PEERDNS", "HWADDR", "MACADDR", "MTU",
	"BONDING_MASTER", "BONDING_OPTS", "MASTER", "SLAVE", "VLAN", "PHYSDEV", "VID", "BRIDGE", "STP",
}

// ifcfgAliasKeys are the keys of an alias file, ifcfg-<name>:<n>, all of
// which it must have: initscripts' ifup-aliases reads these, and
// NetworkManager's ifcfg-rh takes DEVICE, IPADDR and PREFIX.
var ifcfgAliasKeys = []string{"DEVICE", "IPADDR", "PREFIX", "ONPARENT", "NO_ALIASROUTING", "ARPCHECK", "IPV6INIT"}

var (
	// ifcfgAlias is an alias file's DEVICE: NetworkManager ignores alias
	// files whose suffix is not letters, digits and '_'.
	ifcfgAlias    = regexp.MustCompile(`^[^:]+:[0-9A-Za-z_]+$`)
	ifcfgNumbered = regexp.MustCompile(`^(IPADDR|PREFIX|DNS)([0-9]+)$`)
	// ifcfgLine is KEY=value with a bare value of safe characters or a
	// double-quoted one holding nothing bash would expand or end early.
	ifcfgLine = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=([A-Za-z0-9._:/@%+,=-]*|"[^"$\x60\\!]*")$`)
)

// parseIfcfg reads an ifcfg file with the strict grammar: comments, and
// KEY=value lines with known keys, once each, IPADDRn with PREFIXn from
// 0 with no gap, DNSn from 1 with no gap; an alias file (DEVICE with a
// ':') has exactly ifcfgAliasKeys.
func parseIfcfg(content string) (map[string]string, error) {
	kv, err := parseIfcfgLines(content)
	if err != nil {
		return nil, err
	}
	if strings.Contains(kv["DEVICE"], ":") {
		if !ifcfgAlias.MatchString(kv["DEVICE"]) || len(kv["DEVICE"]) > 15 {
			return nil, fmt.Errorf("DEVICE=%s is not an alias label NetworkManager and the kernel take", kv["DEVICE"])
		}
		for _, k := range ifcfgAliasKeys {
			if _, ok := kv[k]; !ok {
				return nil, fmt.Errorf("alias file without %s", k)
			}
		}
		if len(kv) != len(ifcfgAliasKeys) {
			return nil, fmt.Errorf("alias file with keys besides %s: %v", strings.Join(ifcfgAliasKeys, ", "), slices.Sorted(maps.Keys(kv)))
		}
		return kv, nil
	}
	for _, k := range ifcfgAliasKeys[1:] {
		if _, ok := kv[k]; ok && k != "IPV6INIT" {
			return nil, fmt.Errorf("%s outside an alias file", k)
		}
	}
	return kv, nil
}

// parseIfcfgLines is parseIfcfg's line grammar.
func parseIfcfgLines(content string) (map[string]string, error) {
	kv := map[string]string{}
	for n, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		m := ifcfgLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("line %d: %q is not KEY=value with a shell-safe value", n+1, line)
		}
		key, val := m[1], strings.Trim(m[2], `"`)
		if !slices.Contains(ifcfgKeys, key) && !slices.Contains(ifcfgAliasKeys, key) && !ifcfgNumbered.MatchString(key) {
			return nil, fmt.Errorf("line %d: unknown key %s", n+1, key)
		}
		if _, dup := kv[key]; dup {
			return nil, fmt.Errorf("line %d: %s set twice", n+1, key)
		}
		kv[key] = val
	}
	for key := range kv {
		m := ifcfgNumbered.FindStringSubmatch(key)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		first := 0
		if m[1] == "DNS" {
			first = 1
		}
		for k := first; k < n; k++ {
			if _, ok := kv[m[1]+strconv.Itoa(k)]; !ok {
				return nil, fmt.Errorf("%s without %s%d: initscripts stops at the gap", key, m[1], k)
			}
		}
		if m[1] == "IPADDR" {
			if _, ok := kv["PREFIX"+m[2]]; !ok {
				return nil, fmt.Errorf("%s without PREFIX%s gets a classful mask", key, m[2])
			}
		}
	}
	if kv["DEVICE"] == "" {
		return nil, errors.New("no DEVICE")
	}
	return kv, nil
}

// ifcfgScenarios are the golden scenarios and testdata/ifcfg's own, as
// paths below testdata/scenarios.
func ifcfgScenarios(t *testing.T) []string {
	t.Helper()
	names := scenarios(t)
	own, err := filepath.Glob("testdata/ifcfg/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range own {
		names = append(names, "../ifcfg/"+strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return names
}

// ifcfgScenario renders a scenario with ifcfg; ok is false when ifcfg
// cannot express it.
func ifcfgScenario(t *testing.T, sc string) (files []File, st *State, ok bool) {
	t.Helper()
	st = scenarioState(t, sc, Ifcfg{})
	if st == nil {
		return nil, nil, false
	}
	files, err := Ifcfg{}.Render(st)
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		t.Logf("ifcfg cannot express %s: %v", sc, err)
		return nil, nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return files, st, true
}

// TestIfcfgSyntax checks every file of every scenario ifcfg can express:
// bash -n accepts it (initscripts sources ifcfg files), the ifcfg files
// follow the strict key grammar, and the route and rule files hold
// argument lists that ip accepts (checked by TestIfcfgReplay).
func TestIfcfgSyntax(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.SkipOrFail(t, "bash not found")
	}
	for _, sc := range ifcfgScenarios(t) {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			files, _, ok := ifcfgScenario(t, sc)
			if !ok {
				return
			}
			dir := t.TempDir()
			for k, f := range files {
				p := filepath.Join(dir, strconv.Itoa(k))
				if err := os.WriteFile(p, f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command("bash", "-n", p).CombinedOutput(); err != nil {
					t.Errorf("bash -n %s: %v\n%s", f.Path, err, out)
				}
				if strings.HasPrefix(path.Base(f.Path), "ifcfg-") || f.Path == "/etc/sysconfig/network" {
					if f.Path == "/etc/sysconfig/network" {
						if string(f.Content) != "# Written by netrender.\nNETWORKING=yes\n" {
							t.Errorf("%s:\n%s", f.Path, f.Content)
						}
						continue
					}
					kv, err := parseIfcfg(string(f.Content))
					if err != nil {
						t.Errorf("%s: %v", f.Path, err)
					} else if "ifcfg-"+kv["DEVICE"] != path.Base(f.Path) {
						t.Errorf("%s: DEVICE=%s", f.Path, kv["DEVICE"])
					}
				}
			}
		})
	}
}

// TestIfcfgReplay replays, in a network namespace the test creates, what
// initscripts would do with the addresses, routes and rules of every
// scenario ifcfg can express: IPADDRn/PREFIXn from 0 to the first gap,
// IPV6ADDR and IPV6ADDR_SECONDARIES, each route-<name> and route6-<name>
// line through `ip route add`, each rule-<name> and rule6-<name> line
// through `ip rule add`; then reads the namespace back and checks it
// holds the state's addresses, routes and rules. Bridges are real
// bridges; ethernets, and bonds and VLANs (this kernel has no bonding or
// 8021q module), are veth stand-ins, which carry addresses, routes and
// rules alike. A DHCP interface's gateways are reached with onlink, as
// its lease would.
func TestIfcfgReplay(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "not root: cannot create a network namespace")
	}
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.SkipOrFail(t, tool+" not found (util-linux, iproute2)")
		}
	}
	if out, err := exec.Command("unshare", "-n", "ip", "link", "add", "t0", "type", "veth", "peer", "name", "t1").CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, fmt.Sprintf("cannot create a veth pair in a new network namespace (veth module missing?): %v: %s", err, out))
	}
	for _, sc := range ifcfgScenarios(t) {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			files, st, ok := ifcfgScenario(t, sc)
			if !ok {
				return
			}
			script, standIns := ifcfgReplayScript(t, files)
			if len(standIns) > 0 {
				t.Logf("veth stand-ins for %s", strings.Join(standIns, ", "))
			}
			cmd := exec.Command("unshare", "-n", "bash", "-euo", "pipefail", "-s")
			cmd.Stdin = strings.NewReader(script)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("replay: %v\n%s\nscript:\n%s", err, &stderr, script)
			}
			checkReplay(t, st, stdout.String())
		})
	}
}

// ifcfgReplayScript turns a file set into the ip commands initscripts
// would run, ending with dumps of addresses, routes and rules.
func ifcfgReplayScript(t *testing.T, files []File) (string, []string) {
	t.Helper()
	var links, ups, addrs, routes, rules strings.Builder
	var standIns []string
	dhcp := map[string]bool{}
	peer := 0
	// Bridges first, so that ports can join them.
	slices.SortStableFunc(files, func(a, b File) int {
		ab, bb := bytes.Contains(a.Content, []byte("\nTYPE=Bridge\n")), bytes.Contains(b.Content, []byte("\nTYPE=Bridge\n"))
		switch {
		case ab && !bb:
			return -1
		case bb && !ab:
			return 1
		}
		return 0
	})
	for _, f := range files {
		if !strings.HasPrefix(path.Base(f.Path), "ifcfg-") {
			continue
		}
		kv, err := parseIfcfg(string(f.Content))
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		dev := kv["DEVICE"]
		if parent, _, ok := strings.Cut(dev, ":"); ok {
			// What ifup-aliases does after the parent's lease.
			fmt.Fprintf(&addrs, "ip addr add %s/%s dev %s label %s\n", kv["IPADDR"], kv["PREFIX"], parent, dev)
			continue
		}
		if kv["TYPE"] == "Bridge" {
			fmt.Fprintf(&links, "ip link add %s type bridge\n", dev)
		} else {
			if kv["TYPE"] != "Ethernet" {
				standIns = append(standIns, dev+" ("+kv["TYPE"]+")")
			}
			peer++
			fmt.Fprintf(&links, "ip link add %s type veth peer name peer%d\nip link set peer%d up\n", dev, peer, peer)
		}
		if kv["BRIDGE"] != "" {
			fmt.Fprintf(&ups, "ip link set %s master %s\n", dev, kv["BRIDGE"])
		}
		if kv["MTU"] != "" {
			fmt.Fprintf(&ups, "ip link set %s mtu %s\n", dev, kv["MTU"])
		}
		if kv["MACADDR"] != "" {
			fmt.Fprintf(&ups, "ip link set %s address %s\n", dev, kv["MACADDR"])
		}
		fmt.Fprintf(&ups, "ip link set %s up\n", dev)
		dhcp[dev] = kv["BOOTPROTO"] == "dhcp"
		for k := 0; kv["IPADDR"+strconv.Itoa(k)] != ""; k++ {
			fmt.Fprintf(&addrs, "ip addr add %s/%s dev %s\n", kv["IPADDR"+strconv.Itoa(k)], kv["PREFIX"+strconv.Itoa(k)], dev)
		}
		if kv["IPV6INIT"] == "yes" {
			for _, a := range append(strings.Fields(kv["IPV6ADDR"]), strings.Fields(kv["IPV6ADDR_SECONDARIES"])...) {
				fmt.Fprintf(&addrs, "ip -6 addr add %s dev %s nodad\n", a, dev)
			}
		}
	}
	for _, f := range files {
		base := path.Base(f.Path)
		kind, dev, ok := strings.Cut(base, "-")
		if !ok || kind == "ifcfg" {
			continue
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(f.Content), "\n"), "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			switch kind {
			case "route", "route6":
				ip := map[string]string{"route": "ip route add ", "route6": "ip -6 route add "}[kind]
				if dhcp[dev] && strings.Contains(line, " via ") && !strings.Contains(line, " onlink") {
					line += " onlink"
				}
				routes.WriteString(ip + line + "\n")
			case "rule", "rule6":
				rules.WriteString(map[string]string{"rule": "ip rule add ", "rule6": "ip -6 rule add "}[kind] + line + "\n")
			default:
				t.Fatalf("unexpected file %s", f.Path)
			}
		}
	}
	dump := "echo '== addr'\nip -o addr show\necho '== route'\nip route show table all\nip -6 route show table all\necho '== rule'\nip rule show\nip -6 rule show\n"
	return links.String() + ups.String() + addrs.String() + routes.String() + rules.String() + dump, standIns
}

// checkReplay checks the namespace's dump against the state.
func checkReplay(t *testing.T, st *State, dump string) {
	t.Helper()
	addrSec, rest, _ := strings.Cut(strings.TrimPrefix(dump, "== addr\n"), "== route\n")
	routeSec, ruleSec, _ := strings.Cut(rest, "== rule\n")
	for _, i := range st.Interfaces {
		for _, p := range append(slices.Clone(i.IPv4.Addresses), i.IPv6.Addresses...) {
			re := regexp.MustCompile(`(?m)^\d+: ` + regexp.QuoteMeta(i.Name) + `\s+inet6? ` + regexp.QuoteMeta(p.String()) + ` `)
			if !re.MatchString(addrSec) {
				t.Errorf("no %s on %s in:\n%s", p, i.Name, addrSec)
			}
		}
	}
	for _, r := range st.Routes {
		dest := r.Destination.String()
		if r.Destination.Bits() == 0 {
			dest = "default"
		} else if r.Destination.IsSingleIP() {
			dest = r.Destination.Addr().String()
		}
		want := dest
		if r.Via.IsValid() {
			want += " via " + r.Via.String()
		}
		want += " dev " + r.Interface.Name
		found := false
		for _, line := range strings.Split(routeSec, "\n") {
			table := 254
			if m := regexp.MustCompile(` table (\S+)`).FindStringSubmatch(line); m != nil {
				table, _ = strconv.Atoi(m[1])
				if m[1] == "main" {
					table = 254
				}
			}
			wantTable := r.Table
			if wantTable == 0 {
				wantTable = 254
			}
			metricOK := r.Metric == 0 || strings.Contains(line, " metric "+strconv.Itoa(r.Metric))
			if strings.HasPrefix(line, want+" ") || line == want {
				if table == wantTable && metricOK {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no route %q (table %d, metric %d) in:\n%s", want, r.Table, r.Metric, routeSec)
		}
	}
	for _, r := range st.Rules {
		want := regexp.QuoteMeta(strconv.Itoa(r.Priority)) + `:\s+`
		if r.From.IsValid() {
			want += `from ` + regexp.QuoteMeta(hostOrPrefix(r.From)) + ` `
		} else {
			want += `from all `
		}
		if r.To.IsValid() {
			want += `to ` + regexp.QuoteMeta(hostOrPrefix(r.To)) + ` `
		}
		want += `lookup ` + strconv.Itoa(r.Table)
		if !regexp.MustCompile(`(?m)^` + want + `\b`).MatchString(ruleSec) {
			t.Errorf("no rule %q in:\n%s", want, ruleSec)
		}
	}
}

// hostOrPrefix prints a prefix as ip rule show does: a host without its
// length.
func hostOrPrefix(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}
