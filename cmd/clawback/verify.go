package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clawback/clawback/verify"
)

const verifyExamples = `  # Check an archive written by clawback or by OpenClaw
  clawback verify ~/Backups/2026-12-03T18-52-59.476+00-00-openclaw-backup.tar.gz

  # The same, as JSON; a failure lists every problem under "problems"
  clawback verify --json backup.tar.gz`

// problemLimit is how many problems the text output of a failed
// verification lists.
const problemLimit = 10

func (a *app) verifyCommand() *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:   "verify ARCHIVE",
		Short: "Check a backup archive and its manifest",
		Long: `Check a backup archive written by clawback or by OpenClaw: every structural
check that OpenClaw performs, with its messages, plus full gzip and tar
integrity. The archive is read once, and nothing is extracted.

An archive written by clawback also holds checksums.sha256, the SHA-256 of
every payload file, whose own digest the manifest records: its content is
checked too, and every file that is missing, extra or changed is reported.
Archives written by OpenClaw have no such list; their content is reported
as not checked.

` + readExitCodesHelp,
		Example: verifyExamples,
		Args:    oneArchive,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := a.archivePath(args[0])
			res, err := verify.Archive(cmd.Context(), path, verify.Options{})
			if err != nil {
				if cmd.Context().Err() != nil {
					return cmd.Context().Err()
				}
				return a.verifyFailed(jsonOut, err)
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
			{"contentChecked", res.ContentChecked},
			{"filesChecked", res.FilesChecked},
			{"sqliteSnapshotsChecked", res.SnapshotsChecked},
		}
		if len(res.OpaqueDatabases) > 0 {
			o = append(o, kv{"opaqueDatabases", res.OpaqueDatabases})
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
	for i, l := range res.ExternalSymbolicLinks {
		if i == listLimit {
			fmt.Fprintf(w, "... and %d more external links (see --json)\n",
				len(res.ExternalSymbolicLinks)-i)
			break
		}
		fmt.Fprintf(w, "External link (target not in the archive): %s -> %s\n",
			l.EntryPath, l.Linkpath)
	}
	if res.ContentChecked {
		fmt.Fprintf(w, "Content: %d %s checked\n", res.FilesChecked,
			plural(res.FilesChecked, "file", "files"))
	} else {
		fmt.Fprintln(w, "Content: not checked (archive has no checksum list)")
	}
	if n := res.SnapshotsChecked; n > 0 {
		fmt.Fprintf(w, "SQLite snapshots checked: %d\n", n)
	}
	for _, warn := range warnings {
		fmt.Fprintf(w, "Warning: %s\n", warn)
	}
}

// verifyFailed reports a failed verification: the message on stderr,
// followed by the problems when there are several, and with --json the
// {"ok": false, ...} object on stdout with every problem under "problems".
// The command exits 1.
func (a *app) verifyFailed(jsonOut bool, err error) error {
	var ve *verify.Error
	if !errors.As(err, &ve) {
		return a.fail(jsonOut, err)
	}
	problems := ve.Problems
	if len(problems) == 0 {
		problems = []verify.Problem{{Reason: ve.Reason}}
	}
	if jsonOut {
		writeJSON(a.stdout, object{
			{"ok", false},
			{"error", object{{"type", "cli_error"}, {"message", err.Error()}}},
			{"problems", problems},
		})
	}
	fmt.Fprintln(a.stderr, err.Error())
	if len(problems) > 1 {
		for i, p := range problems {
			if i == problemLimit {
				fmt.Fprintf(a.stderr, "... and %d more (see --json)\n",
					len(problems)-i)
				break
			}
			line := p.Reason
			if p.Path != "" && !strings.Contains(line, p.Path) {
				line += " Affected member: " + p.Path + "."
			}
			fmt.Fprintf(a.stderr, "- %s\n", line)
		}
	}
	a.code = exitFailure
	return nil
}

// verifyWarnings repeats what create recorded about files that could not be
// captured consistently.
func verifyWarnings(res *verify.Result) []string {
	m := res.Manifest
	if m == nil || m.Clawback == nil {
		return nil
	}
	var out []string
	if n := len(res.OpaqueDatabases); n > 0 {
		out = append(out, fmt.Sprintf("%d SQLite %s archived as opaque bytes, "+
			"not as checked snapshots; for example %s", n,
			plural(n, "database was", "databases were"), res.OpaqueDatabases[0]))
	}
	for _, reason := range res.Unportable {
		out = append(out, "OpenClaw's verifier will reject this archive: "+reason)
	}
	for _, v := range []string{"still-changing", "unreadable"} {
		if n := m.Clawback.Verdicts[v]; n > 0 {
			out = append(out, fmt.Sprintf("%d %s %s when this archive was made; for example %s",
				n, plural(n, "file", "files"), describe(v, n),
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
