package capture_test

import (
	"fmt"
	"time"

	"github.com/netplumb/netplumb/capture"
)

func ExampleGenerateState() {
	spec := capture.PolicySpec{
		Capture: map[string]string{
			"default-gw": `routes.running.destination=="0.0.0.0/0"`,
			"base-iface": `interfaces.name==capture.default-gw.routes.running.0.next-hop-interface`,
		},
		DesiredState: capture.NMState(`
interfaces:
- name: br1
  type: linux-bridge
  mac-address: "{{ capture.base-iface.interfaces.0.mac-address }}"
  bridge:
    port:
    - name: "{{ capture.base-iface.interfaces.0.name }}"
`),
	}
	current := capture.NMState(`
interfaces:
- name: eth0
  mac-address: 52:55:00:D1:55:01
- name: eth1
  mac-address: 52:55:00:D1:56:01
routes:
  running:
  - destination: 0.0.0.0/0
    next-hop-interface: eth0
`)
	clock := capture.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
	gen, err := capture.GenerateState(spec, current, capture.CachedState{}, clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(gen.DesiredState))
	fmt.Println(gen.Cache.Capture["base-iface"].MetaInfo.TimeStamp)
	// Output:
	// interfaces:
	// - bridge:
	//     port:
	//     - name: eth0
	//   mac-address: 52:55:00:D1:55:01
	//   name: br1
	//   type: linux-bridge
	// 2026-01-02 03:04:05 +0000 UTC
}

func ExampleResolve() {
	current := map[string]any{
		"interfaces": []any{
			map[string]any{"name": "eth0", "type": "ethernet", "state": "up"},
			map[string]any{"name": "eth1", "type": "ethernet", "state": "down"},
			map[string]any{"name": "lo", "type": "loopback", "state": "up"},
		},
	}
	states, err := capture.Resolve(map[string]string{
		"ethernets":    `interfaces.type=="ethernet"`,
		"ethernets-up": `capture.ethernets | interfaces.state=="up"`,
	}, current, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(states["ethernets-up"])

	_, err = capture.Resolve(map[string]string{"gw": `routes.running.destination==-"0.0.0.0/0"`}, current, nil)
	fmt.Println(err)
	// Output:
	// map[interfaces:[map[name:eth0 state:up type:ethernet]]]
	// capture "gw": 1:29: illegal rune '-'
}
