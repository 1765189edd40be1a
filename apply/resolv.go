package apply

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// readResolvConf reads the DNS servers and search domains of the
// resolv.conf at path. A missing file is no servers and no domains.
func readResolvConf(path string) (DNS, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DNS{}, nil
	}
	if err != nil {
		return DNS{}, err
	}
	return parseResolvConf(data), nil
}

// parseResolvConf reads resolv.conf as the C library's resolver does:
// `nameserver ADDR` lines in order, skipping addresses that do not parse
// (a zone, fe80::1%eth0, is kept); the last `search` or `domain` line
// gives the search domains; lines and the rest of a line from # or ; on
// are comments; other keywords are ignored.
func parseResolvConf(data []byte) DNS {
	var d DNS
	for line := range strings.Lines(string(data)) {
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 {
				continue
			}
			if a, err := netip.ParseAddr(f[1]); err == nil {
				d.Servers = append(d.Servers, a)
			}
		case "search", "domain":
			if f[0] == "domain" && len(f) > 2 {
				f = f[:2]
			}
			d.Search = nil
			if len(f) > 1 {
				d.Search = slices.Clone(f[1:])
			}
		}
	}
	return d
}
