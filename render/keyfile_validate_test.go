package render

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/internal/testenv"
)

// keyfileUnsupported are the scenarios the keyfile renderer refuses, with
// the reason; every other scenario must render and validate.
var keyfileUnsupported = map[string]string{
	// An IPv6 DNS server on a host without IPv6: NetworkManager keeps
	// ipv6.dns only with the ipv6 methods auto, dhcp and manual.
	"dns-many": "dns-resolver.config.server[2] without an interface with IPv6: not supported by keyfile",
}

// TestKeyfileValidate checks every scenario the keyfile renderer can
// express: each file at mode 0600, named after its id, with only the
// sections and keys the strict grammar of keyfileCheck allows, profiles
// that reference each other consistently, and each file read back by
// NetworkManager's own parser, libnm, through `nmcli --offline connection
// modify` (Debian package network-manager, 1.42): nmcli must accept the
// file, print nothing on stderr and print back the same settings, key
// for key (comments aside, and the empty settings NetworkManager adds
// when it normalizes a profile) — libnm silently drops keys it does not
// know, which this comparison catches too.
func TestKeyfileValidate(t *testing.T) {
	nmcli, err := exec.LookPath("nmcli")
	if err != nil {
		testenv.SkipOrFail(t, "nmcli is missing (Debian package network-manager)")
	}
	if out, err := exec.Command(nmcli, "--version").CombinedOutput(); err == nil {
		t.Logf("%s", bytes.TrimSpace(out))
	}
	cases := map[string]func(t *testing.T) ([]File, error){
		// Beyond the scenarios: the traps document (down bond and its
		// ports, VLAN on a MAC-matched NIC, tables, rules, metrics) and a
		// slice of the benchmark's state.
		"traps": func(t *testing.T) ([]File, error) { return keyfileRender(t, keyfileTrapsDoc) },
		"bench-40": func(t *testing.T) ([]File, error) {
			return Files(Keyfile{}, keyfileBenchState(40))
		},
	}
	for _, sc := range scenarios(t) {
		cases[sc] = func(t *testing.T) ([]File, error) { return renderScenario(t, sc, Keyfile{}) }
	}
	for name, render := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, err := render(t)
			if want, ok := keyfileUnsupported[name]; ok {
				if err == nil || err.Error() != want {
					t.Fatalf("error = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			profiles := keyfileProfiles(t, files)
			if len(profiles) == 0 {
				t.Fatal("no keyfiles")
			}
			for _, problem := range keyfileCheckSet(profiles) {
				t.Error(problem)
			}
			dir := t.TempDir()
			for _, p := range profiles {
				if problem := keyfileNmcli(t, nmcli, dir, p); problem != "" {
					t.Error(problem)
				}
			}
		})
	}
}

