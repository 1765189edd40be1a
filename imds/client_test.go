package imds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/imds/imdstest"
)

func TestClientNeverUsesAProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://proxy.invalid:3128")
	t.Setenv("http_proxy", "http://proxy.invalid:3128")
	c, err := NewClient("http://169.254.169.254")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Transport()
	if tr.Proxy != nil {
		u, _ := tr.Proxy(&http.Request{URL: &url.URL{Scheme: "http", Host: "169.254.169.254"}})
		t.Fatalf("the transport has a proxy function (it returns %v)", u)
	}
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "169.254.169.254", "ftp://x", "http://", "http://[::1"} {
		if _, err := NewClient(bad); err == nil {
			t.Errorf("NewClient(%q) succeeded", bad)
		}
	}
	c, err := NewClient("http://127.0.0.1:8080/prefix/")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.URL("/latest/meta-data"); got != "http://127.0.0.1:8080/prefix/latest/meta-data" {
		t.Errorf("URL = %q", got)
	}
}

func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      imdstest.Fault
		n          int
		retryAfter string
		minWait    time.Duration
	}{
		{"500", imdstest.Fail500, 3, "", 0},
		{"429 with Retry-After", imdstest.Fail429, 1, "1", time.Second},
		{"connection reset", imdstest.FailReset, 2, "", 0},
		{"hang", imdstest.FailHang, 1, "", 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := imdstest.New(t, okHandler("hello"))
			srv.FailFirst(tt.n, tt.fault, tt.retryAfter)
			c := testClient(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			resp, err := c.Get(ctx, "x", nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "hello" {
				t.Errorf("body %q", resp.Body)
			}
			if got := srv.Requests(); got != tt.n+1 {
				t.Errorf("%d requests, want %d", got, tt.n+1)
			}
			if el := time.Since(start); el < tt.minWait {
				t.Errorf("answered after %v, before the %v the server asked for", el, tt.minWait)
			}
		})
	}
}

func TestClientGivesUpInTime(t *testing.T) {
	t.Parallel()
	for _, f := range []imdstest.Fault{imdstest.Fail500, imdstest.FailHang, imdstest.FailReset} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			t.Parallel()
			srv := imdstest.New(t, okHandler("never"))
			srv.FailFirst(1<<30, f, "")
			c := testClient(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Get(ctx, "x", nil)
			if err == nil {
				t.Fatal("succeeded")
			}
			if el := time.Since(start); el > 1600*time.Millisecond {
				t.Errorf("gave up after %v, past the 1.5 s deadline", el)
			}
			if !strings.Contains(err.Error(), srv.URL+"/x") {
				t.Errorf("error %q does not name the URL", err)
			}
			if srv.Requests() < 2 {
				t.Errorf("only %d requests: no retries", srv.Requests())
			}
		})
	}
}

func TestClientDoesNotRetryDesignErrors(t *testing.T) {
	t.Parallel()
	for _, code := range []int{400, 401, 403, 404, 405} {
		srv := imdstest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }))
		c := testClient(t, srv)
		_, err := c.Get(context.Background(), "x", nil)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != code {
			t.Errorf("%d: error %v", code, err)
		}
		if srv.Requests() != 1 {
			t.Errorf("%d: %d requests, want 1", code, srv.Requests())
		}
		if errors.Is(err, ErrNotFound) != (code == 404) {
			t.Errorf("%d: errors.Is(ErrNotFound) wrong", code)
		}
	}
}

func TestClientRefusesHugeBodies(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", MaxBody+1)
	srv := httptest.NewServer(okHandler(big))
	defer srv.Close()
	c, _ := NewClient(srv.URL)
	_, err := c.Get(context.Background(), "x", nil)
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Fatalf("error = %v", err)
	}
}

func TestClientBoundsConcurrency(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, okHandler("x"))
	srv.SetLatency(20 * time.Millisecond)
	c := testClient(t, srv)
	_, err := parallel(context.Background(), 40, func(ctx context.Context, i int) ([]byte, error) {
		r, err := c.Get(ctx, "x", nil)
		if err != nil {
			return nil, err
		}
		return r.Body, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := srv.MaxInFlight(); m > MaxInFlight || m < 2 {
		t.Errorf("%d requests in flight at most, want 2..%d", m, MaxInFlight)
	}
}
