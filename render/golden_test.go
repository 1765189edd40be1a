package render

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/netplumb/netplumb/nmstate"
)

// scenarios returns the names of testdata/scenarios/*.yaml.
func scenarios(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return names
}

// parseFile reads the NMState document in file and parses it for r; a
// file that cannot be read or decoded fails the test.
func parseFile(t testing.TB, file string, r Renderer) (*State, error) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := nmstate.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(doc, r.Name())
}

// scenarioFile is where a scenario's document is.
func scenarioFile(scenario string) string {
	return filepath.Join("testdata", "scenarios", scenario+".yaml")
}

// renderScenario renders one scenario with r.
func renderScenario(t testing.TB, scenario string, r Renderer) ([]File, error) {
	t.Helper()
	return renderFile(t, scenarioFile(scenario), r)
}

// renderFile renders the document in file with r.
func renderFile(t testing.TB, file string, r Renderer) ([]File, error) {
	t.Helper()
	st, err := parseFile(t, file, r)
	if err != nil {
		return nil, err
	}
	return Files(r, st)
}

// transcript prints a file set, or the error, for golden files.
func transcript(files []File, err error) []byte {
	var b bytes.Buffer
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.Bytes()
	}
	for _, f := range files {
		fmt.Fprintf(&b, "==> %s (%04o) <==\n%s", f.Path, uint32(f.Mode.Perm()), f.Content)
		if len(f.Content) > 0 && f.Content[len(f.Content)-1] != '\n' {
			b.WriteString("\n\\ no newline at end of file\n")
		}
	}
	return b.Bytes()
}

// TestGolden renders every scenario with every renderer and compares
// with testdata/golden/<scenario>/<renderer>.txt; -update rewrites them.
// A renderer that cannot express a scenario records the error.
func TestGolden(t *testing.T) {
	for _, sc := range scenarios(t) {
		for _, r := range Renderers() {
			t.Run(sc+"/"+r.Name(), func(t *testing.T) {
				t.Parallel()
				files, err := renderScenario(t, sc, r)
				var ue *UnsupportedError
				if err != nil && !errors.As(err, &ue) {
					t.Fatalf("render: %v", err)
				}
				got := transcript(files, err)
				path := filepath.Join("testdata", "golden", sc, r.Name()+".txt")
				if *testenv.Update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(want, got) {
					t.Errorf("%s differs (-update rewrites it):\n--- want\n%s--- got\n%s", path, want, got)
				}
			})
		}
	}
}
