package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// osRule maps a distribution, from a version on, to a renderer.
type osRule struct {
	from     []int // the first version the rule applies to; nil: all
	renderer string
}

// osTable is what each distribution ships, newest rule last. Versions
// below the first rule's use the first rule. Sources: Ubuntu moved to
// netplan in 17.10 (18.04 LTS); Debian ships ifupdown in every release;
// Alpine ifupdown-ng since 3.13 (its syntax is ifupdown's); RHEL and its
// rebuilds read ifcfg network-scripts up to 8 and keyfiles from 9 (ifcfg
// is deprecated there); Fedora uses keyfiles from 33; Flatcar, Fedora
// CoreOS-like Container Linux and Arch use systemd-networkd; openSUSE
// Tumbleweed and Leap 16 use NetworkManager keyfiles.
var osTable = map[string][]osRule{
	"ubuntu":     {{nil, "ifupdown"}, {[]int{17, 10}, "netplan"}},
	"debian":     {{nil, "ifupdown"}},
	"alpine":     {{nil, "ifupdown-ng"}},
	"centos":     {{nil, "ifcfg"}, {[]int{9}, "keyfile"}},
	"rhel":       {{nil, "ifcfg"}, {[]int{9}, "keyfile"}},
	"rocky":      {{nil, "ifcfg"}, {[]int{9}, "keyfile"}},
	"alma":       {{nil, "ifcfg"}, {[]int{9}, "keyfile"}},
	"oracle":     {{nil, "ifcfg"}, {[]int{9}, "keyfile"}},
	"scientific": {{nil, "ifcfg"}},
	"fedora":     {{nil, "ifcfg"}, {[]int{33}, "keyfile"}},
	"flatcar":    {{nil, "networkd"}},
	"arch":       {{nil, "networkd"}},
	"opensuse":   {{nil, "keyfile"}},
}

// osAliases are other names the distributions go by.
var osAliases = map[string]string{
	"almalinux": "alma", "rockylinux": "rocky", "oraclelinux": "oracle", "ol": "oracle",
	"redhat": "rhel", "centos-stream": "centos", "archlinux": "arch", "flatcar-linux": "flatcar",
	"opensuse-tumbleweed": "opensuse", "opensuse-leap": "opensuse",
}

// OSNames returns the distribution names --os knows, sorted.
func OSNames() []string {
	var names []string
	for n := range osTable {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ForOS returns the renderer a distribution ships: os is NAME or
// NAME-VERSION (ubuntu-22.04, centos-7, rhel-9.2); without a version the
// newest rule applies. An unknown name is an error listing the known
// ones; a version that is not dotted numbers is an error.
func ForOS(os string) (Renderer, error) {
	name, version := strings.ToLower(os), ""
	if _, ok := osTable[name]; !ok && osAliases[name] == "" {
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name, version = name[:i], name[i+1:]
		}
	}
	if a, ok := osAliases[name]; ok {
		name = a
	}
	rules, ok := osTable[name]
	if !ok {
		return nil, fmt.Errorf("unknown OS %q (known: %s)", os, strings.Join(OSNames(), ", "))
	}
	rule := rules[len(rules)-1]
	if version != "" {
		v, err := parseVersion(version)
		if err != nil {
			return nil, fmt.Errorf("--os %s: %w", os, err)
		}
		rule = rules[0]
		for _, r := range rules[1:] {
			if compareVersions(v, r.from) >= 0 {
				rule = r
			}
		}
	}
	return LookupRenderer(rule.renderer)
}

func parseVersion(s string) ([]int, error) {
	var v []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("version %q is not dotted numbers", s)
		}
		v = append(v, n)
	}
	return v, nil
}

func compareVersions(a, b []int) int {
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x - y
		}
	}
	return 0
}
