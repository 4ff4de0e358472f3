// Command churn keeps changing an OpenClaw state dir the way a running
// gateway does, for clawback's live-backup tests and for trying clawback by
// hand; see fixture.Churn for the changes it makes. Every line it writes
// can be checked with fixture.CheckLines.
//
// Usage:
//
//	go run ./internal/cmd/churn -dir STATE_DIR [-for 30s] [-rate N]
//		[-seed N]
//
// It runs until -for has passed, or until SIGINT or SIGTERM when -for is 0,
// then prints what it changed and exits 0. Any error exits 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/clawback/clawback/internal/fixture"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("churn", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("dir", "", "state dir to change (required)")
	dur := fl.Duration("for", 0, "how long to run; 0 runs until a signal")
	rate := fl.Int("rate", fixture.DefaultChurnRate, "changes per second")
	seed := fl.Uint64("seed", 0, "seed of the sequence of changes")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || fl.NArg() != 0 || *rate <= 0 {
		fmt.Fprintln(stderr, "usage: churn -dir STATE_DIR [-for D] "+
			"[-rate N] [-seed N]")
		return 2
	}
	if fi, err := os.Stat(*dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "churn: %s is not a directory\n", *dir)
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt,
		syscall.SIGTERM)
	defer stop()
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	s, err := fixture.Churn(ctx, *dir, fixture.ChurnOptions{
		Seed: *seed, Rate: *rate,
	})
	fmt.Fprintf(stdout, "churn: %d changes, %d lines: %d appends, "+
		"%d split appends, %d created, %d deleted, %d rewritten, "+
		"%d renamed, %d truncated\n", s.Ops(), s.Lines, s.Appends,
		s.SplitAppends, s.Created, s.Deleted, s.Rewritten, s.Renamed,
		s.Truncated)
	if err != nil {
		fmt.Fprintln(stderr, err) // already "churn: ..."
		return 1
	}
	return 0
}
