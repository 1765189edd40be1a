package apply

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/netplumb/netplumb/nmstate"
)

// TestPlanGolden runs the cases of testdata/plan: each is a txtar archive
// with the current state (current.yaml, see stateFromYAML), the desired
// state (desired.yaml) and the plan expected (plan.yaml: the operations
// as diff prints them, then the ip commands as comments; or "error: …").
// -update rewrites plan.yaml.
//
// For every case that plans, the plan is also carried out on the
// simulated kernel: afterwards the desired state must hold (planning
// again gives nothing), and a failure injected before each step must be
// undone by Restore, back to the current state exactly.
func TestPlanGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/plan/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no plan cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]string{}
			for _, f := range ar.Files {
				sections[f.Name] = string(f.Data)
			}
			cur := stateFromYAML(t, sections["current.yaml"])
			doc, err := nmstate.Decode([]byte(sections["desired.yaml"]))
			if err != nil {
				t.Fatal(err)
			}
			var got string
			var ops []Op
			d, err := ParseDesired(doc)
			if err == nil {
				var notes []string
				ops, notes, err = Plan(cur, d)
				if err == nil {
					got = planText(t, ops, notes)
				}
			}
			if err != nil {
				got = "error: " + err.Error() + "\n"
			}
			want := sections["plan.yaml"]
			if *testenv.Update {
				for n := range ar.Files {
					if ar.Files[n].Name == "plan.yaml" {
						ar.Files[n].Data = []byte(got)
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if got != want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, want)
			}
			if err != nil {
				return
			}
			checkConverges(t, cur, d, ops)
			checkRollbacks(t, cur, d, ops)
		})
	}
}

func planText(t *testing.T, ops []Op, notes []string) string {
	b, err := nmstate.MarshalYAML(PlanDoc(ops))
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	s.Write(b)
	for _, op := range ops {
		s.WriteString("# " + op.String() + "\n")
	}
	for _, n := range notes {
		s.WriteString("# note: " + n + "\n")
	}
	return s.String()
}

// checkConverges carries the plan out on the simulator and checks that
// the desired state then holds.
func checkConverges(t *testing.T, cur *State, d *Desired, ops []Op) {
	t.Helper()
	k := &sim{st: cloneState(cur)}
	for _, op := range ops {
		if err := k.Apply(context.Background(), op); err != nil {
			t.Fatalf("simulated apply: %v", err)
		}
	}
	if err := Verify(d, k.st); err != nil {
		t.Fatalf("after the plan: %v", err)
	}
	again, _, err := Plan(k.st, d)
	if err != nil || len(again) > 0 {
		t.Fatalf("planning again: %v %v", again, err)
	}
}

// checkRollbacks fails the transaction at each step in turn and checks
// that Restore brings back the state exactly.
func checkRollbacks(t *testing.T, cur *State, d *Desired, ops []Op) {
	t.Helper()
	want := canonical(t, cur)
	for step := range len(ops) + 1 {
		k := &sim{st: cloneState(cur)}
		injected := errors.New("injected")
		k.fail = func(n int, op Op) error {
			if n == step {
				return injected
			}
			return nil
		}
		_, err := Transact(context.Background(), k, d, TxOptions{Verify: true, Rollback: true})
		if step == len(ops) {
			if err != nil {
				t.Fatalf("no failure injected: %v", err)
			}
			continue
		}
		var tx *TxError
		if !errors.As(err, &tx) || !errors.Is(err, injected) || !tx.RolledBack {
			t.Fatalf("step %d: want the injected error, rolled back; got %v", step, err)
		}
		if got := canonical(t, k.st); got != want {
			t.Errorf("rollback after a failure at step %d (%s):\n%s\nwant:\n%s", step, ops[step], got, want)
		}
	}
}
