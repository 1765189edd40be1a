package imdstest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	"github.com/netplumb/netplumb/nmstate"
)

// Case is one fixture directory: a provider's data, a fake sysfs and the
// expected results (see shared/fixtures/imds/README.md).
type Case struct {
	Dir      string
	Name     string // provider/case
	Provider string
	// RequireToken: AWS requires IMDSv2, Oracle has IMDSv1 disabled.
	RequireToken bool
	// Detect: the DMI strings of the fake sysfs tell the provider.
	Detect bool
	// Sysfs is the fake sysfs root.
	Sysfs string
	// Saved is the saved document imds's Parse reads (what
	// --metadata-file takes).
	Saved []byte
	// Handler returns a fresh fake service for the case; nil for VMware.
	Handler func() http.Handler
	// GuestInfo holds VMware's guestinfo keys.
	GuestInfo map[string]string
	// ConfigDrive is OpenStack's config drive directory, if any.
	ConfigDrive string
}

// CaseDirs lists the case directories under root (root/<provider>/<case>
// holding a case.yaml), sorted.
func CaseDirs(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "*", "*", "case.yaml"))
	if err != nil {
		return nil, err
	}
	dirs := make([]string, len(files))
	for i, f := range files {
		dirs[i] = filepath.Dir(f)
	}
	slices.Sort(dirs)
	return dirs, nil
}

// Load reads a case directory.
func Load(dir string) (*Case, error) {
	b, err := os.ReadFile(filepath.Join(dir, "case.yaml"))
	if err != nil {
		return nil, err
	}
	v, err := nmstate.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s/case.yaml: %w", dir, err)
	}
	meta, _ := v.(map[string]any)
	c := &Case{
		Dir:      dir,
		Name:     filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir),
		Sysfs:    filepath.Join(dir, "sys"),
		Provider: fmt.Sprint(meta["provider"]),
	}
	c.RequireToken, _ = meta["require_token"].(bool)
	c.Detect, _ = meta["detect"].(bool)
	data, _ := meta["data"].(string)
	load := map[string]func(*Case, string) error{
		"aws":          serveJSON(func(c *Case, doc map[string]any, _ []byte) http.Handler { return NewAWS(doc, c.RequireToken) }),
		"azure":        serveJSON(func(_ *Case, doc map[string]any, _ []byte) http.Handler { return NewAzure(doc) }),
		"gcp":          serveJSON(func(_ *Case, doc map[string]any, _ []byte) http.Handler { return NewGCP(doc) }),
		"equinix":      serveJSON(func(_ *Case, _ map[string]any, raw []byte) http.Handler { return NewEquinix(raw) }),
		"digitalocean": serveJSON(func(_ *Case, doc map[string]any, raw []byte) http.Handler { return NewDigitalOcean(doc, raw) }),
		"oracle":       serveJSON(func(c *Case, doc map[string]any, _ []byte) http.Handler { return NewOracle(doc, c.RequireToken) }),
		"hetzner":      serveJSON(func(_ *Case, doc map[string]any, _ []byte) http.Handler { return NewHetzner(doc) }),
		"openstack":    loadOpenStack, "vmware": loadVMware,
	}[c.Provider]
	if load == nil {
		return nil, fmt.Errorf("%s: unknown provider %q", dir, c.Provider)
	}
	if err := load(c, filepath.Join(dir, data)); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return c, nil
}

// jsonMap reads a JSON (or YAML) file holding a map.
func jsonMap(path string) (map[string]any, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	v, err := nmstate.Decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s: not a map", path)
	}
	return m, b, nil
}

// serveJSON loads a case whose data is a JSON (or YAML) map: the saved
// document as it is, served by the fake that fake returns.
func serveJSON(fake func(c *Case, doc map[string]any, raw []byte) http.Handler) func(*Case, string) error {
	return func(c *Case, data string) error {
		doc, raw, err := jsonMap(data)
		if err != nil {
			return err
		}
		c.Saved = raw
		c.Handler = func() http.Handler { return fake(c, doc, raw) }
		return nil
	}
}
