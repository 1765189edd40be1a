// Package imdstest holds fake metadata services for tests: an httptest
// server on 127.0.0.1 that enforces each provider's headers and token
// flow, serves a saved document the way the real service lays it out,
// adds latency, fails the first requests on demand (500, 429 with
// Retry-After, connection reset, hang) and counts requests.
package imdstest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what the server does to a request it is told to fail.
type Fault int

// The faults.
const (
	NoFault   Fault = iota
	Fail500         // 500 Internal Server Error
	Fail429         // 429 Too Many Requests with Retry-After
	FailReset       // the connection is reset without an answer
	FailHang        // no answer until the client gives up
)

// Server is a fake metadata service.
type Server struct {
	URL string

	srv      *httptest.Server
	handler  http.Handler
	mu       sync.Mutex
	latency  time.Duration
	failN    int
	fault    Fault
	retryAft string
	paths    []string

	requests atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
	hang     chan struct{}
}

// New starts a fake service with a provider's handler; it stops when the
// test ends.
func New(t testing.TB, h http.Handler) *Server {
	s := Start(h)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake service; Close stops it.
func Start(h http.Handler) *Server {
	s := &Server{handler: h, hang: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the service, releasing hung requests.
func (s *Server) Close() {
	close(s.hang)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetLatency adds a delay before every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// FailFirst makes the next n requests fail with f; retryAfter is the
// Retry-After header of a 429 ("1" for one second).
func (s *Server) FailFirst(n int, f Fault, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.fault, s.retryAft = n, f, retryAfter
}

// Requests returns how many requests arrived.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// MaxInFlight returns the most requests that were being served at once.
func (s *Server) MaxInFlight() int { return int(s.maxIn.Load()) }

// Paths returns the paths requested, in arrival order.
func (s *Server) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxIn.Load()
		if n <= m || s.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.Path)
	latency := s.latency
	fault := NoFault
	if s.failN > 0 {
		s.failN--
		fault = s.fault
	}
	retryAfter := s.retryAft
	s.mu.Unlock()

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	// Every real service rejects forwarded requests (an SSRF defence).
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		http.Error(w, "forwarded requests are rejected", http.StatusForbidden)
		return
	}
	switch fault {
	case Fail500:
		http.Error(w, "injected failure", http.StatusInternalServerError)
		return
	case Fail429:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case FailReset:
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, err := hj.Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		}
		return
	case FailHang:
		select {
		case <-r.Context().Done():
		case <-s.hang:
		}
		return
	}
	s.handler.ServeHTTP(w, r)
}
