package testenv

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// Update is the -update flag: rewrite golden files and the expected
// output in testscript files instead of comparing.
var Update = flag.Bool("update", false, "rewrite golden files and testscript expectations")

// Script runs the testscript files in testdata/script of the calling
// package, with the commands registered by testscript.Main, explicit exec,
// the `exits`, `cmpignore` and `perm` commands, and the package's own
// commands.
func Script(t *testing.T, setup func(*testscript.Env) error, cmds ...map[string]func(*testscript.TestScript, bool, []string)) {
	ScriptCond(t, setup, nil, cmds...)
}

// ScriptCond is [Script] with conditions of the package's own ([netns]),
// which cond answers (an error fails the script).
func ScriptCond(t *testing.T, setup func(*testscript.Env) error, cond func(string) (bool, error), cmds ...map[string]func(*testscript.TestScript, bool, []string)) {
	all := map[string]func(*testscript.TestScript, bool, []string){
		"exits":     exits,
		"cmpignore": cmpIgnore,
		"perm":      perm,
	}
	for _, m := range cmds {
		for k, v := range m {
			all[k] = v
		}
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *Update,
		Setup:               setup,
		Condition:           cond,
		Cmds:                all,
	})
}

// exits runs a command like exec and checks its exact exit status:
//
//	exits 2 nmpolicyctl gen bad.yaml
//
// testscript itself only knows whether a command failed.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exits does not take '!': give the status")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits STATUS command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// cmpIgnore compares two files (stdout and stderr allowed as the first)
// after removing the lines that match a regular expression from both:
//
//	cmpignore 'TimeStamp:' cache.yaml want-cache.yaml
func cmpIgnore(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: cmpignore REGEXP file1 file2")
	}
	re, err := regexp.Compile(args[0])
	ts.Check(err)
	filter := func(s string) string {
		var keep []string
		for _, line := range strings.SplitAfter(s, "\n") {
			if !re.MatchString(strings.TrimSuffix(line, "\n")) {
				keep = append(keep, line)
			}
		}
		return strings.Join(keep, "")
	}
	a, b := filter(ts.ReadFile(args[1])), filter(ts.ReadFile(args[2]))
	if (a == b) == neg {
		if neg {
			ts.Fatalf("%s and %s do not differ", args[1], args[2])
		}
		ts.Fatalf("%s and %s differ:\n--- %s\n%s--- %s\n%s", args[1], args[2], args[1], a, args[2], b)
	}
}

// perm checks a file's permission bits:
//
//	perm 0600 cache.yaml
func perm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm MODE file")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %s", args[1], fmt.Sprintf("%#o", got))
	}
}
