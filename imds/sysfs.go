package imds

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Sysfs reads what imds needs from a sysfs tree: DMI strings and the
// network links with their MACs. Root is "/sys" on a real system, or the
// --sysfs directory.
type Sysfs struct {
	Root string
}

// DMIFields are the DMI strings detection reads.
var DMIFields = []string{"sys_vendor", "product_name", "product_serial", "product_uuid",
	"chassis_asset_tag", "board_vendor", "board_asset_tag", "bios_vendor"}

// DMI returns the DMI strings under class/dmi/id, trimmed, and the Xen
// hypervisor/uuid as "hypervisor_uuid"; unreadable or missing files
// (product_uuid is root-only) are left out.
func (s Sysfs) DMI() map[string]string {
	out := make(map[string]string, len(DMIFields))
	for _, f := range DMIFields {
		b, err := os.ReadFile(filepath.Join(s.Root, "class", "dmi", "id", f))
		if err == nil {
			out[f] = strings.TrimSpace(string(b))
		}
	}
	// Xen guests (older EC2 instances) carry their UUID here.
	if b, err := os.ReadFile(filepath.Join(s.Root, "hypervisor", "uuid")); err == nil {
		out["hypervisor_uuid"] = strings.TrimSpace(string(b))
	}
	return out
}

// LocalLink is a network link of the machine.
type LocalLink struct {
	Name    string
	MAC     string // lower case with colons
	Ifindex int
	// Physical is set when the link has a device (not a bond, VLAN or
	// other virtual link).
	Physical bool
	// BondPort is set for a link enslaved to a bond; MAC is then its
	// permanent address. It names only metadata links that are bond ports.
	BondPort bool
}

// Links lists the links under class/net that a MAC can name: not lo, not
// with an all-zero MAC, and of the links enslaved to another only bond
// ports, by their permanent MAC (bonding_slave/perm_hwaddr): Azure's
// SR-IOV VFs share their master's MAC and must never be configured. A
// missing class/net is no links.
func (s Sysfs) Links() ([]LocalLink, error) {
	dir := filepath.Join(s.Root, "class", "net")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var links []LocalLink
	for _, e := range entries {
		name := e.Name()
		if name == "lo" || CheckName(name) != nil {
			continue
		}
		p := filepath.Join(dir, name)
		_, err := os.Lstat(filepath.Join(p, "master"))
		enslaved := err == nil
		addrFile := filepath.Join(p, "address")
		if enslaved {
			// A bond port shows its bond's MAC; its own is perm_hwaddr.
			// Other enslaved links (Azure's VFs) are never named by MAC.
			addrFile = filepath.Join(p, "bonding_slave", "perm_hwaddr")
		}
		b, err := os.ReadFile(addrFile)
		if err != nil {
			continue
		}
		mac, err := ParseMAC(strings.TrimSpace(string(b)))
		if err != nil || mac == "00:00:00:00:00:00" {
			continue
		}
		l := LocalLink{Name: name, MAC: mac, BondPort: enslaved}
		if b, err := os.ReadFile(filepath.Join(p, "ifindex")); err == nil {
			l.Ifindex, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		if _, err := os.Lstat(filepath.Join(p, "device")); err == nil {
			l.Physical = true
		}
		links = append(links, l)
	}
	return links, nil
}

// byMAC finds the local link with a MAC: a physical one first, then the
// lowest ifindex, then the first by name, so the choice is stable. Bond
// ports match only when port is set.
func byMAC(links []LocalLink, mac string, port bool) (LocalLink, bool) {
	var found []LocalLink
	for _, l := range links {
		if l.MAC == mac && (!l.BondPort || port) {
			found = append(found, l)
		}
	}
	if len(found) == 0 {
		return LocalLink{}, false
	}
	slices.SortStableFunc(found, func(a, b LocalLink) int {
		if a.Physical != b.Physical {
			if a.Physical {
				return -1
			}
			return 1
		}
		if a.Ifindex != b.Ifindex {
			return a.Ifindex - b.Ifindex
		}
		return strings.Compare(a.Name, b.Name)
	})
	return found[0], true
}
