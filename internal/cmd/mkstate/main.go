// Command mkstate builds a small, realistic OpenClaw home for trying
// clawback and OpenClaw by hand; see fixture.MakeState for what it holds.
//
// Usage:
//
//	go run ./internal/cmd/mkstate [-style entries|list] [-sessions N]
//		[-seed N] [-force] HOME
//
// HOME must not exist or be empty unless -force is given, which deletes it
// first. The real home directory is always refused.
package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clawback/clawback/internal/fixture"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mkstate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	style := fl.String("style", fixture.StyleEntries,
		"agents config style: entries (2026.9) or list (2026.4)")
	sessions := fl.Int("sessions", fixture.DefaultSessions,
		"session transcripts per agent")
	seed := fl.Uint64("seed", 0, "content seed")
	force := fl.Bool("force", false, "delete HOME first if it is not empty")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: mkstate [-style entries|list] "+
			"[-sessions N] [-seed N] [-force] HOME")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return 2
	}
	if *style != fixture.StyleEntries && *style != fixture.StyleList {
		fmt.Fprintln(stderr, "mkstate: -style must be entries or list")
		return 2
	}
	if *sessions < 0 {
		fmt.Fprintln(stderr, "mkstate: -sessions must not be negative")
		return 2
	}

	home, err := fixture.ScratchHome(fl.Arg(0), *force)
	if err != nil {
		fmt.Fprintf(stderr, "mkstate: %v\n", err)
		return 1
	}
	err = fixture.MakeState(home, fixture.StateOptions{
		ConfigStyle: *style, Sessions: *sessions, Seed: *seed,
	})
	if err != nil {
		fmt.Fprintf(stderr, "mkstate: %v\n", err)
		return 1
	}
	n := 0
	_ = filepath.WalkDir(home, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	fmt.Fprintf(stdout, "built %s (state dir %s): %d files\n", home,
		filepath.Join(home, fixture.StateDir), n)
	return 0
}
