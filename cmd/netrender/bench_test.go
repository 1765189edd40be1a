package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// benchState is the Equinix bond of the golden scenarios: one host.
const benchState = `interfaces:
- {name: eth0, type: ethernet, state: up}
- {name: eth1, type: ethernet, state: up}
- name: bond0
  type: bond
  state: up
  link-aggregation:
    mode: 802.3ad
    port: [eth0, eth1]
    options: {miimon: 100, updelay: 200, downdelay: 200, lacp_rate: fast, xmit_hash_policy: layer3+4}
  ipv4:
    enabled: true
    dhcp: false
    address: [{ip: 147.75.65.225, prefix-length: 31}, {ip: 10.70.114.129, prefix-length: 31}]
  ipv6:
    enabled: true
    dhcp: false
    autoconf: false
    address: [{ip: '2604:1380:4641:c500::1', prefix-length: 127}]
routes:
  config:
  - {destination: 0.0.0.0/0, next-hop-address: 147.75.65.224, next-hop-interface: bond0}
  - {destination: '::/0', next-hop-address: '2604:1380:4641:c500::', next-hop-interface: bond0}
  - {destination: 10.0.0.0/8, next-hop-address: 10.70.114.128, next-hop-interface: bond0}
dns-resolver:
  config: {server: [147.75.207.207, 147.75.207.208]}
`

// benchNetplan is the same network for cloud-init, as netplan v2.
const benchNetplan = `network:
  version: 2
  ethernets:
    eth0: {}
    eth1: {}
  bonds:
    bond0:
      interfaces: [eth0, eth1]
      parameters:
        mode: 802.3ad
        mii-monitor-interval: 100
        up-delay: 200
        down-delay: 200
        lacp-rate: fast
        transmit-hash-policy: layer3+4
      addresses: [147.75.65.225/31, 10.70.114.129/31, "2604:1380:4641:c500::1/127"]
      routes:
      - {to: 0.0.0.0/0, via: 147.75.65.224}
      - {to: "::/0", via: "2604:1380:4641:c500::"}
      - {to: 10.0.0.0/8, via: 10.70.114.128}
      nameservers:
        addresses: [147.75.207.207, 147.75.207.208]
`

// BenchmarkProcess times whole netrender processes rendering one host for
// Debian (ifupdown), printing the file set (ms/netrender) and writing it
// into a root directory, each file synced and renamed (ms/netrender-root).
// In the same loop, so that both see the same machine, it times the floor
// under them: a Go program that does nothing (ms/go-empty) and one that
// links what netrender links and does nothing (ms/go-deps, see
// testdata/floor). Then it runs the peer, cloud-init's `devel net-convert`
// (Debian's cloud-init 22.4), on the same network for the same
// distribution, and reports its time and how many times faster
// netrender's root run is (x-faster). The binaries are built as `make
// build` builds them.
func BenchmarkProcess(b *testing.B) {
	dir := b.TempDir()
	build := func(name, pkg string) string {
		bin := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
		return bin
	}
	bin := build("netrender", ".")
	empty := build("empty", "./testdata/floor/empty")
	deps := build("deps", "./testdata/floor/deps")
	state := filepath.Join(dir, "state.yaml")
	netplan := filepath.Join(dir, "netplan.yaml")
	os.WriteFile(state, []byte(benchState), 0o644)
	os.WriteFile(netplan, []byte(benchNetplan), 0o644)
	root := filepath.Join(dir, "root")
	os.Mkdir(root, 0o755)
	run := func(name string, args ...string) time.Duration {
		start := time.Now()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, out)
		}
		return time.Since(start)
	}
	var stdout, rooted, floorEmpty, floorDeps time.Duration
	for b.Loop() {
		floorEmpty += run(empty)
		floorDeps += run(deps)
		stdout += run(bin, "--os", "debian-12", state)
		rooted += run(bin, "--os", "debian-12", "--root", root, state)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(stdout), "ms/netrender")
	b.ReportMetric(ms(rooted), "ms/netrender-root")
	b.ReportMetric(ms(floorEmpty), "ms/go-empty")
	b.ReportMetric(ms(floorDeps), "ms/go-deps")
	cloudInit, err := exec.LookPath("cloud-init")
	if err != nil {
		b.Log("cloud-init is not installed: no peer figure")
		return
	}
	const peerRuns = 3
	var peer time.Duration
	for range peerRuns {
		peer += run(cloudInit, "devel", "net-convert", "-p", netplan, "-k", "yaml", "-d", filepath.Join(dir, "ci"), "-D", "debian", "-O", "eni")
	}
	peerMS := float64(peer.Microseconds()) / 1000 / peerRuns
	b.ReportMetric(peerMS, "ms/cloud-init")
	b.ReportMetric(peerMS/ms(rooted), "x-faster")
}
