package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clawback/clawback/verify"
)

const verifyExamples = `  # Check an archive written by clawback or by OpenClaw
  clawback verify ~/Backups/2026-12-03T18-52-59.476+00-00-openclaw-backup.tar.gz

  # The same, as JSON
  clawback verify --json backup.tar.gz`

func (a *app) verifyCommand() *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:   "verify ARCHIVE",
		Short: "Check a backup archive and its manifest",
		Long: `Check a backup archive written by clawback or by OpenClaw: every structural
check that OpenClaw performs, with its messages, plus full gzip and tar
integrity.

` + exitCodesHelp,
		Example: verifyExamples,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("verify takes exactly one archive path, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			path := expandHome(args[0], a.getenv)
			if !filepath.IsAbs(path) {
				if wd, err := a.getwd(); err == nil {
					path = filepath.Join(wd, path)
				}
			}
			res, err := verify.Archive(cmd.Context(), path, verify.Options{})
			if err != nil {
				if cmd.Context().Err() != nil {
					return cmd.Context().Err()
				}
				return a.fail(jsonOut, err)
			}
			a.printVerify(jsonOut, res)
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	return c
}

func (a *app) printVerify(jsonOut bool, res *verify.Result) {
	warnings := verifyWarnings(res)
	if jsonOut {
		o := object{
			{"ok", true},
			{"archivePath", res.ArchivePath},
			{"archiveRoot", res.ArchiveRoot},
			{"createdAt", res.CreatedAt},
			{"runtimeVersion", res.RuntimeVersion},
			{"assetCount", res.AssetCount},
			{"entryCount", res.EntryCount},
			{"symlinkCount", res.SymlinkCount},
		}
		if len(res.ExternalSymbolicLinks) > 0 {
			o = append(o, kv{"externalSymbolicLinks", res.ExternalSymbolicLinks})
		}
		if len(warnings) > 0 {
			o = append(o, kv{"warnings", warnings})
		}
		writeJSON(a.stdout, o)
		return
	}
	w := a.stdout
	fmt.Fprintf(w, "Backup archive OK: %s\n", res.ArchivePath)
	fmt.Fprintf(w, "Archive root: %s\n", res.ArchiveRoot)
	fmt.Fprintf(w, "Created at: %s\n", res.CreatedAt)
	fmt.Fprintf(w, "Runtime version: %s\n", res.RuntimeVersion)
	fmt.Fprintf(w, "Assets verified: %d\n", res.AssetCount)
	fmt.Fprintf(w, "Archive entries scanned: %d\n", res.EntryCount)
	fmt.Fprintf(w, "Symbolic links checked: %d\n", res.SymlinkCount)
	for _, warn := range warnings {
		fmt.Fprintf(w, "Warning: %s\n", warn)
	}
}

// verifyWarnings repeats what create recorded about files that could not be
// captured consistently.
func verifyWarnings(res *verify.Result) []string {
	m := res.Manifest
	if m == nil || m.Clawback == nil {
		return nil
	}
	var out []string
	for _, v := range []string{"still-changing", "unreadable"} {
		if n := m.Clawback.Verdicts[v]; n > 0 {
			out = append(out, fmt.Sprintf("%d %s %s when this archive was made; for example %s",
				n, plural(n, "file", "files"), verdictText[v],
				strings.Join(m.Clawback.Examples[v], ", ")))
		}
	}
	return out
}

// expandHome replaces a leading ~ with the home directory.
func expandHome(p string, getenv func(string) string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home := getenv("HOME")
	if home == "" {
		return p
	}
	return filepath.Join(home, p[1:])
}
