package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/netplumb/netplumb/capture"
	"github.com/netplumb/netplumb/internal/testenv"
)

// TestConformance runs every case of the original nmpolicy's conformance
// suite (../shared/conformance/nmpolicy, or $NETPLUMB_CONFORMANCE_DIR)
// through `nmpolicyctl gen` and compares stdout and the cache with what
// the original printed, as data. Cases listed in EXTENSIONS may succeed
// where the original failed, or differ where netplumb deliberately goes
// further; they must still not fail where the original succeeded.
func TestConformance(t *testing.T) {
	dir := testenv.SharedDir(t, "NETPLUMB_CONFORMANCE_DIR", "conformance/nmpolicy")
	cases, err := os.ReadDir(filepath.Join(dir, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	extensions := readExtensions(t, filepath.Join(dir, "EXTENSIONS"))
	ran := 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		ran++
		name := c.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runConformanceCase(t, filepath.Join(dir, "cases", name), extensions[name])
		})
	}
	if ran == 0 {
		t.Fatalf("no cases under %s", dir)
	}
}

func runConformanceCase(t *testing.T, dir string, extension bool) {
	file := func(name string) string { return filepath.Join(dir, name) }
	exists := func(name string) bool { _, err := os.Stat(file(name)); return err == nil }

	cacheOut := filepath.Join(t.TempDir(), "cache.yaml")
	args := []string{"gen", file("policy.yaml"), "-s", file("current.yaml"), "-c", cacheOut}
	if exists("cache-in.yaml") {
		args = append(args, "-i", file("cache-in.yaml"))
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, bytes.NewReader(nil), &stdout, &stderr)

	if strings.Contains(stderr.String(), "internal error") {
		t.Fatalf("crash: %s", stderr.String())
	}
	if exists("expected-error.txt") {
		if code == 0 {
			if extension {
				t.Logf("extension: succeeded where the original failed; stdout:\n%s", stdout.String())
				return
			}
			t.Fatalf("succeeded, want an error containing %q; stdout:\n%s", readTrim(t, file("expected-error.txt")), stdout.String())
		}
		if code != 2 {
			t.Errorf("exit status %d, want 2", code)
		}
		if want := readTrim(t, file("expected-error.txt")); !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout not empty on failure:\n%s", stdout.String())
		}
		if _, err := os.Stat(cacheOut); err == nil {
			t.Errorf("cache written on failure")
		}
		return
	}
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not empty: %s", stderr.String())
	}
	wantOut := readFile(t, file("expected.yaml"))
	if diff := cmp.Diff(yamlData(t, wantOut), yamlData(t, stdout.Bytes())); diff != "" {
		if extension {
			t.Logf("extension: stdout differs from the original's (-original +netplumb):\n%s", diff)
		} else {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
	}
	if len(bytes.TrimSpace(wantOut)) == 0 && stdout.Len() != 0 {
		t.Errorf("stdout should be empty, got:\n%s", stdout.String())
	}
	gotCache := readFile(t, cacheOut)
	got := yamlData(t, gotCache)
	stripTimestamps(t, got)
	if diff := cmp.Diff(yamlData(t, readFile(t, file("expected-captured.yaml"))), got); diff != "" {
		t.Errorf("cache (-want +got):\n%s", diff)
	}

	// The library entry point must agree with the command.
	checkGenerateState(t, dir, stdout.Bytes())
}

// checkGenerateState runs the case through capture.GenerateState, the
// original library's entry point, and compares its desired state with
// what the command printed.
func checkGenerateState(t *testing.T, dir string, cmdOut []byte) {
	t.Helper()
	doc, err := capture.ParsePolicy(readFile(t, filepath.Join(dir, "policy.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	spec := capture.PolicySpec{Capture: doc.Policy.Capture}
	if doc.Policy.DesiredState != nil {
		var err error
		spec.DesiredState, err = yaml.Marshal(doc.Policy.DesiredState)
		if err != nil {
			t.Fatal(err)
		}
	}
	cache := capture.CachedState{}
	if data, err := os.ReadFile(filepath.Join(dir, "cache-in.yaml")); err == nil {
		entries, err := capture.DecodeCache(data)
		if err != nil {
			t.Fatal(err)
		}
		cache.Capture = map[string]capture.CaptureState{}
		for name, e := range entries {
			b, err := yaml.Marshal(e.State)
			if err != nil {
				t.Fatal(err)
			}
			cache.Capture[name] = capture.CaptureState{State: b, MetaInfo: e.MetaInfo}
		}
	}
	gs, err := capture.GenerateState(spec, readFile(t, filepath.Join(dir, "current.yaml")), cache)
	if err != nil {
		t.Fatalf("GenerateState: %v", err)
	}
	if !bytes.Equal(gs.DesiredState, cmdOut) {
		t.Errorf("GenerateState desired state differs from the command's:\n%s\nvs\n%s", gs.DesiredState, cmdOut)
	}
}

func readExtensions(t *testing.T, path string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	f, err := os.Open(path)
	if err != nil {
		t.Logf("no EXTENSIONS file: %v", err)
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out[strings.Fields(line)[0]] = true
	}
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readTrim(t *testing.T, path string) string {
	return strings.TrimSpace(string(readFile(t, path)))
}

// yamlData decodes YAML with yaml.v3 alone, independently of our decoder.
func yamlData(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v in:\n%s", err, data)
	}
	return v
}

func stripTimestamps(t *testing.T, cache any) {
	t.Helper()
	m, _ := cache.(map[string]any)
	for name, e := range m {
		entry, ok := e.(map[string]any)
		if !ok {
			t.Fatalf("cache entry %q is %T", name, e)
		}
		meta, ok := entry["MetaInfo"].(map[string]any)
		if !ok {
			t.Fatalf("cache entry %q has no MetaInfo", name)
		}
		if _, ok := meta["TimeStamp"].(string); !ok {
			t.Errorf("cache entry %q has no TimeStamp string", name)
		}
		delete(meta, "TimeStamp")
	}
}
