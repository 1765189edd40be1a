package render

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/internal/testenv"
)

// systemdNetworkd is the daemon the validation runs (Debian package
// systemd).
const systemdNetworkd = "/lib/systemd/systemd-networkd"

// systemdValidationCases returns the documents the netplan and networkd
// validations render: the shared scenarios and testdata/networkd/*.yaml.
func systemdValidationCases(t *testing.T) map[string]string {
	t.Helper()
	cases := map[string]string{}
	for _, sc := range scenarios(t) {
		cases[sc] = filepath.Join("testdata", "scenarios", sc+".yaml")
	}
	extra, err := filepath.Glob("testdata/networkd/*.yaml")
	if err != nil || len(extra) == 0 {
		t.Fatalf("no testdata/networkd/*.yaml: %v", err)
	}
	for _, f := range extra {
		cases["networkd-"+strings.TrimSuffix(filepath.Base(f), ".yaml")] = f
	}
	return cases
}

// TestNetworkdValidate runs every document the networkd renderer can
// express through systemd-networkd and udevadm.
func TestNetworkdValidate(t *testing.T) {
	for name, file := range systemdValidationCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, err := renderFile(t, file, Networkd{})
			if ue, ok := errors.AsType[*UnsupportedError](err); ok {
				t.Logf("not expressible: %v", ue)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if strings.HasPrefix(f.Path, networkdDir) && f.Mode&0o004 == 0 {
					t.Errorf("%s has mode %04o: systemd-network cannot read it", f.Path, f.Mode)
				}
			}
			networkdValidate(t, files)
		})
	}
}

// networkdDiagnostic matches what networkd and udev log about a file:
// "FILE:LINE: message" or "FILE: message".
var networkdDiagnostic = regexp.MustCompile(`\.(network|netdev|link)(:\d+)?: `)

// networkdConfiguring is the one line naming a file that is no problem.
var networkdConfiguring = regexp.MustCompile(`^[^ ]+: Configuring with /etc/systemd/network/[^ ]+\.network\.$`)

// networkdValidate checks the files under /etc/systemd/network with the
// real systemd-networkd and `udevadm test-builtin net_setup_link`, in a
// fresh mount and network namespace where tmpfs mounts hide every other
// networkd and .link file of the machine. It fails on any diagnostic
// naming a file. networkd is stopped once it has loaded its
// configuration and enumerated the namespace's links ("Enumeration
// completed"). Matching .link files against devices is not exercised:
// that needs a device with a permanent MAC address, which no virtual
// device has.
func networkdValidate(t *testing.T, files []File) {
	t.Helper()
	diags, log := networkdDiagnostics(t, files)
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	if len(diags) > 0 {
		t.Logf("whole log:\n%s", log)
	}
}

// networkdDiagnostics runs the check of networkdValidate and returns the
// lines that fail it, and the whole log.
func networkdDiagnostics(t *testing.T, files []File) (diags []string, log string) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "running systemd-networkd in a namespace needs root")
	}
	if _, err := os.Stat(systemdNetworkd); err != nil {
		testenv.SkipOrFail(t, systemdNetworkd+" is missing (Debian package systemd)")
	}
	for _, tool := range []string{"unshare", "udevadm", "mount", "cp"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.SkipOrFail(t, tool+" is missing (Debian packages util-linux, udev, coreutils)")
		}
	}
	if _, err := os.Stat("/etc/systemd/network"); err != nil {
		testenv.SkipOrFail(t, "/etc/systemd/network is missing (Debian package systemd)")
	}
	dir := t.TempDir()
	n := 0
	for _, f := range files {
		if !strings.HasPrefix(f.Path, networkdDir) {
			continue
		}
		p := filepath.Join(dir, strings.TrimPrefix(f.Path, networkdDir))
		if err := os.WriteFile(p, f.Content, f.Mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.Mode); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no file under " + networkdDir)
	}
	// Inside the namespaces: hide every directory networkd and udev read
	// .network, .netdev and .link files from, and /run/systemd where
	// networkd keeps its state; copy the files in with their modes; a
	// read-only sysfs of the new namespace for udevadm (networkd then
	// takes udev as absent and does not wait for it).
	const script = `set -e
for d in /run/systemd /etc/systemd/network /usr/lib/systemd/network /lib/systemd/network /usr/local/lib/systemd/network; do
	if [ -d "$d" ]; then mount -t tmpfs -o mode=0755 tmpfs "$d"; fi
done
cp -p "$1"/* /etc/systemd/network/
mount -t sysfs -o ro sysfs /sys
udevadm test-builtin net_setup_link /sys/class/net/lo
echo "udevadm: done"
exec /lib/systemd/systemd-networkd
`
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-m", "-n", "--propagation", "private", "--", "sh", "-c", script, "sh", dir)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_TARGET=console", "SYSTEMD_LOG_LEVEL=info", "SYSTEMD_LOG_COLOR=0")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		pw.Close()
		t.Fatal(err)
	}
	pw.Close()
	var out []string
	udevDone, enumerated := false, false
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		out = append(out, line)
		if line == "udevadm: done" {
			udevDone = true
		}
		if line == "Enumeration completed" {
			enumerated = true
			_ = cmd.Process.Kill()
		}
	}
	werr := cmd.Wait()
	log = strings.Join(out, "\n")
	if !udevDone || !enumerated {
		t.Fatalf("systemd-networkd did not finish loading (%v):\n%s", werr, log)
	}
	for _, line := range out {
		if networkdConfiguring.MatchString(line) {
			continue // a bridge networkd created matched its .network
		}
		if strings.Contains(line, networkdDir) || networkdDiagnostic.MatchString(line) {
			diags = append(diags, line)
		}
	}
	return diags, log
}

// TestNetworkdValidateCatches shows that the validation sees what
// networkd and udev refuse: an unknown key, a value networkd cannot
// parse, a reference to a missing netdev, a file systemd-network cannot
// read, and an unknown key in a .link file.
func TestNetworkdValidateCatches(t *testing.T) {
	files := []File{
		{Path: networkdDir + "30-a.network", Mode: 0o644, Content: []byte("[Match]\nName=a\n\n[Network]\nBogus=1\nDHCP=maybe\nBond=nosuch\n")},
		{Path: networkdDir + "30-b.network", Mode: 0o600, Content: []byte("[Match]\nName=b\n")},
		{Path: networkdDir + "20-c.netdev", Mode: 0o644, Content: []byte("[NetDev]\nName=c\nKind=bond\n\n[Bond]\nTransmitHashPolicy=vlan+srcmac\n")},
		{Path: networkdDir + "10-d.link", Mode: 0o644, Content: []byte("[Match]\nPermanentMACAddress=52:54:00:00:00:01\n\n[Link]\nName=d\nFoo=bar\n")},
	}
	diags, log := networkdDiagnostics(t, files)
	want := []string{
		"30-a.network:5: Unknown key",
		"30-a.network:6: Failed to parse DHCP option",
		"30-a.network: nosuch NetDev could not be found",
		"30-b.network': Permission denied",
		"20-c.netdev:6: Failed to parse bond transmit hash policy",
		"10-d.link:6: Unknown key",
	}
	for _, w := range want {
		found := false
		for _, d := range diags {
			found = found || strings.Contains(d, w)
		}
		if !found {
			t.Errorf("no diagnostic with %q in:\n%s", w, log)
		}
	}
}
