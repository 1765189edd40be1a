package imdstest

import (
	"fmt"
	"net/http"
	"strings"
)

// DigitalOcean serves a saved droplet document as DigitalOcean's metadata
// service does: GET /metadata/v1.json answers the whole document as JSON,
// and the plain-text keys GET /metadata/v1/id, /hostname and /region
// single values; other paths are 404 and other methods 405. The real
// service needs no header. A DigitalOcean is safe for concurrent use.
type DigitalOcean struct {
	doc  []byte
	text map[string]string
}

// NewDigitalOcean returns the handler for a decoded saved document and its
// bytes.
func NewDigitalOcean(doc map[string]any, raw []byte) *DigitalOcean {
	d := &DigitalOcean{doc: raw, text: map[string]string{}}
	for path, key := range map[string]string{"id": "droplet_id", "hostname": "hostname", "region": "region"} {
		if v, ok := doc[key]; ok && v != nil {
			d.text[path] = fmt.Sprint(v)
		}
	}
	return d
}

func (d *DigitalOcean) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body string
	if r.URL.Path == "/metadata/v1.json" {
		body = string(d.doc)
		w.Header().Set("Content-Type", "application/json")
	} else if key, ok := strings.CutPrefix(r.URL.Path, "/metadata/v1/"); ok && d.text[key] != "" {
		body = d.text[key]
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	fmt.Fprint(w, body)
}
