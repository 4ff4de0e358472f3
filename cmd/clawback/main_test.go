package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clawback/clawback/internal/fixture"
)

func TestMain(m *testing.M) {
	testscript.Main(cleanup{m}, map[string]func(){
		"clawback": func() { os.Exit(run(os.Args[1:])) },
	})
}

// cleanup runs the tests and then removes the binary buildClawback built.
type cleanup struct{ m *testing.M }

func (c cleanup) Run() int {
	code := c.m.Run()
	if built.bin != "" {
		os.RemoveAll(filepath.Dir(built.bin))
	}
	return code
}

// TestScript runs the end-to-end scripts in testdata/script: the built
// command, as a user runs it, with its output and exit codes.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir+"/home")
			env.Setenv("TMPDIR", env.WorkDir+"/tmp")
			return os.MkdirAll(env.WorkDir+"/tmp", 0o700)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkstate":    cmdMkstate,
			"cb":         cmdClawback,
			"patch":      cmdPatch,
			"refarchive": cmdRefArchive,
		},
	})
}

// cmdMkstate builds a sample OpenClaw home: mkstate [entries|list] HOME.
func cmdMkstate(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mkstate entries|list HOME")
	}
	err := fixture.MakeState(ts.MkAbs(args[1]), fixture.StateOptions{ConfigStyle: args[0]})
	if (err != nil) != neg {
		ts.Fatalf("mkstate: %v", err)
	}
}

// cmdClawback runs clawback in process and checks its exit code exactly:
// cb CODE ARGS... Its output feeds the stdout and stderr matchers.
func cmdClawback(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: cb CODE ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("cb: bad exit code %q", args[0])
	}
	a := &app{
		stdout: ts.Stdout(),
		stderr: ts.Stderr(),
		getenv: ts.Getenv,
		getwd:  func() (string, error) { return ts.MkAbs("."), nil },
	}
	if got := a.execute(context.Background(), args[1:]); got != want {
		ts.Fatalf("clawback %s: exit %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}
