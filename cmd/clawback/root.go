package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes. They refine OpenClaw's single failure code.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitIncomplete  = 3
	exitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    success
  1    failure: nothing was published, or the archive did not verify
       (including refusals: an existing archive, an output inside a
       backed-up path)
  2    usage error: unknown flag, malformed or contradictory values
  3    create: the archive was published, but some file that existed
       throughout the run could not be read or kept changing; those files
       are named in the output
  130  interrupted (SIGINT or SIGTERM); nothing was published`

// usageError marks errors that exit with exitUsage.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// app carries what commands share: streams and the exit code a command
// chose.
type app struct {
	stdout, stderr io.Writer
	code           int
	getenv         func(string) string
	getwd          func() (string, error)
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, getwd: os.Getwd}
	limitMemory(os.Getenv)
	stopProfile := startProfile(os.Getenv)
	defer stopProfile()
	return a.execute(ctx, args)
}

func (a *app) execute(ctx context.Context, args []string) int {
	root := &cobra.Command{
		Use:   "clawback",
		Short: "Back up a live OpenClaw state directory and prove every byte",
		Long: `clawback backs up a live application state directory, first of all
OpenClaw's ~/.openclaw, while the application keeps writing to it. It
writes OpenClaw's archive format, so "openclaw backup verify" accepts its
archives, and it verifies OpenClaw's archives too.

` + exitCodesHelp,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{err}
	})
	root.AddCommand(a.createCommand(), a.verifyCommand(), a.restoreCommand(),
		a.lsCommand())
	root.SetArgs(args)

	err := root.ExecuteContext(ctx)
	if err == nil {
		return a.code
	}
	var ue usageError
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(a.stderr, "clawback: interrupted; nothing was published")
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "clawback: %v\nRun 'clawback --help' for usage.\n", err)
		return exitUsage
	}
	// Commands print their own failures; anything else lands here.
	fmt.Fprintf(a.stderr, "clawback: %v\n", err)
	return exitFailure
}

// failed reports err as OpenClaw does: the message on stderr, and with
// --json the {"ok": false, ...} object on stdout. It returns exitFailure.
func (a *app) failed(jsonOut bool, err error) int {
	if jsonOut {
		writeJSON(a.stdout, map[string]any{
			"ok": false,
			"error": map[string]any{
				"type":    "cli_error",
				"message": err.Error(),
			},
		})
	}
	fmt.Fprintln(a.stderr, err.Error())
	return exitFailure
}
