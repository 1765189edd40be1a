package imdstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Oracle serves a saved {"instance": …, "vnics": […]} document as OCI's
// IMDS does: /opc/v2/instance/ and /opc/v2/vnics/, and below them a key
// of the instance (/opc/v2/instance/id) or a VNIC and its keys
// (/opc/v2/vnics/0/privateIp), strings as text and the rest as JSON. v2
// needs the header Authorization: Bearer Oracle (401 otherwise). /opc/v1/
// serves the same without it, unless IMDSv1 is disabled (v1Disabled), when
// it is 404 like /openstack/. Absent paths are 404, methods other than GET
// 405. An Oracle is safe for concurrent use.
type Oracle struct {
	doc        map[string]any
	v1Disabled bool
}

// NewOracle returns the handler for a decoded saved document.
func NewOracle(doc map[string]any, v1Disabled bool) *Oracle {
	return &Oracle{doc: doc, v1Disabled: v1Disabled}
}

func oracleError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"code": http.StatusText(code), "message": msg})
}

func (o *Oracle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		oracleError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	var rest string
	if v2, ok := strings.CutPrefix(r.URL.Path, "/opc/v2/"); ok {
		if r.Header.Get("Authorization") != "Bearer Oracle" {
			oracleError(w, http.StatusUnauthorized, "the Authorization: Bearer Oracle header is required")
			return
		}
		rest = v2
	} else if v1, ok := strings.CutPrefix(r.URL.Path, "/opc/v1/"); ok && !o.v1Disabled {
		rest = v1
	} else {
		oracleError(w, http.StatusNotFound, "not found")
		return
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if segs[0] != "instance" && segs[0] != "vnics" {
		oracleError(w, http.StatusNotFound, "not found")
		return
	}
	var node any = o.doc
	for _, seg := range segs {
		var ok bool
		if node, ok = jdChild(node, seg); !ok {
			oracleError(w, http.StatusNotFound, "not found")
			return
		}
	}
	if s, ok := node.(string); ok {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, s)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(node)
}
