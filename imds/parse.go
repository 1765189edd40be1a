package imds

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// ParseMAC reads a 48-bit MAC address written with colons, dashes or no
// separators (Azure's 000D3A047598), in either case, and returns it lower
// case with colons.
func ParseMAC(s string) (string, error) {
	hexDigits := strings.NewReplacer(":", "", "-", "").Replace(strings.TrimSpace(s))
	if len(hexDigits) != 12 || (len(s) != 12 && len(s) != 17) {
		return "", fmt.Errorf("%q is not a MAC address", s)
	}
	b, err := hex.DecodeString(hexDigits)
	if err != nil {
		return "", fmt.Errorf("%q is not a MAC address", s)
	}
	if len(s) == 17 {
		for i := 2; i < 17; i += 3 {
			if s[i] != ':' && s[i] != '-' {
				return "", fmt.Errorf("%q is not a MAC address", s)
			}
		}
	}
	out := make([]string, 6)
	for i, x := range b {
		out[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(out, ":"), nil
}

// ParseAddr reads an IP address without a zone. IPv4-mapped IPv6
// addresses are refused: they are never what metadata means.
func ParseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" || a.Is4In6() {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	return a, nil
}

// ParsePrefix reads an address with a prefix length (10.0.0.5/24), keeping
// the address's host bits.
func ParsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || p.Addr().Zone() != "" || p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%q is not an address with a prefix length", s)
	}
	return p, nil
}

// ParseNetwork reads a network in CIDR form and returns it masked.
func ParseNetwork(s string) (netip.Prefix, error) {
	p, err := ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a network in CIDR form", s)
	}
	return p.Masked(), nil
}

// PrefixLen reads a prefix length for the family of addr given as a
// number ("24"), a dotted IPv4 netmask (255.255.255.0) or an IPv6 mask
// (ffff:ffff:ffff:ffff::). A mask must be contiguous.
func PrefixLen(addr netip.Addr, mask string) (int, error) {
	mask = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(mask), "/"))
	maxBits := addr.BitLen()
	if n, err := strconv.Atoi(mask); err == nil {
		if n < 0 || n > maxBits {
			return 0, fmt.Errorf("prefix length %d is out of range for %s", n, addr)
		}
		return n, nil
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || m.BitLen() != maxBits || m.Zone() != "" {
		return 0, fmt.Errorf("%q is not a netmask for %s", mask, addr)
	}
	ones, done := 0, false
	for _, x := range m.AsSlice() {
		switch {
		case done && x != 0:
			return 0, fmt.Errorf("%q is not a contiguous netmask", mask)
		case done:
		case x == 0xff:
			ones += 8
		default:
			n := bits.LeadingZeros8(^x)
			if x<<n != 0 {
				return 0, fmt.Errorf("%q is not a contiguous netmask", mask)
			}
			ones += n
			done = true
		}
	}
	return ones, nil
}

// HostPrefix returns addr with the prefix length of mask (see PrefixLen).
func HostPrefix(addr netip.Addr, mask string) (netip.Prefix, error) {
	n, err := PrefixLen(addr, mask)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(addr, n), nil
}

// FirstHost returns the first host address of a network (the network
// address + 1), where AWS and Azure put the subnet's router.
func FirstHost(p netip.Prefix) netip.Addr {
	return p.Masked().Addr().Next()
}