// TestKeyfileValidateCatches shows the checks of TestKeyfileValidate
// failing on broken keyfiles, so that a check that passes means
// something.
func TestKeyfileValidateCatches(t *testing.T) {
	t.Parallel()
	good := "[connection]\nid=eth0\nuuid=" + keyfileUUID("eth0") + "\ntype=ethernet\ninterface-name=eth0\n\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=disabled\n"
	tests := []struct {
		name, content, want string
	}{
		{"good", good, ""},
		{"unknown key", strings.Replace(good, "method=auto", "method=auto\ngateway=10.0.0.1", 1), "eth0.nmconnection:9: [ipv4] gateway: not an allowed key"},
		{"newer spelling", strings.Replace(good, "interface-name=eth0", "interface-name=eth0\ncontroller=bond0\nport-type=bond", 1), "eth0.nmconnection:6: [connection] controller: not an allowed key\neth0.nmconnection:7: [connection] port-type: not an allowed key"},
		{"bad value", strings.Replace(good, "method=auto", "method=dhcp", 1), `eth0.nmconnection:8: [ipv4] method: "dhcp" is not allowed`},
		{"section of another type", good + "\n[bond]\nmode=802.3ad\n", "eth0.nmconnection:13: [bond] in a ethernet profile"},
		{"no ipv6", good[:strings.Index(good, "\n[ipv6]")+1], "eth0.nmconnection: no [ipv6]"},
		{"address gap", strings.Replace(good, "method=auto", "address2=10.0.0.2/24\nmethod=auto", 1), "eth0.nmconnection:8: [ipv4] address2 without address1"},
		{"v6 address in ipv4", strings.Replace(good, "method=auto", "address1=2001:db8::1/64\nmethod=manual", 1), `eth0.nmconnection:8: [ipv4] address1: "2001:db8::1/64" is not allowed`},
		{"rule without priority", strings.Replace(good, "method=auto", "method=auto\nrouting-rule1=from 10.0.0.0/8 table 5", 1), `eth0.nmconnection:9: [ipv4] routing-rule1: "from 10.0.0.0/8 table 5" is not allowed`},
		{"wrong uuid", strings.Replace(good, keyfileUUID("eth0"), keyfileUUID("eth1"), 1), "eth0.nmconnection:3: uuid " + keyfileUUID("eth1") + " is not the name-based UUID of eth0"},
		{"dangling master", strings.Replace(good[:strings.Index(good, "\n[ipv4]")+1], "interface-name=eth0", "interface-name=eth0\nmaster=bond0\nslave-type=bond", 1), "eth0.nmconnection: master bond0 is no bond profile"},
		{"indented", strings.Replace(good, "method=auto", " method=auto", 1), `eth0.nmconnection:8: " method=auto" is not a section, key or comment line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, problems := keyfileParse("eth0.nmconnection", tt.content)
			if len(problems) == 0 {
				problems = keyfileCheckSet([]*keyfileDoc{p})
			}
			got := strings.Join(problems, "\n")
			if got != tt.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestKeyfileNmcliCatches shows the nmcli comparison failing on what
// libnm refuses or silently drops or rewrites.
func TestKeyfileNmcliCatches(t *testing.T) {
	nmcli, err := exec.LookPath("nmcli")
	if err != nil {
		testenv.SkipOrFail(t, "nmcli is missing (Debian package network-manager)")
	}
	head := "[connection]\nid=eth0\nuuid=" + keyfileUUID("eth0") + "\ntype=ethernet\ninterface-name=eth0\n"
	tests := []struct {
		name, content, want string
	}{
		{"good", head + "\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=disabled\n", ""},
		{"dropped newer key", strings.Replace(head, "interface-name=eth0\n", "interface-name=eth0\ncontroller=bond0\nport-type=bond\n", 1),
			"eth0.nmconnection: nmcli reads it differently (-written +read back):\n-controller=bond0\n-port-type=bond\n+[ipv4]\n+method=auto\n+[ipv6]\n+addr-gen-mode=default\n+method=auto\n"},
		{"dropped rule", head + "\n[ipv4]\nmethod=auto\nrouting-rule1=from 10.0.0.0/8 table 5\n\n[ipv6]\nmethod=disabled\n",
			"eth0.nmconnection: nmcli reads it differently (-written +read back):\n-routing-rule1=from 10.0.0.0/8 table 5\n"},
		{"rewritten default", head + "\n[bridge]\nstp=true\n\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=disabled\n",
			"eth0.nmconnection: nmcli reads it differently (-written +read back):\n-[bridge]\n-stp=true\n"},
		{"refused", head + "\n[ipv4]\nmethod=manual\n\n[ipv6]\nmethod=disabled\n",
			"eth0.nmconnection: nmcli: exit status 1: Error: Error writing connection: ipv4.addresses: this property cannot be empty for 'method=manual'"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		d, _ := keyfileParse("eth0.nmconnection", tt.content)
		if got := keyfileNmcli(t, nmcli, dir, d); got != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

// keyfileProfiles checks the file set's modes and paths and parses every
// keyfile.
func keyfileProfiles(t *testing.T, files []File) []*keyfileDoc {
	t.Helper()
	var out []*keyfileDoc
	for _, f := range files {
		if !strings.HasPrefix(f.Path, keyfileDir) {
			continue
		}
		name := strings.TrimPrefix(f.Path, keyfileDir)
		if f.Mode != 0o600 {
			t.Errorf("%s: mode %04o, NetworkManager ignores keyfiles that are not 0600", name, f.Mode)
		}
		if !strings.HasSuffix(name, ".nmconnection") || strings.HasPrefix(name, ".") || strings.Contains(name, "/") {
			t.Errorf("%s: not a file name NetworkManager reads", name)
		}
		p, problems := keyfileParse(name, string(f.Content))
		for _, pr := range problems {
			t.Error(pr)
		}
		out = append(out, p)
	}
	return out
}

// keyfileDoc is a parsed keyfile.
type keyfileDoc struct {
	file     string
	content  string
	sections []*keyfileGroup
}

// keyfileGroup is one [section] with its keys in order and their lines.
type keyfileGroup struct {
	name  string
	line  int
	keys  []string
	vals  map[string]string
	lines map[string]int
}

func (d *keyfileDoc) group(name string) *keyfileGroup {
	for _, g := range d.sections {
		if g.name == name {
			return g
		}
	}
	return nil
}

func (d *keyfileDoc) get(section, key string) string {
	if g := d.group(section); g != nil {
		return g.vals[key]
	}
	return ""
}

// keyfileParse parses a keyfile strictly: lines are a [section], a
// key=value with no space around the key, a # comment or empty; no key
// before the first section, no section or key twice.
func keyfileParse(file, content string) (*keyfileDoc, []string) {
	d := &keyfileDoc{file: file, content: content}
	var problems []string
	bad := func(n int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", file, n, fmt.Sprintf(format, args...)))
	}
	if !strings.HasSuffix(content, "\n") {
		bad(0, "no newline at the end")
	}
	var cur *keyfileGroup
	for n, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		n++
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			name := line[1 : len(line)-1]
			if d.group(name) != nil {
				bad(n, "[%s] twice", name)
			}
			cur = &keyfileGroup{name: name, line: n, vals: map[string]string{}, lines: map[string]int{}}
			d.sections = append(d.sections, cur)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || k == "" || strings.TrimSpace(k) != k || strings.ContainsAny(k, "[]#") {
				bad(n, "%q is not a section, key or comment line", line)
				continue
			}
			if cur == nil {
				bad(n, "%s before any section", k)
				continue
			}
			if _, dup := cur.vals[k]; dup {
				bad(n, "[%s] %s twice", cur.name, k)
			}
			cur.keys = append(cur.keys, k)
			cur.vals[k] = v
			cur.lines[k] = n
		}
	}
	return d, problems
}

// Grammar of the values the renderer writes.
var (
	kfName    = `[^\s/:"'\\$` + "`" + `]{1,15}`
	kfUUID    = `[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	kfMAC     = `[0-9A-F]{2}(:[0-9A-F]{2}){5}`
	kfUint    = `(0|[1-9][0-9]{0,9})`
	kfHost    = `[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?`
	kfV4      = `[0-9.]+`
	kfV6      = `[0-9a-f:.]*:[0-9a-f:.]*`
	kfRuleFmt = `priority [1-9][0-9]{0,9}( from %[1]s)?( to %[1]s)? table [1-9][0-9]{0,9}`
)

// keyfileKeys is the strict allow list: per section, each key the
// renderer may write and a pattern for its value. ADDR stands for an
// address of the section's family, NUM for an index from 1.
var keyfileKeys = map[string]map[string]string{
	"connection": {
		"id": kfName, "uuid": kfUUID, "type": `ethernet|bond|vlan|bridge`, "autoconnect": `false`,
		"interface-name": kfName, "master": kfName, "slave-type": `bond|bridge`,
	},
	"ethernet": {"cloned-mac-address": kfMAC, "mac-address": kfMAC, "mtu": kfUint},
	"bond": {
		"mode":   `balance-rr|active-backup|balance-xor|broadcast|802\.3ad|balance-tlb|balance-alb`,
		"miimon": kfUint, "updelay": kfUint, "downdelay": kfUint, "lacp_rate": `slow|fast|0|1`,
		"xmit_hash_policy": `layer2|layer3\+4|layer2\+3|encap2\+3|encap3\+4|vlan\+srcmac`, "primary": kfName,
	},
	"vlan":   {"flags": `1`, "id": kfUint, "parent": kfName + "|" + kfUUID},
	"bridge": {"stp": `false`},
	"ip": {
		"addressNUM": `ADDR/[0-9]{1,3}`, "dns": `(ADDR;)+`, "dns-search": `(` + kfHost + `;)+`,
		"method": `METHOD`, "route-metric": kfUint,
		"routeNUM": `ADDR/[0-9]{1,3}(,ADDR(,` + kfUint + `)?)?`, "routeNUM_options": `table=[1-9][0-9]{0,9}`,
		"routing-ruleNUM": `RULE`,
	},
}

// keyfileSections are the settings each connection type may have, in
// NetworkManager's order.
var keyfileSections = map[string][]string{
	"ethernet": {"connection", "ethernet", "ipv4", "ipv6"},
	"bond":     {"connection", "ethernet", "bond", "ipv4", "ipv6"},
	"vlan":     {"connection", "ethernet", "vlan", "ipv4", "ipv6"},
	"bridge":   {"connection", "ethernet", "bridge", "ipv4", "ipv6"},
}

var keyfileNum = regexp.MustCompile(`^([a-z-]+?)([1-9][0-9]*)(_options)?$`)

// keyfileCheckSet checks a set of keyfiles against the allow list and
// against each other, and returns the problems found.
func keyfileCheckSet(docs []*keyfileDoc) []string {
	var problems []string
	bad := func(d *keyfileDoc, n int, format string, args ...any) {
		where := d.file
		if n > 0 {
			where += ":" + strconv.Itoa(n)
		}
		problems = append(problems, where+": "+fmt.Sprintf(format, args...))
	}
	byIfname := map[string]*keyfileDoc{}
	byUUID := map[string]*keyfileDoc{}
	for _, d := range docs {
		if n := d.get("connection", "interface-name"); n != "" {
			byIfname[n] = d
		}
		byUUID[d.get("connection", "uuid")] = d
	}
	for _, d := range docs {
		typ := d.get("connection", "type")
		allowed, ok := keyfileSections[typ]
		if !ok {
			bad(d, 0, "type %q is not ethernet, bond, vlan or bridge", typ)
			continue
		}
		port := d.get("connection", "master") != ""
		if port {
			allowed = []string{"connection", "ethernet"}
		}
		last := -1
		for _, g := range d.sections {
			at := slices.Index(allowed, g.name)
			if at < 0 {
				bad(d, g.line, "[%s] in a %s profile", g.name, map[bool]string{false: typ, true: "port"}[port])
				continue
			}
			if at < last {
				bad(d, g.line, "[%s] out of NetworkManager's order", g.name)
			}
			last = at
			problems = append(problems, keyfileCheckGroup(d, g)...)
		}
		for _, s := range []string{"connection", "ipv4", "ipv6"} {
			if d.group(s) == nil && (s == "connection" || !port) {
				bad(d, 0, "no [%s]", s)
			}
		}
		id := d.get("connection", "id")
		if d.file != id+".nmconnection" {
			bad(d, 0, "file name does not match id %q", id)
		}
		if u := d.get("connection", "uuid"); u != keyfileUUID(id) {
			bad(d, d.group("connection").lines["uuid"], "uuid %s is not the name-based UUID of %s", u, id)
		}
		if byUUID[d.get("connection", "uuid")] != d {
			bad(d, 0, "uuid shared with %s", byUUID[d.get("connection", "uuid")].file)
		}
		if ifn := d.get("connection", "interface-name"); ifn != "" && ifn != id {
			bad(d, 0, "interface-name %s is not the id %s", ifn, id)
		}
		if ifn, mac := d.get("connection", "interface-name"), d.get("ethernet", "mac-address"); (ifn == "") == (mac == "") {
			bad(d, 0, "neither or both of interface-name and mac-address")
		}
		if m := d.get("connection", "master"); m != "" {
			st := d.get("connection", "slave-type")
			if c := byIfname[m]; c == nil || c.get("connection", "type") != st {
				bad(d, 0, "master %s is no %s profile", m, st)
			}
		} else if d.get("connection", "slave-type") != "" {
			bad(d, 0, "slave-type without master")
		}
		if typ == "vlan" {
			p := d.get("vlan", "parent")
			if byIfname[p] == nil && (byUUID[p] == nil || byUUID[p].get("connection", "interface-name") != "") {
				bad(d, 0, "parent %s is no profile's interface-name, nor the UUID of one that matches by MAC", p)
			}
			if d.get("vlan", "id") == "" {
				bad(d, 0, "vlan without id")
			}
		}
	}
	return problems
}

// keyfileCheckGroup checks one section's keys and values.
func keyfileCheckGroup(d *keyfileDoc, g *keyfileGroup) []string {
	var problems []string
	section := g.name
	addr, methods, rule := kfV4, `auto|manual|disabled`, fmt.Sprintf(kfRuleFmt, kfV4+`(/[0-9]{1,2})?`)
	switch section {
	case "ipv4":
		section = "ip"
	case "ipv6":
		section = "ip"
		addr, methods, rule = kfV6, `auto|dhcp|manual|link-local|disabled`, fmt.Sprintf(kfRuleFmt, kfV6+`(/[0-9]{1,3})?`)
	}
	allowed := keyfileKeys[section]
	seen := map[string]bool{}
	for _, k := range g.keys {
		n := g.lines[k]
		generic := k
		if m := keyfileNum.FindStringSubmatch(k); m != nil && section == "ip" {
			generic = m[1] + "NUM" + m[3]
			if idx, _ := strconv.Atoi(m[2]); idx > 1 && !seen[m[1]+strconv.Itoa(idx-1)] {
				problems = append(problems, fmt.Sprintf("%s:%d: [%s] %s without %s%d", d.file, n, g.name, k, m[1], idx-1))
			}
			if m[3] != "" && !seen[m[1]+m[2]] {
				problems = append(problems, fmt.Sprintf("%s:%d: [%s] %s without %s%s", d.file, n, g.name, k, m[1], m[2]))
			}
			if m[3] == "" {
				seen[m[1]+m[2]] = true
			}
		}
		pat, ok := allowed[generic]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: [%s] %s: not an allowed key", d.file, n, g.name, k))
			continue
		}
		pat = strings.NewReplacer("ADDR", addr, "METHOD", methods, "RULE", rule).Replace(pat)
		v := g.vals[k]
		if !regexp.MustCompile(`^(`+pat+`)$`).MatchString(v) || !keyfileAddrsValid(generic, v, g.name == "ipv6") {
			problems = append(problems, fmt.Sprintf("%s:%d: [%s] %s: %q is not allowed", d.file, n, g.name, k, v))
		}
	}
	if section == "ip" && g.vals["method"] == "" {
		problems = append(problems, fmt.Sprintf("%s:%d: [%s] without method", d.file, g.line, g.name))
	}
	return problems
}

// keyfileAddrsValid checks that the addresses and prefixes of an
// [ipv4] or [ipv6] value parse, in the section's family.
func keyfileAddrsValid(generic, v string, v6 bool) bool {
	var fields []string
	switch generic {
	case "addressNUM", "routeNUM":
		fields = strings.Split(v, ",")
		if len(fields) == 3 {
			fields = fields[:2] // the metric
		}
	case "dns":
		fields = strings.Split(strings.TrimSuffix(v, ";"), ";")
	case "routing-ruleNUM":
		f := strings.Fields(v)
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "from" || f[i] == "to" {
				fields = append(fields, f[i+1])
			}
		}
	}
	for _, f := range fields {
		a, err := netip.ParseAddr(f)
		if err != nil {
			pf, err := netip.ParsePrefix(f)
			if err != nil {
				return false
			}
			a = pf.Addr()
		}
		if a.Is6() != v6 || a.Zone() != "" {
			return false
		}
	}
	return true
}

// keyfileNmcli writes a keyfile at 0600 and pipes it through
// `nmcli --offline connection modify`, which parses it with libnm,
// normalizes and verifies the profile and prints it back as keyfile.
// What it prints must be the file, comments and empty settings aside; it
// returns what differs, or "".
func keyfileNmcli(t *testing.T, nmcli, dir string, d *keyfileDoc) string {
	t.Helper()
	path := filepath.Join(dir, d.file)
	if err := os.WriteFile(path, []byte(d.content), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(nmcli, "--offline", "connection", "modify", "connection.id", d.get("connection", "id"))
	cmd.Stdin = f
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		return fmt.Sprintf("%s: nmcli: %v: %s", d.file, err, bytes.TrimSpace(stderr.Bytes()))
	}
	want, got := keyfileCanonical(d.content), keyfileCanonical(stdout.String())
	if want != got {
		return fmt.Sprintf("%s: nmcli reads it differently (-written +read back):\n%s", d.file, keyfileLineDiff(want, got))
	}
	return ""
}

// keyfileCanonical drops comments, empty lines and empty sections.
func keyfileCanonical(s string) string {
	var out []string
	section := ""
	for _, line := range strings.Split(s, "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		default:
			if section != "" {
				out = append(out, section)
				section = ""
			}
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// keyfileLineDiff shows the lines only in a (-) and only in b (+).
func keyfileLineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out.WriteString("-" + l + "\n")
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out.WriteString("+" + l + "\n")
		}
	}
	if out.Len() == 0 {
		return "(same lines, another order)\n" + b
	}
	return out.String()
}
