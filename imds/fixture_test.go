package imds

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/netplumb/netplumb/nmstate"
)

// TestFixtures runs every case of shared/fixtures/imds: the saved
// document parsed, converted with the fake sysfs and compared
// semantically with expected.yaml and expected-show.yaml; detection from
// DMI; and the same document fetched from a fake service that enforces
// the provider's headers and token flow, which must give the same result.
func TestFixtures(t *testing.T) {
	root := testenv.SharedDir(t, "NETPLUMB_IMDS_FIXTURES", "fixtures/imds")
	runCases(t, root, false)
}

// TestGolden runs the cases under testdata (our own: multi-NIC, IPv6,
// odd but valid) and compares exactly; -update rewrites their expected
// files.
func TestGolden(t *testing.T) {
	runCases(t, "testdata", true)
}

func runCases(t *testing.T, root string, golden bool) {
	dirs, err := imdstest.CaseDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases under %s", root)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			c, err := imdstest.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			runCase(t, c, golden)
		})
	}
}

func runCase(t *testing.T, c *imdstest.Case, golden bool) {
	p, err := Lookup(c.Provider)
	if err != nil {
		t.Fatal(err)
	}
	local, err := Sysfs{Root: c.Sysfs}.Links()
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Parse(c.Saved)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	doc, err := m.NMState(Options{Local: local})
	if err != nil {
		t.Fatalf("NMState: %v", err)
	}
	facts := m.Facts(local)
	checkExpected(t, filepath.Join(c.Dir, "expected.yaml"), doc, golden)
	checkExpected(t, filepath.Join(c.Dir, "expected-show.yaml"), facts, golden)

	dmi := DetectDMI(Sysfs{Root: c.Sysfs})
	switch {
	case c.Detect && dmi != c.Provider:
		t.Errorf("DetectDMI = %q, want %q", dmi, c.Provider)
	case !c.Detect && dmi != "":
		t.Errorf("DetectDMI = %q, want nothing: the case says DMI cannot tell", dmi)
	}

	// The same through the service (or the RPC channel, or the drive).
	var sources []Source
	if c.Handler != nil {
		srv := imdstest.New(t, c.Handler())
		sources = append(sources, Source{Client: fakeClient(t, p, srv)})
	}
	if c.GuestInfo != nil {
		sources = append(sources, Source{GuestInfo: mapGuestInfo(c.GuestInfo)})
	}
	if c.ConfigDrive != "" {
		sources = append(sources, Source{ConfigDrive: c.ConfigDrive})
	}
	if len(sources) == 0 {
		t.Fatal("the case gives no way to fetch")
	}
	for _, src := range sources {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		saved, err := p.Fetch(ctx, src)
		cancel()
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		m2, err := p.Parse(saved)
		if err != nil {
			t.Fatalf("Parse of the fetched document: %v\n%s", err, saved)
		}
		doc2, err := m2.NMState(Options{Local: local})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(doc, doc2); diff != "" {
			t.Errorf("fetched document gives another state (-saved +fetched):\n%s", diff)
		}
		if diff := cmp.Diff(facts, m2.Facts(local)); diff != "" {
			t.Errorf("fetched document gives other facts (-saved +fetched):\n%s", diff)
		}
	}
}

// mapGuestInfo is a GuestInfo over a map.
type mapGuestInfo map[string]string

func (g mapGuestInfo) Get(_ context.Context, key string) (string, bool, error) {
	v, ok := g[key]
	return v, ok, nil
}

// checkExpected compares a result with an expected file: exactly for our
// golden cases (rewritten by -update), semantically for shared fixtures.
func checkExpected(t *testing.T, file string, got any, golden bool) {
	t.Helper()
	if golden {
		b, err := nmstate.MarshalYAML(got)
		if err != nil {
			t.Fatal(err)
		}
		if *testenv.Update {
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, b) {
			t.Errorf("%s differs:\n%s", file, cmp.Diff(string(want), string(b)))
		}
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := nmstate.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if diffs := semanticDiff("", canonical(want), canonical(got)); len(diffs) > 0 {
		gotYAML, _ := nmstate.MarshalYAML(got)
		t.Errorf("%s: %s\ngot:\n%s", filepath.Base(file), strings.Join(diffs, "\n"), gotYAML)
	}
}

// canonical sorts what the fixtures compare as sets: addresses by ip,
// routes and rules by all their fields. Interfaces keep the provider's
// order, which the expected files follow.
func canonical(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = canonical(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = canonical(e)
		}
		if len(out) > 0 {
			if m, ok := out[0].(map[string]any); ok {
				_, isRoute := m["destination"]
				_, isAddr := m["ip"]
				_, isRule := m["route-table"]
				if isRoute || isAddr || isRule {
					slices.SortFunc(out, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
				}
			}
		}
		return out
	}
	return v
}

// semanticDiff lists where got does not hold what want states: every key
// of a map in want must be in got with a matching value; lists must have
// the same length and matching elements. Keys want leaves out are not
// checked.
func semanticDiff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want a map, got %v", path, got)}
		}
		var out []string
		for _, k := range slices.Sorted(mapsKeys(w)) {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing (want %v)", path, k, w[k]))
				continue
			}
			out = append(out, semanticDiff(path+"."+k, w[k], gv)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %v, got %v", path, w, got)}
		}
		var out []string
		for i := range w {
			out = append(out, semanticDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
		}
		return nil
	}
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var _ = http.MethodGet
