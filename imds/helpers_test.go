package imds

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

// Helpers the providers' tests share.

// deleteKey, as a value of a set, removes the key.
var deleteKey = &struct{ delete bool }{true}

// setPath sets a value in a decoded document at a dotted path whose list
// elements are numbers: network.interface.0.macAddress.
func setPath(t testing.TB, doc any, path string, value any) {
	t.Helper()
	parts := strings.Split(path, ".")
	n := doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := n.(type) {
		case map[string]any:
			if last {
				if value == deleteKey {
					delete(c, p)
				} else {
					c[p] = value
				}
			}
			n = c[p]
		case []any:
			k, err := strconv.Atoi(p)
			if err != nil || k >= len(c) {
				t.Fatalf("bad path %s", path)
			}
			if last {
				c[k] = value
			}
			n = c[k]
		default:
			t.Fatalf("bad path %s", path)
		}
	}
}

// mutated applies sets (dotted paths to values, see setPath) to a decoded
// document and returns it as JSON.
func mutated(t testing.TB, doc any, sets map[string]any) []byte {
	t.Helper()
	for path, value := range sets {
		setPath(t, doc, path, value)
	}
	b, err := nmstate.MarshalJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fromJSON returns a function that decodes a JSON test document afresh.
func fromJSON(doc string) func() any {
	return func() any {
		v, err := nmstate.Decode([]byte(doc))
		if err != nil {
			panic(err)
		}
		return v
	}
}

// jsonTestDoc decodes a JSON test document and applies sets to it.
func jsonTestDoc(t testing.TB, doc string, sets map[string]any) []byte {
	t.Helper()
	return mutated(t, fromJSON(doc)(), sets)
}

// parseErrorCase is a case of a parser's error table: values set in the
// test document and the exact error.
type parseErrorCase struct {
	name string
	set  map[string]any
	want string
}

// checkParseErrors parses the document doc returns with each case's sets
// and checks the exact error and, with fieldError, that it is a
// *FieldError.
func checkParseErrors[D any](t *testing.T, p Provider, doc func() D, fieldError bool, tests []parseErrorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Parse(mutated(t, doc(), tt.set))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse error = %v\nwant %s", err, tt.want)
			}
			var fe *FieldError
			if fieldError && !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FieldError", err)
			}
		})
	}
}

// checkParseError fails for an error a parser must not return: one that
// spans lines or, when typed, one that is neither a *FieldError, a
// *nmstate.SyntaxError nor a document of the wrong shape.
func checkParseError(t *testing.T, err error, typed bool) {
	t.Helper()
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error spans lines: %q", err)
	}
	var fe *FieldError
	var se *nmstate.SyntaxError
	if typed && !errors.As(err, &fe) && !errors.As(err, &se) && !strings.HasPrefix(err.Error(), "the document is ") {
		t.Fatalf("error %q (%T) is neither a *FieldError nor a *nmstate.SyntaxError", err, err)
	}
}

// checkParse is what a fuzz target checks of a parse: an error as
// checkParseError does; metadata must give NMState and facts and, with
// print, the state must print as YAML and the facts with print.
func checkParse(t *testing.T, m *Metadata, err error, typed bool, print func(any) ([]byte, error)) {
	t.Helper()
	if err != nil {
		checkParseError(t, err, typed)
		return
	}
	state, err := m.NMState(Options{})
	if err != nil {
		t.Fatalf("NMState of a valid document: %v", err)
	}
	facts := m.Facts(nil)
	if print == nil {
		return
	}
	if _, err := nmstate.MarshalYAML(state); err != nil {
		t.Fatalf("the state does not print: %v", err)
	}
	if _, err := print(facts); err != nil {
		t.Fatalf("the facts do not print: %v", err)
	}
}

// fakeClient returns a client for a fake service, set up with p's
// headers and retry rules.
func fakeClient(t testing.TB, p Provider, srv *imdstest.Server) *Client {
	t.Helper()
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if p.Setup != nil {
		p.Setup(c)
	}
	return c
}

// testClient is a client for a fake service with short waits.
func testClient(t testing.TB, srv *imdstest.Server) *Client {
	t.Helper()
	c := fakeClient(t, Provider{}, srv)
	c.Backoff = 10 * time.Millisecond
	c.TryTimeout = 300 * time.Millisecond
	return c
}

