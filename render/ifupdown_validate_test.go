package render

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/internal/testenv"
)

// eniFile renders a scenario with r and writes its /etc/network/interfaces
// to a temporary directory; ok is false when r cannot express the
// scenario.
func eniFile(t *testing.T, sc string, r Ifupdown) (path string, st *State, ok bool) {
	t.Helper()
	st = scenarioState(t, sc, r)
	if st == nil {
		return "", nil, false
	}
	files, err := r.Render(st)
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		t.Logf("%s cannot express %s: %v", r.Name(), sc, err)
		return "", nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "interfaces")
	if err := os.WriteFile(path, files[0].Content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, st, true
}

// scenarioState parses a scenario for r; nil when r cannot express it.
func scenarioState(t *testing.T, sc string, r Renderer) *State {
	t.Helper()
	st, err := parseFile(t, scenarioFile(sc), r)
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		t.Logf("%s cannot express %s: %v", r.Name(), sc, err)
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// run runs a command and returns its stdout and stderr; a failure is
// fatal.
func run(t *testing.T, name string, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, &stdout, &stderr)
	}
	return stdout.String(), stderr.String()
}

// autoNames is what ifquery --list must print: lo, then every interface
// that is up and has a stanza, in the order of the file.
func autoNames(st *State, alpine bool) []string {
	names := []string{"lo"}
	for _, i := range dependencyOrder(st.Interfaces) {
		bridgePort := i.Controller != nil && i.Controller.Kind == Bridge && i.Kind == Ethernet
		if !i.Down && (alpine || !bridgePort) {
			names = append(names, i.Name)
		}
	}
	return names
}

var (
	// ifup --no-act prints "ip addr add 10.0.0.2/255.255.255.0 ... dev eth0"
	// and "ip -6 addr add 2001:db8::1/64 dev eth0".
	noActAddr  = regexp.MustCompile(`^ip (-6 )?addr add (\S+?)/(\S+) .*\bdev (\S+)`)
	noActRoute = regexp.MustCompile(`^ip (-6 )?route add (.*)$`)
	noActRule  = regexp.MustCompile(`^ip (-6 )?rule add (.*)$`)
)

// TestIfupdownValidate checks every scenario Debian's ifupdown can express
// with Debian's own parser: ifquery --list must list exactly the
// interfaces that are up, ifquery must read every stanza without a word
// on stderr, and ifup --no-act must bring everything up without one,
// adding every address (ifupdown keeps only the first "address" of a
// stanza), every route after the address that reaches its gateway, and
// every rule.
func TestIfupdownValidate(t *testing.T) {
	for _, tool := range []string{"ifquery", "ifup"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.SkipOrFail(t, tool+" not found: install Debian's ifupdown")
		}
	}
	for _, sc := range scenarios(t) {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			path, st, ok := eniFile(t, sc, Ifupdown{})
			if !ok {
				return
			}
			state := t.TempDir()
			common := []string{"-i", path, "--state-dir", state}

			out, stderr := run(t, "ifquery", append(common, "--list")...)
			if got, want := strings.Fields(out), autoNames(st, false); !slices.Equal(got, want) || stderr != "" {
				t.Errorf("ifquery --list = %q, want %q; stderr: %s", got, want, stderr)
			}
			var names []string
			for _, line := range strings.Split(readFile(t, path), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "iface" && f[1] != "lo" && !slices.Contains(names, f[1]) {
					names = append(names, f[1])
				}
			}
			for _, n := range names {
				if _, stderr := run(t, "ifquery", append(common, n)...); stderr != "" {
					t.Errorf("ifquery %s: %s", n, stderr)
				}
			}

			// ifup --no-act prints the commands on stderr, its warnings
			// with "ifup: " before them.
			out, stderr = run(t, "ifup", append(common, "--no-act", "-a")...)
			for _, i := range st.Interfaces {
				if i.Down {
					o, e := run(t, "ifup", append(common, "--no-act", i.Name)...)
					out, stderr = out+o, stderr+e
				}
			}
			for _, l := range strings.Split(out+stderr, "\n") {
				if strings.HasPrefix(l, "ifup:") || strings.Contains(l, "No DHCP client") {
					t.Errorf("ifup --no-act: %s", l)
				}
			}
			checkNoAct(t, st, out+stderr)
		})
	}
}

