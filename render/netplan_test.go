package render

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// netplanYAML renders a document given as YAML text with the netplan
// renderer and returns its one file's content.
func netplanYAML(t *testing.T, doc string) string {
	t.Helper()
	files, err := systemdRender(t, doc, Netplan{})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "/etc/netplan/50-netplumb.yaml" || files[0].Mode != 0o600 {
		t.Fatalf("files %v, want /etc/netplan/50-netplumb.yaml at 0600", files)
	}
	return string(files[0].Content)
}

// TestNetplanTraps checks the known traps of netplan files.
func TestNetplanTraps(t *testing.T) {
	t.Parallel()
	t.Run("no deprecated gateway4 or gateway6", func(t *testing.T) {
		for _, sc := range scenarios(t) {
			files, err := renderScenario(t, sc, Netplan{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if c := string(f.Content); strings.Contains(c, "gateway4") || strings.Contains(c, "gateway6") {
					t.Errorf("%s: %s:\n%s", sc, f.Path, c)
				}
			}
		}
	})
	t.Run("an IPv6 default route is to: default", func(t *testing.T) {
		files, err := renderScenario(t, "static-dual-stack", Netplan{})
		if err != nil {
			t.Fatal(err)
		}
		want := "      - to: default\n        via: \"2001:db8:10::1\"\n"
		if c := string(files[0].Content); files[0].Path != netplanPath || !strings.Contains(c, want) {
			t.Errorf("%s: no %q in:\n%s", files[0].Path, want, c)
		}
	})
	t.Run("STP is on when unsaid, as in NMState", func(t *testing.T) {
		got := netplanYAML(t, "interfaces:\n- name: br0\n  type: linux-bridge\n")
		if !strings.Contains(got, "      parameters:\n        stp: true\n") {
			t.Error(got)
		}
	})
	t.Run("DHCP overrides agree when both families use DHCP", func(t *testing.T) {
		got := netplanYAML(t, "interfaces:\n- name: eth0\n  mtu: 9000\n  ipv4: {enabled: true, dhcp: true, auto-route-metric: 100}\n  ipv6: {enabled: true, dhcp: true, autoconf: true}\n")
		want := `# Written by netrender.
network:
  version: 2
  renderer: networkd
  ethernets:
    eth0:
      mtu: 9000
      dhcp4: true
      dhcp4-overrides:
        route-metric: 100
        use-mtu: false
      dhcp6: true
      dhcp6-overrides:
        route-metric: 100
        use-mtu: false
      accept-ra: true
`
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	t.Run("down interfaces are left to the administrator", func(t *testing.T) {
		got := netplanYAML(t, "interfaces:\n- name: eth0\n  state: down\n")
		if !strings.Contains(got, "    eth0:\n      activation-mode: manual\n") {
			t.Error(got)
		}
	})
}

// TestNetplanYAML reads the rendered YAML back and checks that names
// YAML would take for something else stay strings, and that each value
// is where it belongs.
func TestNetplanYAML(t *testing.T) {
	t.Parallel()
	got := netplanYAML(t, `interfaces:
- name: "null"
  description: "a: b # c"
- name: "1e3"
- name: "true"
- name: a#b
- name: "&x"
  type: bond
  link-aggregation:
    port: ["1e3", "true"]
    options: {primary: "true", miimon: 100}
- name: "~y"
  type: vlan
  mac-address: 02:00:00:00:00:07
  vlan: {base-iface: "&x", id: 7}
  ipv6:
    enabled: true
    address: [{ip: "::7", prefix-length: 64}]
routes:
  config:
  - {destination: "::/0", next-hop-address: "::1", next-hop-interface: "~y", table-id: 7}
route-rules:
  config:
  - {ip-from: "::7", route-table: 7}
`)
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	want := map[string]any{"network": map[string]any{
		"version":  2,
		"renderer": "networkd",
		"ethernets": map[string]any{
			"null": map[string]any{"accept-ra": false, "link-local": []any{}},
			"1e3":  map[string]any{},
			"true": map[string]any{},
			"a#b":  map[string]any{"accept-ra": false, "link-local": []any{}},
		},
		"bonds": map[string]any{"&x": map[string]any{
			"interfaces": []any{"1e3", "true"},
			"parameters": map[string]any{"mode": "balance-rr", "mii-monitor-interval": 100, "primary": "true"},
			"accept-ra":  false,
			"link-local": []any{},
		}},
		"vlans": map[string]any{"~y": map[string]any{
			"id":             7,
			"link":           "&x",
			"macaddress":     "02:00:00:00:00:07",
			"accept-ra":      false,
			"addresses":      []any{"::7/64"},
			"routes":         []any{map[string]any{"to": "default", "via": "::1", "table": 7}},
			"routing-policy": []any{map[string]any{"from": "::7/128", "table": 7}},
		}},
	}}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("(-want +got)\n%s\n%s", diff, got)
	}
	if !strings.Contains(got, "    # a: b # c\n    \"null\":\n") {
		t.Errorf("no description comment before null:\n%s", got)
	}
}

func TestNetplanScalar(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"eth0":              "eth0",
		"bond0.100":         "bond0.100",
		"layer3+4":          "layer3+4",
		"192.0.2.1":         "192.0.2.1",
		"10.0.0.0/8":        "10.0.0.0/8",
		"2001:db8::1":       `"2001:db8::1"`,
		"::/0":              `"::/0"`,
		"fe80::1":           `"fe80::1"`,
		"52:54:00:12:34:56": `"52:54:00:12:34:56"`,
		"1e3":               `"1e3"`,
		"0x1f":              `"0x1f"`,
		"2024-01-02":        `"2024-01-02"`,
		"null":              `"null"`,
		"Yes":               `"Yes"`,
		"off":               `"off"`,
		"-x":                `"-x"`,
		"~":                 `"~"`,
		"a#b":               `"a#b"`,
		"&a":                `"&a"`,
		"":                  `""`,
	} {
		if got := netplanScalar(in); got != want {
			t.Errorf("netplanScalar(%q) = %s, want %s", in, got, want)
		}
	}
}

func BenchmarkNetplan(b *testing.B) {
	st := systemdBenchState()
	for b.Loop() {
		if _, err := (Netplan{}).Render(st); err != nil {
			b.Fatal(err)
		}
	}
}
