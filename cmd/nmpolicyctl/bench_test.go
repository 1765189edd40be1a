package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/netplumb/netplumb/internal/benchdata"
)

const benchPolicyYAML = `capture:
  default-gw: routes.running.destination=="0.0.0.0/0"
  base-iface: interfaces.name==capture.default-gw.routes.running.0.next-hop-interface
  base-iface-routes: routes.running.next-hop-interface==capture.default-gw.routes.running.0.next-hop-interface
  bridge-routes: capture.base-iface-routes | routes.running.next-hop-interface:="br1"
desiredState:
  interfaces:
  - name: br1
    type: linux-bridge
    state: up
    mac-address: "{{ capture.base-iface.interfaces.0.mac-address }}"
    ipv4: "{{ capture.base-iface.interfaces.0.ipv4 }}"
    bridge:
      options:
        stp:
          enabled: false
      port:
      - name: "{{ capture.base-iface.interfaces.0.name }}"
  routes:
    config: "{{ capture.bridge-routes.routes.running }}"
`

// BenchmarkProcessGen runs the real nmpolicyctl binary, as a pipeline
// does, on a current state of 2,000 interfaces, 100,000 running routes,
// 1,000 config routes and 500 rules (about 13 MiB of YAML) read from
// stdin, and reports the wall time per run and the peak RSS of the
// process. The budget is 1.0 s and 200 MiB (the original: 4.9 s, 431 MiB).
func BenchmarkProcessGen(b *testing.B) {
	for _, format := range []string{"yaml", "json"} {
		b.Run(format, func(b *testing.B) {
			dir := b.TempDir()
			bin := filepath.Join(dir, "nmpolicyctl")
			build := exec.Command("go", "build", "-o", bin, ".")
			if out, err := build.CombinedOutput(); err != nil {
				b.Fatalf("go build: %v\n%s", err, out)
			}
			state := benchdata.YAML(2000, 100000, 1000, 500)
			if format == "json" {
				state = benchdata.JSON(2000, 100000, 1000, 500)
			}
			stateFile := filepath.Join(dir, "current."+format)
			policy := filepath.Join(dir, "policy.yaml")
			if err := os.WriteFile(stateFile, state, 0o644); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(policy, []byte(benchPolicyYAML), 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(state)))
			var peak int64
			var wall time.Duration
			b.ResetTimer()
			for b.Loop() {
				in, err := os.Open(stateFile)
				if err != nil {
					b.Fatal(err)
				}
				cmd := exec.Command(bin, "gen", policy, "-c", filepath.Join(dir, "cache.yaml"))
				cmd.Stdin = in
				start := time.Now()
				out, err := cmd.Output()
				wall += time.Since(start)
				in.Close()
				if err != nil {
					b.Fatalf("nmpolicyctl: %v", err)
				}
				if len(out) == 0 {
					b.Fatal("no output")
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, ru.Maxrss) // KiB on Linux
				}
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
			b.ReportMetric(wall.Seconds()/float64(b.N), "s/run")
		})
	}
}
