package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/backup"
	"github.com/clawback/clawback/filter"
	"github.com/clawback/clawback/plan"
)

const createExamples = `  # Back up ~/.openclaw (and workspaces outside it) into the current directory
  clawback create

  # Write into a directory, check the archive before publishing it
  clawback create --output ~/Backups/ --verify

  # Show what would be archived, as JSON, without writing anything
  clawback create --dry-run --json

  # Back up the config file alone
  clawback create --only-config

  # Stay out of the gateway's way: lowest CPU and I/O priority, one thread
  clawback create --nice --jobs 1

  # Back up another application's directory
  clawback create --source /srv/app/state --output /backups/`

type createFlags struct {
	output           string
	json, dryRun     bool
	verify           bool
	onlyConfig       bool
	noWorkspace      bool
	sources          []string
	rules            []filter.User
	compression      string
	level, jobs      int
	nice             bool
	includeWorkspace bool
}

// ruleFlag appends to one list from both --exclude and --include, so that
// their command-line order is kept.
type ruleFlag struct {
	rules   *[]filter.User
	include bool
}

func (r ruleFlag) String() string { return "" }
func (r ruleFlag) Type() string   { return "glob" }
func (r ruleFlag) Set(v string) error {
	*r.rules = append(*r.rules, filter.User{Glob: v, Include: r.include})
	return nil
}

var _ pflag.Value = ruleFlag{}

