package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"unicode"

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

// readExitCodesHelp documents the exit codes of verify and ls.
const readExitCodesHelp = `Exit codes:
  0    the archive verifies (verify) or was listed (ls)
  1    the archive is missing, unreadable or does not verify
  2    usage error: unknown flag, no archive or more than one
  130  interrupted (SIGINT or SIGTERM)`

// restoreExitCodesHelp documents the exit codes of restore.
const restoreExitCodesHelp = `Exit codes:
  0    restored (or, with --dry-run, everything checked)
  1    refused or failed: a damaged or unsafe archive, an existing path
       under --target, a running gateway, too little space; what was
       written is removed and moved-aside paths are put back
  2    usage error: unknown flag, not exactly one of --target and
       --in-place
  130  interrupted (SIGINT or SIGTERM); the restore was undone`

const completionExamples = `  # Complete clawback's commands and flags in the current bash shell
  source <(clawback completion bash)

  # For every new zsh shell
  clawback completion zsh > "${fpath[1]}/_clawback"`

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
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Example = completionExamples
	}
	root.SetArgs(args)

	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return a.code
	}
	var ue usageError
	switch {
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintln(a.stderr, "clawback: interrupted; nothing was published")
		return exitInterrupted
	case errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command"):
		// A usage error is still one JSON object on stdout with --json.
		if wantsJSON(args) {
			writeJSON(a.stdout, map[string]any{"ok": false, "error": map[string]any{
				"type": "usage_error", "message": err.Error()}})
		}
		fmt.Fprintf(a.stderr, "clawback: %v\nRun '%s --help' for usage.\n",
			strings.TrimSpace(err.Error()), cmd.CommandPath())
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
	// OpenClaw's messages are sentences and stand alone; clawback's own
	// lowercase errors are named as the tool's.
	msg := err.Error()
	if msg != "" && unicode.IsLower(rune(msg[0])) {
		msg = "clawback: " + msg
	}
	fmt.Fprintln(a.stderr, msg)
	return exitFailure
}

// wantsJSON reports whether args ask for JSON output, even when they do not
// parse.
func wantsJSON(args []string) bool {
	for _, arg := range args {
		switch arg {
		case "--":
			return false
		case "--json", "--json=true":
			return true
		}
	}
	return false
}

// noArgs rejects positional arguments with a hint, for commands that take
// none.
func noArgs(hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments, but got %q; %s",
				cmd.CommandPath(), args[0], hint)
		}
		return nil
	}
}

// oneArchive accepts exactly one argument, the archive.
func oneArchive(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("%s takes exactly one archive path, got %d",
			cmd.Name(), len(args))
	}
	return nil
}

// archivePath is the archive argument with ~ expanded, made absolute.
func (a *app) archivePath(arg string) string {
	return a.abs(expandHome(arg, a.getenv))
}

// abs makes p absolute against the working directory.
func (a *app) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if wd, err := a.getwd(); err == nil {
		return filepath.Join(wd, p)
	}
	return p
}