// checkNoAct checks what ifup --no-act printed against the state.
func checkNoAct(t *testing.T, st *State, out string) {
	t.Helper()
	type addr struct {
		dev string
		p   netip.Prefix
	}
	var added []addr
	var routes, rules []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if m := noActAddr.FindStringSubmatch(line); m != nil {
			a, err := netip.ParseAddr(m[2])
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			bits := maskBits(t, m[3])
			added = append(added, addr{m[4], netip.PrefixFrom(a, bits)})
			continue
		}
		if m := noActRoute.FindStringSubmatch(line); m != nil {
			f := strings.Fields(m[2])
			dev, via := fieldAfter(f, "dev"), fieldAfter(f, "via")
			if via != "" && !slices.Contains(f, "onlink") {
				gw := netip.MustParseAddr(via)
				i := findIface(st, dev)
				dyn := i != nil && (gw.Is4() && i.IPv4.DHCP || gw.Is6() && (i.IPv6.DHCP || i.IPv6.Autoconf))
				if !dyn && !slices.ContainsFunc(added, func(a addr) bool { return a.dev == dev && a.p.Masked().Contains(gw) }) {
					t.Errorf("route %q comes before any address of %s that reaches %s", line, dev, gw)
				}
			}
			routes = append(routes, m[2])
			continue
		}
		if m := noActRule.FindStringSubmatch(line); m != nil {
			rules = append(rules, m[2])
		}
	}
	for _, i := range st.Interfaces {
		for _, p := range append(slices.Clone(i.IPv4.Addresses), i.IPv6.Addresses...) {
			if !slices.Contains(added, addr{i.Name, p}) {
				t.Errorf("ifup --no-act adds no %s to %s", p, i.Name)
			}
		}
	}
	var want []string
	for _, r := range st.Routes {
		want = append(want, routeArgs(r, needsOnlink(r)))
	}
	if !sameSet(routes, want) {
		t.Errorf("routes added: %q, want %q", routes, want)
	}
	want = nil
	for _, r := range st.Rules {
		want = append(want, ruleArgs(r))
	}
	if !sameSet(rules, want) {
		t.Errorf("rules added: %q, want %q", rules, want)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// maskBits reads a prefix length or a dotted netmask.
func maskBits(t *testing.T, s string) int {
	t.Helper()
	if m, err := netip.ParseAddr(s); err == nil {
		b := m.As4()
		n := 0
		for _, x := range b {
			for ; x&0x80 != 0; x <<= 1 {
				n++
			}
		}
		return n
	}
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("mask %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func fieldAfter(f []string, key string) string {
	if k := slices.Index(f, key); k >= 0 && k+1 < len(f) {
		return f[k+1]
	}
	return ""
}

func findIface(st *State, name string) *Interface {
	for _, i := range st.Interfaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ifupdownNG returns the directory holding Debian's ifupdown-ng package
// unpacked (sbin/ifupdown, usr/libexec/ifupdown-ng): it conflicts with
// ifupdown, so `make deps` unpacks it with dpkg -x instead of installing
// it. NETPLUMB_IFUPDOWN_NG names another directory.
func ifupdownNG(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NETPLUMB_IFUPDOWN_NG")
	if dir == "" {
		dir = "/opt/ifupdown-ng"
	}
	if _, err := os.Stat(filepath.Join(dir, "sbin", "ifupdown")); err != nil {
		testenv.SkipOrFail(t, "ifupdown-ng not unpacked in "+dir+" (apt-get download ifupdown-ng; dpkg -x ifupdown-ng_*.deb "+dir+")")
	}
	return dir
}

// ngMissingExecutors are executors that ifupdown-ng's automatic
// executor selection derives from keys of the rendered files (the word
// before the first '-') but that Debian's 0.11.4 lacks, harmlessly:
// "ipv6" (ipv6-autoconf and ipv6-accept-ra, whose executor came in
// ifupdown-ng 0.12, as Alpine ships it), "pre" (pre-down) and "vlan"
// (vlan-raw-device and vlan-id, which the link executor reads).
var ngMissingExecutors = []string{"ipv6", "pre", "vlan"}

// TestIfupdownNGValidate checks every scenario the Alpine flavour can
// express with ifupdown-ng itself (Debian's package, unpacked): ifquery
// --list --auto lists the interfaces that are up, ifquery shows every
// line written for an interface (so none was dropped or misread) and uses
// only executors ifupdown-ng has, and ifup --no-act brings everything up,
// running the route and rule commands, with no parse error.
func TestIfupdownNGValidate(t *testing.T) {
	dir := ifupdownNG(t)
	bin := t.TempDir()
	for _, c := range []string{"ifquery", "ifup"} {
		if err := os.Symlink(filepath.Join(dir, "sbin", "ifupdown"), filepath.Join(bin, c)); err != nil {
			t.Fatal(err)
		}
	}
	executors := filepath.Join(dir, "usr", "libexec", "ifupdown-ng")
	for _, sc := range scenarios(t) {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			r := Ifupdown{Alpine: true}
			path, st, ok := eniFile(t, sc, r)
			if !ok {
				return
			}
			state := filepath.Join(t.TempDir(), "ifstate")
			ifquery, ifup := filepath.Join(bin, "ifquery"), filepath.Join(bin, "ifup")
			out, stderr := run(t, ifquery, "-i", path, "-S", state, "--list", "--auto")
			if got, want := strings.Fields(out), autoNames(st, true); !slices.Equal(got, want) || stderr != "" {
				t.Errorf("ifquery --list --auto = %q, want %q; stderr: %s", got, want, stderr)
			}
			written := ngStanzas(readFile(t, path))
			for name, lines := range written {
				out, stderr := run(t, ifquery, "-i", path, "-S", state, name)
				if stderr != "" {
					t.Errorf("ifquery %s: %s", name, stderr)
				}
				var shown []string
				for _, l := range strings.Split(out, "\n") {
					l = strings.Join(strings.Fields(l), " ")
					shown = append(shown, l)
					if e, ok := strings.CutPrefix(l, "use "); ok {
						if _, err := os.Stat(filepath.Join(executors, e)); err != nil && e != "loopback" && !slices.Contains(ngMissingExecutors, e) {
							t.Errorf("ifquery %s: executor %q does not exist", name, e)
						}
					}
				}
				for _, l := range lines {
					if !slices.Contains(shown, l) {
						t.Errorf("ifquery %s does not show %q:\n%s", name, l, out)
					}
				}
			}
			out, stderr = run(t, ifup, "-i", path, "-S", state, "-E", executors, "--no-act", "-a")
			for _, i := range st.Interfaces {
				if i.Down {
					o, e := run(t, ifup, "-i", path, "-S", state, "-E", executors, "--no-act", i.Name)
					out, stderr = out+o, stderr+e
				}
			}
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, path+":") || strings.Contains(l, "config errors") || strings.Contains(l, "could not") {
					t.Errorf("ifup --no-act: %s", l)
				}
			}
			var cmds []string
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "ip ") {
					cmds = append(cmds, l)
				}
			}
			var want []string
			for _, lines := range written {
				for _, l := range lines {
					if c, ok := strings.CutPrefix(l, "up "); ok {
						want = append(want, c)
					}
				}
			}
			if !sameSet(cmds, want) {
				t.Errorf("ifup --no-act ran %q, want %q", cmds, want)
			}
		})
	}
}

// ngStanzas returns the option lines of each stanza of an ifupdown-ng
// file but lo's, whitespace normalized.
func ngStanzas(file string) map[string][]string {
	out := map[string][]string{}
	cur := ""
	for _, l := range strings.Split(file, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] == "iface":
			cur = f[1]
			if cur != "lo" {
				out[cur] = []string{}
			}
		case f[0] == "auto":
		case cur != "lo":
			out[cur] = append(out[cur], strings.Join(f, " "))
		}
	}
	return out
}
