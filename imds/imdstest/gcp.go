package imdstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
)

// GCP serves a saved recursive document ({instance, project, …}, camelCase
// keys) as Compute Engine's metadata server does below
// /computeMetadata/v1/: every request needs the header Metadata-Flavor:
// Google (403 otherwise) and every answer carries it; a directory (a map,
// or a list of maps) ends in '/' (301 to that path otherwise) and answers
// its JSON with ?recursive=true, else its children one per line in
// kebab-case (network-interfaces/); a leaf answers its value as text, or
// as JSON with ?alt=json; absent paths are 404, methods other than GET
// 405. A GCP is safe for concurrent use.
type GCP struct {
	doc      map[string]any
	noFlavor atomic.Bool
}

// NewGCP returns the handler for a decoded saved document.
func NewGCP(doc map[string]any) *GCP {
	return &GCP{doc: doc}
}

// OmitFlavor makes the answers lack Metadata-Flavor: Google, as those of
// a server that only pretends to be Google's.
func (g *GCP) OmitFlavor() { g.noFlavor.Store(true) }

func (g *GCP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.noFlavor.Load() {
		w.Header().Set("Metadata-Flavor", "Google")
	}
	if r.Method != http.MethodGet {
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Your client does not have permission to get URL "+r.URL.Path+
			" from this server. Missing Metadata-Flavor:Google header.", http.StatusForbidden)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/computeMetadata/v1/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	var node any = g.doc
	segs := strings.Split(rest, "/")
	dirPath := segs[len(segs)-1] == ""
	for _, seg := range segs {
		if seg == "" {
			continue
		}
		if node, ok = gcpChild(node, seg); !ok {
			http.NotFound(w, r)
			return
		}
	}
	q := r.URL.Query()
	isDir := gcpIsDir(node)
	switch {
	case isDir && !dirPath:
		u := *r.URL
		u.Path += "/"
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	case !isDir && dirPath && rest != "":
		http.NotFound(w, r)
	case isDir && q.Get("recursive") == "true", !isDir && q.Get("alt") == "json",
		!isDir && !gcpScalar(node):
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(node)
	case isDir:
		w.Header().Set("Content-Type", "application/text")
		var names []string
		switch t := node.(type) {
		case map[string]any:
			for k, v := range t {
				names = append(names, gcpKebab(k)+gcpSlash(v))
			}
		case []any:
			for i, v := range t {
				names = append(names, strconv.Itoa(i)+gcpSlash(v))
			}
		}
		slices.Sort(names)
		fmt.Fprint(w, strings.Join(names, "\n")+"\n")
	default:
		w.Header().Set("Content-Type", "application/text")
		s, _ := jdLeafText(node)
		fmt.Fprint(w, s)
	}
}

// gcpChild finds a path segment: a key as it is (attributes), or the
// camelCase key whose kebab-case form it is, or a list index.
func gcpChild(node any, seg string) (any, bool) {
	if v, ok := jdChild(node, seg); ok {
		return v, true
	}
	if m, ok := node.(map[string]any); ok {
		for k, v := range m {
			if gcpKebab(k) == seg {
				return v, true
			}
		}
	}
	return nil, false
}

// gcpIsDir reports whether a node is a directory: a map, or a list that
// holds one.
func gcpIsDir(node any) bool {
	switch t := node.(type) {
	case map[string]any:
		return true
	case []any:
		for _, e := range t {
			if _, ok := e.(map[string]any); ok {
				return true
			}
		}
	}
	return false
}

// gcpSlash is "/" for a directory.
func gcpSlash(node any) string {
	if gcpIsDir(node) {
		return "/"
	}
	return ""
}

func gcpScalar(node any) bool {
	switch node.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// gcpKebab turns networkInterfaces into network-interfaces.
func gcpKebab(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('-')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
