package imdstest

import (
	"net/http"
)

// Equinix serves a saved Equinix Metal document as
// metadata.platformequinix.com does: GET /metadata answers the document
// as JSON and GET /userdata the (here empty) user data; other paths are
// 404 and other methods 405. The real service needs no header. An
// Equinix is safe for concurrent use.
type Equinix struct {
	doc []byte
}

// NewEquinix returns the handler for a saved document (the JSON of
// /metadata).
func NewEquinix(doc []byte) *Equinix {
	return &Equinix{doc: doc}
}

func (e *Equinix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	switch r.URL.Path {
	case "/metadata":
		body = e.doc
		w.Header().Set("Content-Type", "application/json")
	case "/userdata":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	w.Write(body)
}
