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

// AWS serves a saved AWS document (see imds: paths below /latest/ mapped
// to bodies) as EC2's IMDS does: PUT /latest/api/token with a TTL header
// issues a token, every GET needs it when requireToken is set (401
// otherwise), a path ending in '/' lists its children, absent keys are
// 404, other methods 405.
type AWS struct {
	doc          map[string]any
	requireToken bool
	mu           sync.Mutex
	tokens       map[string]bool
	issued       int
}

// NewAWS returns the handler for a decoded saved document.
func NewAWS(doc map[string]any, requireToken bool) *AWS {
	return &AWS{doc: doc, requireToken: requireToken, tokens: map[string]bool{}}
}

// ExpireTokens invalidates every token issued so far, as their TTL ending
// would.
func (a *AWS) ExpireTokens() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens = map[string]bool{}
}

// TokensIssued returns how many tokens were issued.
func (a *AWS) TokensIssued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.issued
}

func (a *AWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/latest/api/token" {
		if r.Method != http.MethodPut {
			http.Error(w, "", http.StatusMethodNotAllowed)
			return
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
		if err != nil || ttl < 1 || ttl > 21600 {
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.issued++
		token := fmt.Sprintf("token-%d", a.issued)
		a.tokens[token] = true
		a.mu.Unlock()
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", strconv.Itoa(ttl))
		fmt.Fprint(w, token)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	token := r.Header.Get("X-aws-ec2-metadata-token")
	a.mu.Lock()
	valid := a.tokens[token]
	a.mu.Unlock()
	if (a.requireToken && !valid) || (token != "" && !valid) {
		http.Error(w, "", http.StatusUnauthorized)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/latest/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if v, ok := a.doc[path]; ok {
		writeAWS(w, v)
		return
	}
	if path == "" || strings.HasSuffix(path, "/") {
		var children []string
		for k := range a.doc {
			if rest, ok := strings.CutPrefix(k, path); ok && rest != "" {
				child, _, dir := strings.Cut(rest, "/")
				if dir {
					child += "/"
				}
				if !slices.Contains(children, child) {
					children = append(children, child)
				}
			}
		}
		if len(children) > 0 {
			slices.Sort(children)
			fmt.Fprint(w, strings.Join(children, "\n"))
			return
		}
	}
	http.NotFound(w, r)
}

func writeAWS(w http.ResponseWriter, v any) {
	switch t := v.(type) {
	case string:
		fmt.Fprint(w, t)
	case []any:
		lines := make([]string, len(t))
		for i, e := range t {
			lines[i] = fmt.Sprint(e)
		}
		fmt.Fprint(w, strings.Join(lines, "\n"))
	default:
		json.NewEncoder(w).Encode(t)
	}
}
