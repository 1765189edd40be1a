package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/capture"
	"github.com/netplumb/netplumb/internal/cli"
)

// LintCmd is `nmpolicyctl lint`.
type LintCmd struct {
	Paths  []string `arg:"" name:"PATH" help:"Policy files or directories (searched for *.yaml and *.yml)."`
	Format string   `enum:"text,github" default:"text" help:"Report format: text (file:line:col: message) or github (workflow annotations)."`
	Strict bool     `help:"Exit 2 on warnings too."`
}

// Help is the long help of lint.
func (l *LintCmd) Help() string {
	return `Checks every document of every file: YAML syntax, capture expressions,
references between captures (unknown names, cycles), templates, and the keys of
desiredState against the keys NMState knows. NodeNetworkConfigurationPolicy
manifests are checked through their spec. Warnings point at input the original
nmpolicy silently ignores. Exits 2 when there is any error (or, with --strict,
any warning), 0 otherwise.`
}

// Run runs lint.
func (l *LintCmd) Run(ctx context.Context, env *cli.Env) error {
	files, err := lintFiles(l.Paths)
	if err != nil {
		return err
	}
	var b strings.Builder
	errs, warns := 0, 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		diags := capture.Lint(data)
		env.Log.Debug("linted", "file", file, "problems", len(diags))
		for _, d := range diags {
			if d.Severity == capture.SeverityError {
				errs++
			} else {
				warns++
			}
			if l.Format == "github" {
				fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d::%s\n", d.Severity, escapeProperty(file), d.Line, d.Col, escapeData(d.Msg))
			} else {
				fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", file, d.Line, d.Col, d.Severity, d.Msg)
			}
		}
	}
	if _, err := env.Stdout.Write([]byte(b.String())); err != nil {
		return err
	}
	if errs > 0 || (l.Strict && warns > 0) {
		return cli.WithCode(cli.ExitUsage, fmt.Errorf("%d error(s), %d warning(s) in %d file(s)", errs, warns, len(files)))
	}
	return nil
}

// lintFiles expands directories into the YAML files below them, sorted.
func lintFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, cli.BadInput(err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, cli.BadInput(errors.New(p + ": no *.yaml or *.yml files"))
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, nil
}

// escapeData escapes a message for a GitHub workflow command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value (the file) of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
