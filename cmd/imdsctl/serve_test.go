package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/internal/testenv"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe runs imdsctl serve in-process against a fake AWS service:
// both endpoints answer JSON, nothing else is served, no token leaks, a
// failed refresh keeps the last facts, and cancelling stops it cleanly.
func TestServe(t *testing.T) {
	caseDir := filepath.Join(testenv.ModuleRoot(t), "imds", "testdata", "aws", "three-nic-multicard")
	c, err := imdstest.Load(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	fake := imdstest.New(t, c.Handler())
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--provider", "aws", "--endpoint", fake.URL, "--sysfs", c.Sysfs,
			"--listen", addr, "--refresh", "1s"}, bytes.NewReader(nil), io.Discard, &stderr)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, body := get(t, base+"/api/cloud/system")
	if code != 200 || !strings.Contains(body, `"instance-id": "i-0a1b2c3d4e5f60718"`) || strings.Contains(body, "interfaces") {
		t.Errorf("system: %d %s", code, body)
	}
	code, body = get(t, base+"/api/cloud/network")
	if code != 200 || !strings.Contains(body, `"name": "ens5"`) {
		t.Errorf("network: %d %s", code, body)
	}
	if strings.Contains(body, "token") {
		t.Errorf("a token leaked: %s", body)
	}
	if code, _ := get(t, base+"/latest/api/token"); code != http.StatusNotFound {
		t.Errorf("other paths answer %d, want 404", code)
	}
	resp, err := http.Post(base+"/api/cloud/system", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST answers %d, want 405", resp.StatusCode)
	}
	// The service goes away: refreshes fail, the last facts stay.
	fake.FailFirst(1<<30, imdstest.Fail500, "")
	time.Sleep(1500 * time.Millisecond)
	if code, body := get(t, base+"/api/cloud/network"); code != 200 || !strings.Contains(body, "ens5") {
		t.Errorf("after a failed refresh: %d %s", code, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "imdsctl: serving on http://"+addr) {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestServeNeedsFacts(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--provider", "aws", "--endpoint", "http://127.0.0.1:1",
		"--timeout", "1s", "--listen", freePort(t)}, bytes.NewReader(nil), io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "connection refused") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}

}