func (a *app) createCommand() *cobra.Command {
	f := &createFlags{}
	c := &cobra.Command{
		Use:   "create",
		Short: "Write a backup archive of the OpenClaw state, even while it changes",
		Long: `Write a backup archive of the OpenClaw state directory, its config and
credentials, the agents' directories and session transcripts, and the
workspaces, while the gateway keeps writing. Each file is read whole and
checked before it is archived; a file that changes while read is read
again, and what happened to every file that was not captured cleanly is
recorded in the archive and reported.

` + exitCodesHelp,
		Example: createExamples,
		Args:    noArgs("name the archive or its directory with --output"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.create(cmd, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.output, "output", "", "archive file or destination directory (a trailing slash means a directory)")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	fl.BoolVar(&f.dryRun, "dry-run", false, "plan only: print what would be archived and write nothing")
	fl.BoolVar(&f.verify, "verify", false, "verify the archive before publishing it")
	fl.BoolVar(&f.onlyConfig, "only-config", false, "back up only the OpenClaw config file")
	fl.BoolVar(&f.includeWorkspace, "include-workspace", true, "include workspaces")
	fl.BoolVar(&f.noWorkspace, "no-include-workspace", false, "leave workspaces out")
	fl.StringArrayVar(&f.sources, "source", nil, "also back up this directory or file (repeatable)")
	fl.Var(ruleFlag{&f.rules, false}, "exclude", "leave out paths matching this glob, relative to the asset root (repeatable)")
	fl.Var(ruleFlag{&f.rules, true}, "include", "keep paths matching this glob even if a rule leaves them out (repeatable)")
	fl.StringVar(&f.compression, "compression", "gzip", "gzip, zstd or none")
	fl.IntVar(&f.level, "level", 0, "compression level: gzip 1-9 (default 6), zstd 1-22 (default 3)")
	fl.IntVar(&f.jobs, "jobs", 0, "compressor threads (default: one per core)")
	fl.BoolVar(&f.nice, "nice", false, "run at the lowest CPU and I/O priority, to stay out of a live application's way")
	fl.MarkHidden("include-workspace")
	return c
}

func (a *app) create(cmd *cobra.Command, f *createFlags) error {
	comp, err := checkCompression(f)
	if err != nil {
		return err
	}
	rules, err := filter.New(f.rules)
	if err != nil {
		return usageError{err}
	}
	cwd, err := a.getwd()
	if err != nil {
		return a.fail(f.json, fmt.Errorf("find the current directory: %w", err))
	}
	home := a.getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	opts := plan.Options{
		IncludeWorkspace: f.includeWorkspace && !f.noWorkspace,
		OnlyConfig:       f.onlyConfig,
		Sources:          f.sources,
		Output:           f.output,
		Now:              time.Now(),
		Extension:        comp.Ext(),
		DryRun:           f.dryRun,
	}
	if f.nice {
		if err := lowerPriority(); err != nil {
			return a.fail(f.json, err)
		}
	}
	p, err := plan.Make(plan.Env{Getenv: a.getenv, Home: home, Cwd: cwd}, opts)
	if err != nil {
		if errors.Is(err, plan.ErrUsage) {
			return usageError{err}
		}
		if errors.Is(err, plan.ErrNoState) {
			defer fmt.Fprintln(a.stderr, "clawback: set OPENCLAW_STATE_DIR to "+
				"the state directory, or name what to back up with --source DIR")
		}
		return a.fail(f.json, err)
	}
	if f.dryRun {
		return a.printCreate(f, p, nil)
	}

	bar := newProgress(a.stderr)
	res, err := backup.Create(cmd.Context(), p, backup.Options{
		Compression: comp,
		Level:       f.level,
		Jobs:        f.jobs,
		Rules:       rules,
		Verify:      f.verify,
		Version:     "clawback " + version,
		Progress:    bar.update,
	})
	bar.finish()
	if err != nil {
		if cmd.Context().Err() != nil {
			return cmd.Context().Err()
		}
		return a.fail(f.json, err)
	}
	if err := a.printCreate(f, p, res); err != nil {
		return err
	}
	if res.Incomplete {
		a.code = exitIncomplete
	}
	return nil
}

// fail prints err as a failure and makes the command exit 1.
func (a *app) fail(jsonOut bool, err error) error {
	a.code = a.failed(jsonOut, err)
	return nil
}

// checkCompression validates --compression and --level, and that an
// --output file name agrees with the codec.
func checkCompression(f *createFlags) (archive.Compression, error) {
	comp := archive.Compression(f.compression)
	lo, hi := 1, 9
	switch comp {
	case archive.Gzip:
	case archive.Zstd:
		hi = 22
	case archive.None:
		lo, hi = 0, 0
	default:
		return "", usagef("--compression must be gzip, zstd or none, not %q", f.compression)
	}
	if f.level != 0 && (f.level < lo || f.level > hi) {
		if comp == archive.None {
			return "", usagef("--level does not apply to --compression none")
		}
		return "", usagef("--level for %s must be between %d and %d, not %d", comp, lo, hi, f.level)
	}
	if f.jobs < 0 {
		return "", usagef("--jobs must be 0 (one per core) or more, not %d", f.jobs)
	}
	out := strings.TrimSpace(f.output)
	if out != "" && !strings.HasSuffix(out, "/") {
		lower := strings.ToLower(out)
		for _, ext := range foreignExts {
			if strings.HasSuffix(lower, ext) {
				return "", usagef("--output %s ends in %s, but clawback writes tar archives; name it *%s",
					out, ext, comp.Ext())
			}
		}
		for _, c := range []archive.Compression{archive.Gzip, archive.Zstd, archive.None} {
			if c != comp && hasExt(out, c) && !hasExt(out, comp) {
				return "", usagef("--output %s ends in %s but --compression is %s; name it *%s",
					out, c.Ext(), comp, comp.Ext())
			}
		}
	}
	return comp, nil
}

// foreignExts are archive and compression formats clawback does not write.
var foreignExts = []string{".zip", ".7z", ".rar", ".xz", ".txz", ".bz2",
	".tbz", ".tbz2", ".lz4", ".lzma", ".lz", ".zstd"}

func hasExt(name string, c archive.Compression) bool {
	lower := strings.ToLower(name)
	switch c {
	case archive.Gzip:
		return strings.HasSuffix(lower, ".tar.gz") || strings.HasSuffix(lower, ".tgz")
	case archive.Zstd:
		return strings.HasSuffix(lower, ".tar.zst") || strings.HasSuffix(lower, ".tzst")
	}
	return strings.HasSuffix(lower, ".tar")
}
