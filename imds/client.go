package imds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxBody is the largest response a metadata service may send; larger
// bodies are refused (metadata documents are kilobytes).
const MaxBody = 1 << 20

// ErrNotFound is matched (errors.Is) by a [*StatusError] for 404: AWS
// answers 404 for optional keys that are absent.
var ErrNotFound = errors.New("not found")

// StatusError is an answer with a status that is not 200.
type StatusError struct {
	Method, URL string
	Code        int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
}

// Is makes a 404 match [ErrNotFound].
func (e *StatusError) Is(target error) bool {
	return target == ErrNotFound && e.Code == http.StatusNotFound
}

// Client talks to a metadata service: it resolves paths against the
// service's base URL, sends the provider's headers, never uses a proxy,
// bounds the requests in flight, and retries connection errors, timeouts,
// 5xx and 429 (honouring Retry-After) with exponential backoff and jitter
// until the context's deadline. A Client is safe for concurrent use.
type Client struct {
	// Base is the service's scheme and host (http://169.254.169.254), or
	// the --endpoint that replaces them.
	Base *url.URL
	// Header is sent with every request.
	Header http.Header
	// RetryStatus reports extra statuses to retry (Azure's 404 and 410
	// while its IMDS starts); nil retries only 5xx and 429.
	RetryStatus func(code int) bool
	// TryTimeout bounds one attempt, so that a hung connection does not eat
	// the whole deadline. Zero means 2 s.
	TryTimeout time.Duration
	// Backoff is the first retry's wait; it doubles up to 16 times it.
	// Zero means 100 ms.
	Backoff time.Duration
	// Log receives one line per retry at debug level; nil logs nothing.
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	http     *http.Client
	sem      chan struct{}
	requests atomic.Int64
	once     sync.Once
}

// MaxInFlight bounds the requests a Client sends at once: AWS limits
// simultaneous connections and Azure throttles at 5 requests a second.
const MaxInFlight = 16

// NewClient returns a client for a service at base (scheme and host; a
// path is kept as a prefix).
func NewClient(base string) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL with a host", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{Base: u, Header: http.Header{}}, nil
}

func (c *Client) init() {
	c.once.Do(func() {
		c.http = &http.Client{
			Transport: &http.Transport{
				Proxy:                 nil, // never: the services are link-local
				DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
				MaxIdleConnsPerHost:   MaxInFlight,
				TLSHandshakeTimeout:   5 * time.Second,
				ResponseHeaderTimeout: 0,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		c.sem = make(chan struct{}, MaxInFlight)
	})
}

// Transport returns the client's transport, for tests that check it
// never uses a proxy.
func (c *Client) Transport() *http.Transport {
	c.init()
	return c.http.Transport.(*http.Transport)
}

// Requests returns how many HTTP requests the client has sent, retries
// included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// URL resolves a path of the service (with its query) against the base.
func (c *Client) URL(path string) string {
	return c.Base.String() + "/" + strings.TrimPrefix(path, "/")
}

// Response is a successful answer.
type Response struct {
	Header http.Header
	Body   []byte
}

// Get sends GET path with the client's headers and extra ones.
func (c *Client) Get(ctx context.Context, path string, extra http.Header) (*Response, error) {
	return c.Do(ctx, http.MethodGet, path, extra)
}

// Do sends a request and retries it as the Client's documentation says.
// A final answer other than 200 is a [*StatusError]; a body larger than
// [MaxBody] is an error. Errors name the method and the URL.
func (c *Client) Do(ctx context.Context, method, path string, extra http.Header) (*Response, error) {
	c.init()
	target := c.URL(path)
	var last error
	for attempt := 0; ; attempt++ {
		resp, retryAfter, err := c.try(ctx, method, target, extra)
		if err == nil {
			return resp, nil
		}
		last = err
		if !retryable(err, c.RetryStatus) {
			return nil, err
		}
		wait := c.backoff(attempt, retryAfter)
		if dl, ok := ctx.Deadline(); ok && c.now().Add(wait).After(dl) {
			return nil, fmt.Errorf("%w (giving up: the deadline falls before the next try)", last)
		}
		if c.Log != nil {
			c.Log.Debug("retrying", "method", method, "url", target, "error", err, "wait", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (then %v)", last, ctx.Err())
		case <-t.C:
		}
	}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// try sends one attempt.
func (c *Client) try(ctx context.Context, method, target string, extra http.Header) (*Response, time.Duration, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, fmt.Errorf("%s %s: %w", method, target, ctx.Err())
	}
	defer func() { <-c.sem }()
	timeout := c.TryTimeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, method, target, nil)
	if err != nil {
		return nil, 0, err
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	for k, vs := range extra {
		req.Header[k] = vs
	}
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, &netError{method: method, url: target, err: err, timeout: tctx.Err() != nil && ctx.Err() == nil}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, 0, &netError{method: method, url: target, err: err, timeout: tctx.Err() != nil && ctx.Err() == nil}
	}
	if len(body) > MaxBody {
		return nil, 0, fmt.Errorf("%s %s: the answer is larger than %d bytes", method, target, MaxBody)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, retryAfter(resp.Header.Get("Retry-After"), c.now()), &StatusError{Method: method, URL: target, Code: resp.StatusCode}
	}
	return &Response{Header: resp.Header, Body: body}, 0, nil
}

// netError is a failed attempt at the connection level: refused, reset,
// timed out.
type netError struct {
	method, url string
	err         error
	timeout     bool
}

func (e *netError) Error() string {
	if e.timeout {
		return fmt.Sprintf("%s %s: no answer within the per-try timeout", e.method, e.url)
	}
	return fmt.Sprintf("%s %s: %v", e.method, e.url, unwrapURLError(e.err))
}

func (e *netError) Unwrap() error { return e.err }

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func retryable(err error, extra func(int) bool) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || (extra != nil && extra(se.Code))
	}
	var ne *netError
	if errors.As(err, &ne) {
		// The whole deadline passing is not worth a retry; anything else
		// at the connection level is.
		return !errors.Is(ne.err, context.Canceled) && !(errors.Is(ne.err, context.DeadlineExceeded) && !ne.timeout)
	}
	return false
}

// backoff is the wait before retry attempt+1: exponential with full
// jitter, at least what Retry-After asks.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	base := c.Backoff
	if base == 0 {
		base = 100 * time.Millisecond
	}
	d := base << min(attempt, 4)
	d = d/2 + rand.N(d/2+1)
	return max(d, retryAfter)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(min(s, 3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// parallel runs f for 0..n-1 concurrently (the Client bounds what is in
// flight) and returns the results in order, or the first error by index.
func parallel[T any](ctx context.Context, n int, f func(ctx context.Context, i int) (T, error)) ([]T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]T, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = f(ctx, i)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// Report the error that caused the others (cancellations follow it).
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
