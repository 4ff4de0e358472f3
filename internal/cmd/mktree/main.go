// Command mktree builds the large, seeded OpenClaw tree that clawback's
// benchmarks run on; see fixture.MakeTree.
//
// Usage:
//
//	go run ./internal/cmd/mktree [-layout workspace|sessions] [-ntext N]
//		[-nrand N] [-nsemi N] [-seed N] [-force] HOME
//
// HOME must not exist or be empty unless -force is given, which deletes it
// first. The real home directory is always refused.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/clawback/clawback/internal/fixture"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	d := fixture.DefaultTree()
	fl := flag.NewFlagSet("mktree", flag.ContinueOnError)
	fl.SetOutput(stderr)
	layout := fl.String("layout", d.Layout,
		"where transcripts go: workspace or sessions")
	ntext := fl.Int("ntext", d.NText, "JSONL transcripts of 1-80 KiB")
	nrand := fl.Int("nrand", d.NRand, "1 MiB random files")
	nsemi := fl.Int("nsemi", d.NSemi, "512 KiB half-zero files")
	seed := fl.Uint64("seed", d.Seed, "content seed")
	force := fl.Bool("force", false, "delete HOME first if it is not empty")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: mktree [-layout workspace|sessions] "+
			"[-ntext N] [-nrand N] [-nsemi N] [-seed N] [-force] HOME")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return 2
	}
	if *layout != fixture.LayoutWorkspace && *layout != fixture.LayoutSessions {
		fmt.Fprintln(stderr, "mktree: -layout must be workspace or sessions")
		return 2
	}
	if *ntext < 0 || *nrand < 0 || *nsemi < 0 {
		fmt.Fprintln(stderr, "mktree: file counts must not be negative")
		return 2
	}

	home, err := fixture.ScratchHome(fl.Arg(0), *force)
	if err != nil {
		fmt.Fprintf(stderr, "mktree: %v\n", err)
		return 1
	}
	start := time.Now()
	err = fixture.MakeTree(home, fixture.TreeOptions{
		Layout: *layout, NText: *ntext, NRand: *nrand, NSemi: *nsemi,
		Seed: *seed,
	})
	if err != nil {
		fmt.Fprintf(stderr, "mktree: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "built %s (%s layout): %d counted files in %.1fs\n",
		filepath.Join(home, fixture.StateDir), *layout,
		*ntext+*nrand+*nsemi, time.Since(start).Seconds())
	return 0
}
