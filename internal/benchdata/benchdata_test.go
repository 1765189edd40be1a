package benchdata

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netplumb/netplumb/nmstate"
)

func TestState(t *testing.T) {
	t.Parallel()
	s := State(30, 50, 5, 4)
	if d := cmp.Diff(s, State(30, 50, 5, 4)); d != "" {
		t.Fatalf("State is not deterministic (-first +second):\n%s", d)
	}
	ifaces := s["interfaces"].([]any)
	if len(ifaces) != 30 {
		t.Errorf("%d interfaces, want 30", len(ifaces))
	}
	if name := ifaces[0].(map[string]any)["name"]; name != "eth0" {
		t.Errorf("first interface %v, want eth0", name)
	}
	bridges := 0
	for _, i := range ifaces {
		if i.(map[string]any)["type"] == "linux-bridge" {
			bridges++
		}
	}
	if bridges != 3 {
		t.Errorf("%d bridges, want 3", bridges)
	}
	routes := s["routes"].(map[string]any)
	running := routes["running"].([]any)
	if len(running) != 50 || len(routes["config"].([]any)) != 5 {
		t.Errorf("%d running and %d config routes, want 50 and 5", len(running), len(routes["config"].([]any)))
	}
	want := map[string]any{
		"destination":        "0.0.0.0/0",
		"metric":             int64(100),
		"next-hop-address":   "10.0.0.254",
		"next-hop-interface": "eth0",
		"table-id":           int64(254),
	}
	if d := cmp.Diff(want, running[0]); d != "" {
		t.Errorf("default route (-want +got):\n%s", d)
	}
	if n := len(s["route-rules"].(map[string]any)["config"].([]any)); n != 4 {
		t.Errorf("%d route rules, want 4", n)
	}
}

func TestYAMLAndJSON(t *testing.T) {
	t.Parallel()
	want := State(25, 40, 6, 3)
	for name, data := range map[string][]byte{"YAML": YAML(25, 40, 6, 3), "JSON": JSON(25, 40, 6, 3)} {
		got, err := nmstate.Decode(data)
		if err != nil {
			t.Fatalf("Decode(%s): %v", name, err)
		}
		if d := cmp.Diff(any(want), got); d != "" {
			t.Errorf("Decode(%s) (-want +got):\n%s", name, d)
		}
	}
	if !bytes.HasPrefix(YAML(1, 1, 0, 0), []byte("dns-resolver:\n  config:\n")) {
		t.Errorf("YAML does not start in nmstatectl's block style:\n%s", YAML(1, 1, 0, 0))
	}
}

func TestLargeSize(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 13 MiB")
	}
	t.Parallel()
	n := len(YAML(2000, 100000, 1000, 500))
	if mib := float64(n) / (1 << 20); mib < 12.5 || mib > 14.5 {
		t.Errorf("the large state is %.1f MiB of YAML, want about 13", mib)
	}
}
