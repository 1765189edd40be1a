package imdstest

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// OpenStack serves a config-drive tree (openstack/<version>/<file>) as
// Nova's metadata service does: GET /openstack lists the versions,
// GET /openstack/<version> lists its files, GET /openstack/<version>/<file>
// is the file; absent paths are 404, other methods 405. It reads nothing
// from disk after NewOpenStack.
type OpenStack struct {
	versions map[string]map[string][]byte
}

// NewOpenStack loads a config drive's openstack/ tree from root, the
// directory holding openstack/.
func NewOpenStack(root string) (*OpenStack, error) {
	dir := filepath.Join(root, "openstack")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	o := &OpenStack{versions: map[string]map[string][]byte{}}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files := map[string][]byte{}
		err := filepath.WalkDir(filepath.Join(dir, e.Name()), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(dir, e.Name()), path)
			files[filepath.ToSlash(rel)] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
		o.versions[e.Name()] = files
	}
	return o, nil
}

// Remove drops a file from every version, as an old cloud that lacks it.
func (o *OpenStack) Remove(file string) {
	for _, files := range o.versions {
		delete(files, file)
	}
}

func (o *OpenStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(r.URL.Path, "/"), "/openstack")
	if !ok || (rest != "" && rest[0] != '/') {
		http.NotFound(w, r)
		return
	}
	rest = strings.TrimPrefix(rest, "/")
	if rest == "" {
		var names []string
		for v := range o.versions {
			names = append(names, v)
		}
		slices.Sort(names) // dated versions, then latest
		fmt.Fprint(w, strings.Join(names, "\n"))
		return
	}
	version, file, _ := strings.Cut(rest, "/")
	files, ok := o.versions[version]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if file == "" {
		var names []string
		for f := range files {
			names = append(names, strings.Split(f, "/")[0])
		}
		slices.Sort(names)
		fmt.Fprint(w, strings.Join(slices.Compact(names), "\n"))
		return
	}
	b, ok := files[file]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(file, ".json") {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	}
	w.Write(b)
}

// OpenStackSaved builds the saved document imds reads from a config drive
// root: the meta_data.json and network_data.json of the newest dated
// version that has network_data.json, else of latest.
func OpenStackSaved(root string) ([]byte, error) {
	dir := filepath.Join(root, "openstack")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var dated []string
	for _, e := range entries {
		if e.Name() != "latest" && e.IsDir() {
			dated = append(dated, e.Name())
		}
	}
	slices.Sort(dated)
	version := "latest"
	for _, v := range slices.Backward(dated) {
		if _, err := os.Stat(filepath.Join(dir, v, "network_data.json")); err == nil {
			version = v
			break
		}
	}
	doc := map[string]any{}
	for key, file := range map[string]string{"meta_data": "meta_data.json", "network_data": "network_data.json"} {
		b, err := os.ReadFile(filepath.Join(dir, version, file))
		if err != nil {
			if key == "network_data" && os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		v, err := nmstate.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		doc[key] = v
	}
	return nmstate.MarshalJSON(doc)
}

func loadOpenStack(c *Case, data string) error {
	saved, err := OpenStackSaved(data)
	if err != nil {
		return err
	}
	if _, err := NewOpenStack(data); err != nil {
		return err
	}
	c.Saved = saved
	c.ConfigDrive = data
	c.Handler = func() http.Handler {
		h, _ := NewOpenStack(data)
		return h
	}
	return nil
}
