package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/nmstate"
)

// ServeCmd is `imdsctl serve`.
type ServeCmd struct {
	SourceFlags `embed:""`
	Listen      string        `default:"127.0.0.1:5209" placeholder:"ADDR" help:"Address to listen on (loopback by default)."`
	Refresh     time.Duration `default:"300s" help:"How often to re-read the metadata."`
}

// Help is the long help of serve.
func (s *ServeCmd) Help() string {
	return `Serves cloud-network-setup's local JSON API: GET /api/cloud/system (the instance)
and GET /api/cloud/network (its interfaces), from facts re-read every --refresh in the
background; a failed refresh keeps the last facts. Nothing else is served: no
credentials, no tokens, no user data. Stops gracefully on SIGINT or SIGTERM.`
}

// Validate checks the refresh period.
func (s *ServeCmd) Validate() error {
	if s.Refresh < time.Second {
		return errors.New("--refresh must be at least 1s")
	}
	return nil
}

// Run runs serve until ctx is cancelled.
func (s *ServeCmd) Run(ctx context.Context, env *cli.Env) error {
	var facts atomic.Pointer[map[string]any]
	refresh := func() error {
		ctx, cancel := s.withTimeout(ctx)
		defer cancel()
		m, err := s.load(ctx, env)
		if err != nil {
			return err
		}
		local, err := s.localLinks()
		if err != nil {
			return err
		}
		f := m.Facts(local)
		facts.Store(&f)
		return nil
	}
	if err := refresh(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return cli.BadInput(err)
	}
	if ap, ok := ln.Addr().(*net.TCPAddr); ok && !ap.IP.IsLoopback() {
		env.Log.Warn("serving on a non-loopback address: the facts are visible to the network", "addr", ln.Addr())
	}
	fmt.Fprintf(env.Stderr, "imdsctl: serving on http://%s\n", ln.Addr())

	mux := http.NewServeMux()
	serve := func(part string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := nmstate.MarshalJSON(factsPart(*facts.Load(), part))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
		}
	}
	mux.HandleFunc("GET /api/cloud/system", serve("system"))
	mux.HandleFunc("GET /api/cloud/network", serve("network"))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	go func() {
		t := time.NewTicker(s.Refresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := refresh(); err != nil {
					env.Log.Warn("refresh failed; serving the last facts", "error", err)
				} else {
					env.Log.Debug("facts refreshed")
				}
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	<-done
	return nil
}
