package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/internal/testenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"imdsctl": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScript runs the command-line tests in testdata/script. $CASES is
// imds/testdata, the provider cases; `fakeimds` serves one.
func TestScript(t *testing.T) {
	cases := filepath.Join(testenv.ModuleRoot(t), "imds", "testdata")
	testenv.Script(t, func(e *testscript.Env) error {
		e.Setenv("CASES", cases)
		return nil
	}, map[string]func(*testscript.TestScript, bool, []string){"fakeimds": fakeIMDS, "fakerpctool": fakeRPCTool})
}

// fakeIMDS starts a fake metadata service for a case directory and sets
// $IMDS to its URL:
//
//	fakeimds $CASES/aws/three-nic-multicard [latency=20ms] [fail=N:500|429|reset|hang]
func fakeIMDS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: fakeimds CASEDIR [latency=D] [fail=N:KIND]")
	}
	c, err := imdstest.Load(ts.MkAbs(args[0]))
	ts.Check(err)
	if c.Handler == nil {
		ts.Fatalf("%s has no service to fake", args[0])
	}
	srv := imdstest.Start(c.Handler())
	ts.Defer(srv.Close)
	for _, opt := range args[1:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "latency":
			d, err := time.ParseDuration(v)
			ts.Check(err)
			srv.SetLatency(d)
		case "fail":
			n, kind, _ := strings.Cut(v, ":")
			count, err := strconv.Atoi(n)
			ts.Check(err)
			fault := map[string]imdstest.Fault{"500": imdstest.Fail500, "429": imdstest.Fail429,
				"reset": imdstest.FailReset, "hang": imdstest.FailHang}[kind]
			if fault == imdstest.NoFault {
				ts.Fatalf("unknown fault %q", kind)
			}
			srv.FailFirst(count, fault, "1")
		default:
			ts.Fatalf("unknown option %q", opt)
		}
	}
	ts.Setenv("IMDS", srv.URL)
}

// fakeRPCTool puts a vmware-rpctool answering a VMware case's guestinfo
// keys first on $PATH:
//
//	fakerpctool $CASES/vmware/netplan-bond-vlan-gzip
func fakeRPCTool(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakerpctool CASEDIR")
	}
	c, err := imdstest.Load(ts.MkAbs(args[0]))
	ts.Check(err)
	if c.GuestInfo == nil {
		ts.Fatalf("%s is not a VMware case", args[0])
	}
	bin := ts.MkAbs("rpcbin")
	ts.Check(os.MkdirAll(bin, 0o755))
	_, err = imdstest.WriteRPCTool(bin, c.GuestInfo)
	ts.Check(err)
	ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
}
