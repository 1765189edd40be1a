package nmstate_test

import (
	"errors"
	"fmt"

	"github.com/netplumb/netplumb/nmstate"
)

func ExampleDecode() {
	state, err := nmstate.Decode([]byte(`interfaces:
- name: eth0
  state: up
  mtu: 1500
  ipv4:
    enabled: yes   # YAML 1.2: a string, not true
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	iface := state.(map[string]any)["interfaces"].([]any)[0].(map[string]any)
	fmt.Printf("%T %v\n", iface["mtu"], iface["mtu"])
	fmt.Printf("%T %v\n", iface["ipv4"].(map[string]any)["enabled"], iface["ipv4"].(map[string]any)["enabled"])

	_, err = nmstate.Decode([]byte("name: eth0\nname: eth1\n"))
	var se *nmstate.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Line, se.Column, se.Msg)
	}
	// Output:
	// int64 1500
	// string yes
	// 2 1 mapping key "name" already defined at line 1
}

func ExampleMarshalYAML() {
	out, err := nmstate.MarshalYAML(map[string]any{
		"routes": map[string]any{
			"config": []any{map[string]any{
				"destination":        "0.0.0.0/0",
				"next-hop-interface": "eth0",
				"metric":             int64(100),
			}},
		},
		"hostname": map[string]any{"config": "yes"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// hostname:
	//   config: "yes"
	// routes:
	//   config:
	//   - destination: 0.0.0.0/0
	//     metric: 100
	//     next-hop-interface: eth0
}

func ExampleMarshalJSON() {
	out, err := nmstate.MarshalJSON(map[string]any{
		"interfaces": []any{map[string]any{"name": "eth0", "description": "<uplink>"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// {
	//   "interfaces": [
	//     {
	//       "description": "<uplink>",
	//       "name": "eth0"
	//     }
	//   ]
	// }
}