// quickClient is a fakeClient with short waits.
func quickClient(t testing.TB, p Provider, srv *imdstest.Server) *Client {
	t.Helper()
	c := fakeClient(t, p, srv)
	c.Backoff = 10 * time.Millisecond
	c.TryTimeout = 500 * time.Millisecond
	return c
}

// fakeGet sends one request to a fake, without following redirects, and
// returns the status, the body and the answer's headers.
func fakeGet(t *testing.T, srv *imdstest.Server, method, path string, header http.Header) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// probe runs a provider's probe against a handler.
func probe(t *testing.T, p Provider, h http.Handler) bool {
	t.Helper()
	c := fakeClient(t, p, imdstest.New(t, h))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.Probe(ctx, c)
}

// fetchRetries fetches through a fake that fails the first requests
// (500, 429 with Retry-After, resets) and checks the exact number of
// requests, and through one that never succeeds, which must end by the
// deadline. requests is how many requests a fetch sends.
func fetchRetries(t *testing.T, p Provider, handler func() http.Handler, requests int) {
	tests := []struct {
		name       string
		fault      imdstest.Fault
		n          int
		retryAfter string
		minWait    time.Duration
	}{
		{"500", imdstest.Fail500, 3, "", 0},
		{"429 with Retry-After", imdstest.Fail429, 1, "1", time.Second},
		{"reset", imdstest.FailReset, 2, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := imdstest.New(t, handler())
			srv.FailFirst(tt.n, tt.fault, tt.retryAfter)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			saved, err := p.Fetch(ctx, Source{Client: quickClient(t, p, srv)})
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el < tt.minWait {
				t.Errorf("answered after %v, before the %v the server asked for", el, tt.minWait)
			}
			if _, err := p.Parse(saved); err != nil {
				t.Fatal(err)
			}
			if got := srv.Requests(); got != requests+tt.n {
				t.Errorf("%d requests, want %d", got, requests+tt.n)
			}
		})
	}
	t.Run("never succeeds", func(t *testing.T) {
		t.Parallel()
		srv := imdstest.New(t, handler())
		srv.FailFirst(1<<30, imdstest.Fail500, "")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := p.Fetch(ctx, Source{Client: quickClient(t, p, srv)})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 500 || !strings.Contains(err.Error(), srv.URL+"/") {
			t.Fatalf("error = %v, want a 500 naming the URL", err)
		}
		if el := time.Since(start); el > 1200*time.Millisecond {
			t.Errorf("gave up after %v, past the 1 s deadline", el)
		}
		if srv.Requests() < 2*requests {
			t.Errorf("%d requests: no retries", srv.Requests())
		}
	})
}

// fetchRecovers checks a provider's Fetch against its fake: it succeeds
// after 500s and after a 429 with Retry-After (waiting as asked), and
// against a service that always fails it ends within the deadline with
// the service's status.
func fetchRecovers(t *testing.T, p Provider, handler func() http.Handler) {
	fetch := func(t *testing.T, srv *imdstest.Server, timeout time.Duration) ([]byte, time.Duration, error) {
		c := fakeClient(t, p, srv)
		c.Backoff = 10 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		start := time.Now()
		saved, err := p.Fetch(ctx, Source{Client: c})
		return saved, time.Since(start), err
	}
	t.Run("500", func(t *testing.T) {
		t.Parallel()
		srv := imdstest.New(t, handler())
		srv.FailFirst(3, imdstest.Fail500, "")
		saved, _, err := fetch(t, srv, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Parse(saved); err != nil {
			t.Fatal(err)
		}
		if srv.Requests() <= 3 {
			t.Errorf("%d requests: the failures were not retried", srv.Requests())
		}
	})
	t.Run("429", func(t *testing.T) {
		t.Parallel()
		srv := imdstest.New(t, handler())
		srv.FailFirst(1, imdstest.Fail429, "1")
		saved, elapsed, err := fetch(t, srv, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Parse(saved); err != nil {
			t.Fatal(err)
		}
		if elapsed < 900*time.Millisecond {
			t.Errorf("fetch took %v: Retry-After: 1 was not honoured", elapsed)
		}
	})
	t.Run("never", func(t *testing.T) {
		t.Parallel()
		srv := imdstest.New(t, handler())
		srv.FailFirst(1<<30, imdstest.Fail500, "")
		_, elapsed, err := fetch(t, srv, time.Second)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusInternalServerError {
			t.Fatalf("error = %v, want a 500", err)
		}
		if elapsed > 1100*time.Millisecond {
			t.Errorf("took %v with a 1 s deadline", elapsed)
		}
	})
}
