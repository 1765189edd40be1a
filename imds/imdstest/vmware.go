package imdstest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func loadVMware(c *Case, data string) error {
	doc, raw, err := jsonMap(data)
	if err != nil {
		return err
	}
	keys := map[string]string{}
	for k, v := range doc {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: the value of %s is not a string", data, k)
		}
		keys[k] = s
	}
	c.Saved = raw
	c.GuestInfo = keys
	return nil
}

// WriteRPCTool writes dir/vmware-rpctool, a shell script that answers
// `vmware-rpctool "info-get <key>"` from keys as the real tool does: the
// value and a newline on stdout, or "No value found" on stderr and exit
// status 1 for a key it does not hold. It returns the script's path.
// Put dir first on PATH to have imdsctl read it.
func WriteRPCTool(dir string, keys map[string]string) (string, error) {
	var b strings.Builder
	b.WriteString("#!/bin/sh\ncase \"$1\" in\n")
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s) printf '%%s\\n' %s ;;\n", shellQuote("info-get "+k), shellQuote(keys[k]))
	}
	b.WriteString("*) echo 'No value found' >&2; exit 1 ;;\nesac\n")
	path := filepath.Join(dir, "vmware-rpctool")
	return path, os.WriteFile(path, []byte(b.String()), 0o755)
}

// shellQuote quotes s for sh: inside single quotes nothing is special.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
