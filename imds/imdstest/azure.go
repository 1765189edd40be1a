package imdstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// azureVersions are the api-versions the Azure fake knows, oldest first,
// as IMDS lists them at /metadata/versions.
var azureVersions = []string{
	"2017-03-01", "2017-04-02", "2017-08-01", "2017-10-01", "2017-12-01", "2018-02-01",
	"2018-04-02", "2018-10-01", "2019-02-01", "2019-03-11", "2019-04-30", "2019-06-01",
	"2019-06-04", "2019-08-01", "2019-08-15", "2019-11-01", "2020-06-01", "2020-07-15",
	"2020-09-01", "2020-10-01", "2020-12-01", "2021-01-01", "2021-02-01", "2021-03-01",
	"2021-05-01", "2021-08-01", "2021-10-01", "2021-11-01", "2021-11-15", "2021-12-13",
	"2023-07-01", "2023-11-15", "2024-03-15",
}

// Azure serves a saved /metadata/instance document as Azure's IMDS does:
// every request needs the header Metadata: true and, except
// /metadata/versions, a known api-version (400 with IMDS's JSON error
// otherwise); /metadata/instance answers the document, its sub-paths
// (/metadata/instance/compute/vmSize, …/interface/0/…) the subtree as
// JSON, or a leaf bare with format=text; absent paths are 404, methods
// other than GET 405. Unavailable makes the next requests answer as IMDS
// does while it starts (404) or is being updated (410). An Azure is safe
// for concurrent use.
type Azure struct {
	doc map[string]any

	mu          sync.Mutex
	unavailable int
	code        int
}

// NewAzure returns the handler for a decoded saved document.
func NewAzure(doc map[string]any) *Azure {
	return &Azure{doc: doc}
}

// Unavailable makes the next n requests that pass the header and version
// checks answer code (404 or 410).
func (a *Azure) Unavailable(n, code int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unavailable, a.code = n, code
}

func azureError(w http.ResponseWriter, code int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

func (a *Azure) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		azureError(w, http.StatusMethodNotAllowed, map[string]any{"error": "Method not allowed"})
		return
	}
	if !strings.EqualFold(r.Header.Get("Metadata"), "true") {
		azureError(w, http.StatusBadRequest, map[string]any{"error": "Bad request. Required metadata header not specified"})
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == "/metadata/versions" {
		azureError(w, http.StatusOK, map[string]any{"apiVersions": azureVersions})
		return
	}
	q := r.URL.Query()
	if v := q.Get("api-version"); !slices.Contains(azureVersions, v) {
		msg := "Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds"
		azureError(w, http.StatusBadRequest, map[string]any{"error": msg, "newest-versions": azureVersions[len(azureVersions)-3:]})
		return
	}
	a.mu.Lock()
	code := 0
	if a.unavailable > 0 {
		a.unavailable--
		code = a.code
	}
	a.mu.Unlock()
	if code != 0 {
		azureError(w, code, map[string]any{"error": http.StatusText(code)})
		return
	}
	rest, ok := strings.CutPrefix(path, "/metadata/instance")
	if !ok || (rest != "" && rest[0] != '/') {
		azureError(w, http.StatusNotFound, map[string]any{"error": "Not found"})
		return
	}
	var node any = a.doc
	for _, seg := range strings.Split(strings.TrimPrefix(rest, "/"), "/") {
		if seg == "" {
			continue
		}
		var ok bool
		if node, ok = jdChild(node, seg); !ok {
			azureError(w, http.StatusNotFound, map[string]any{"error": "Not found"})
			return
		}
	}
	switch q.Get("format") {
	case "", "json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(node)
	case "text":
		s, ok := jdLeafText(node)
		if !ok {
			azureError(w, http.StatusBadRequest, map[string]any{"error": "Bad request. Query parameter format=text is only supported for leaf nodes"})
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, s)
	default:
		azureError(w, http.StatusBadRequest, map[string]any{"error": "Bad request. Unsupported format"})
	}
}

// jdChild returns a map's member or a list's element by its decimal index.
func jdChild(node any, seg string) (any, bool) {
	switch t := node.(type) {
	case map[string]any:
		v, ok := t[seg]
		return v, ok
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(t) || strconv.Itoa(i) != seg {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}

// jdLeafText prints a scalar as a text answer: strings bare, numbers in
// decimal.
func jdLeafText(node any) (string, bool) {
	switch t := node.(type) {
	case map[string]any, []any:
		return "", false
	case string:
		return t, true
	case nil:
		return "", true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return fmt.Sprint(node), true
}
