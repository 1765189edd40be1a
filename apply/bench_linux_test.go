package apply

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vishvananda/netns"

	"github.com/netplumb/netplumb/apply/applytest"
)

const benchRoutes = 10_000

// benchRouteBase is the namespace the route benchmarks start from: a
// veth with an address that reaches the routes' gateway.
const benchRouteBase = "link add eth0 type veth peer name eth0p\nlink set eth0 up\nlink set eth0p up\naddress add 10.0.0.1/16 dev eth0\n"

func benchRouteState() (yaml string, batch string) {
	var y, ib strings.Builder
	y.WriteString("routes:\n  config:\n")
	for i := range benchRoutes {
		dst := fmt.Sprintf("10.%d.%d.0/24", 1+i>>8, i&255)
		table := 254
		if i%2 == 1 {
			table = 100 + i%10
		}
		fmt.Fprintf(&y, "  - destination: %s\n    next-hop-address: 10.0.0.254\n    next-hop-interface: eth0\n    metric: 100\n    table-id: %d\n", dst, table)
		fmt.Fprintf(&ib, "route add %s via 10.0.0.254 dev eth0 proto static metric 100 table %d\n", dst, table)
	}
	return y.String(), ib.String()
}

// BenchmarkApplyRoutes applies one state of 10,000 routes (two tables of
// five, a gateway each) to a fresh namespace, decoding the YAML included,
// next to `ip -batch` adding the same routes to a fresh namespace; and
// re-applies it (no-op: read, plan, nothing sent).
func BenchmarkApplyRoutes(b *testing.B) {
	doc, batch := benchRouteState()
	fresh := func(b *testing.B) (*NetlinkKernel, netns.NsHandle) {
		h, ns := applytest.NewNS(b)
		applytest.Batch(b, ns, benchRouteBase)
		return &NetlinkKernel{Handle: h, NS: ns}, ns
	}
	apply := func(b *testing.B, k Kernel) []Op {
		ops, err := Transact(context.Background(), k, parseDesired(b, doc), TxOptions{Verify: true, Rollback: true})
		if err != nil {
			b.Fatal(err)
		}
		return ops
	}
	b.Run("ip-batch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			_, ns := fresh(b)
			b.StartTimer()
			applytest.Batch(b, ns, batch)
		}
	})
	b.Run("apply", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			k, _ := fresh(b)
			b.StartTimer()
			if ops := apply(b, k); len(ops) != benchRoutes {
				b.Fatalf("%d operations, want %d", len(ops), benchRoutes)
			}
		}
	})
	b.Run("noop", func(b *testing.B) {
		k, _ := fresh(b)
		apply(b, k)
		c := &counting{Kernel: k, failAt: -1}
		for b.Loop() {
			if ops := apply(b, c); len(ops) != 0 {
				b.Fatalf("re-apply planned %d operations", len(ops))
			}
		}
		if c.writes != 0 {
			b.Fatalf("re-apply sent %d operations", c.writes)
		}
	})
}
