package imdstest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// Hetzner serves a saved Hetzner Cloud document ({"metadata": …,
// "private-networks": …, "userdata": …}) as Hetzner's metadata service
// does, in YAML: GET /hetzner/v1/metadata the metadata,
// /hetzner/v1/metadata/private-networks the list of private networks,
// /hetzner/v1/metadata/<key> one key of the metadata (a scalar as plain
// text), /hetzner/v1/userdata the user data; other paths are 404 and other
// methods 405. Like the real service it writes scalars plain where YAML
// allows, so MAC addresses of digits and colons come unquoted. The real
// service needs no header. A Hetzner is safe for concurrent use.
type Hetzner struct {
	files map[string][]byte
}

// NewHetzner returns the handler for a decoded saved document.
func NewHetzner(doc map[string]any) *Hetzner {
	h := &Hetzner{files: map[string][]byte{}}
	md, _ := doc["metadata"].(map[string]any)
	h.files["/hetzner/v1/metadata"] = HetznerYAML(md)
	for k, v := range md {
		switch v.(type) {
		case map[string]any, []any:
			h.files["/hetzner/v1/metadata/"+k] = HetznerYAML(v)
		case nil:
			h.files["/hetzner/v1/metadata/"+k] = nil
		default:
			h.files["/hetzner/v1/metadata/"+k] = []byte(fmt.Sprint(v))
		}
	}
	private, _ := doc["private-networks"].([]any)
	h.files["/hetzner/v1/metadata/private-networks"] = HetznerYAML(private)
	userdata, _ := doc["userdata"].(string)
	h.files["/hetzner/v1/userdata"] = []byte(userdata)
	return h
}

func (h *Hetzner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := h.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(body)
}

// HetznerYAML writes a model tree (see nmstate.Decode) as block-style
// YAML the way Hetzner's service does: map keys sorted, strings plain
// unless YAML 1.2 would read them as something else (then double-quoted),
// empty collections as [] and {}.
func HetznerYAML(v any) []byte {
	var b strings.Builder
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			return []byte("{}\n")
		}
		yamlMap(&b, t, 0, false)
	case []any:
		if len(t) == 0 {
			return []byte("[]\n")
		}
		yamlList(&b, t, 0)
	default:
		b.WriteString(yamlScalar(v) + "\n")
	}
	return []byte(b.String())
}

// yamlMap writes a map's keys at indent; with inline, the first key
// follows a "- " already written.
func yamlMap(b *strings.Builder, m map[string]any, indent int, inline bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 || !inline {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(yamlScalar(k) + ":")
		yamlValue(b, m[k], indent+2)
	}
}

func yamlList(b *strings.Builder, l []any, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, e := range l {
		b.WriteString(pad + "-")
		if t, ok := e.(map[string]any); ok && len(t) > 0 {
			b.WriteString(" ")
			yamlMap(b, t, indent+2, true)
			continue
		}
		yamlValue(b, e, indent+2)
	}
}

// yamlValue writes what follows "key:" or "-".
func yamlValue(b *strings.Builder, v any, indent int) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteString("\n")
		yamlMap(b, t, indent, false)
	case []any:
		if len(t) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		yamlList(b, t, indent)
	default:
		b.WriteString(" " + yamlScalar(v) + "\n")
	}
}

func yamlScalar(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case uint64:
		return strconv.FormatUint(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	case string:
		if plainString(t) {
			return t
		}
		return strconv.Quote(t)
	}
	return strconv.Quote(fmt.Sprint(v))
}

// plainString reports whether s reads back as the same string when
// written plain.
func plainString(s string) bool {
	if s == "" || strings.ContainsAny(s, "\n\r\t\"'\\#{}[],&*!|>%@`") {
		return false
	}
	v, err := nmstate.Decode([]byte("k: " + s + "\n"))
	m, _ := v.(map[string]any)
	return err == nil && len(m) == 1 && m["k"] == s
}
