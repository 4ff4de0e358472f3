package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/clawback/clawback/verify"
)

const lsExamples = `  # List the assets and every member, with capture verdicts
  clawback ls ~/Backups/2026-12-03T18-52-59.476+00-00-openclaw-backup.tar.gz

  # The same, as JSON
  clawback ls --json backup.tar.gz

  # Only the files that were not captured cleanly
  clawback ls --json backup.tar.gz | jq '.members[] | select(.verdict)'`

const lsLong = `List what a backup archive holds, without extracting it: the assets the
manifest names (kind, source path, archive path) and every member with its
type, permission bits, size, modification time and capture verdict.

Verdicts come from the capture record that clawback writes into each
archive; a member without one was captured cleanly. Files the record names
that are not in the archive (vanished, special) are listed after the
members. Archives written by OpenClaw have no record, so no verdicts.
Gzip, zstd and uncompressed archives are read alike. Listing does not
verify: run "clawback verify" for that.

`

func (a *app) lsCommand() *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:     "ls ARCHIVE",
		Short:   "List the assets and members of a backup archive",
		Long:    lsLong + readExitCodesHelp,
		Example: lsExamples,
		Args:    oneArchive,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := a.archivePath(args[0])
			c, err := verify.ListArchive(cmd.Context(), path)
			if cmd.Context().Err() != nil {
				return cmd.Context().Err()
			}
			if err != nil {
				if c != nil && !jsonOut {
					printListing(a.stdout, c)
				}
				return a.fail(jsonOut, err)
			}
			if jsonOut {
				writeJSON(a.stdout, listJSON(c))
				return nil
			}
			printListing(a.stdout, c)
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the listing as JSON")
	return c
}

// listJSON is the JSON object ls prints.
func listJSON(c *verify.Contents) object {
	o := object{
		{"ok", true},
		{"archivePath", c.ArchivePath},
		{"compression", c.Compression},
	}
	assets := []object{}
	if m := c.Manifest; m != nil {
		o = append(o, kv{"archiveRoot", m.ArchiveRoot},
			kv{"createdAt", m.CreatedAt}, kv{"runtimeVersion", m.RuntimeVersion})
		for _, as := range m.Assets {
			assets = append(assets, object{{"kind", as.Kind},
				{"sourcePath", as.SourcePath}, {"archivePath", as.ArchivePath}})
		}
	} else {
		o = append(o, kv{"manifestError", c.ManifestErr.Error()})
	}
	members := make([]object, 0, len(c.Members))
	for _, m := range c.Members {
		mo := object{{"path", m.Name}, {"type", m.Type}, {"size", m.Size},
			{"mode", fmt.Sprintf("%04o", m.Mode)},
			{"modTime", m.ModTime.Format(time.RFC3339)}}
		if m.Linkname != "" {
			mo = append(mo, kv{"linkTarget", m.Linkname})
		}
		if m.Verdict != "" {
			mo = append(mo, kv{"verdict", m.Verdict})
		}
		if m.Detail != "" {
			mo = append(mo, kv{"detail", m.Detail})
		}
		members = append(members, mo)
	}
	missing := c.NotArchived
	if missing == nil {
		missing = []verify.Verdict{}
	}
	o = append(o, kv{"assets", assets}, kv{"captureRecord", c.Record},
		kv{"members", members}, kv{"notArchived", missing})
	if c.BadRecordLines > 0 {
		o = append(o, kv{"badRecordLines", c.BadRecordLines})
	}
	return o
}

// printListing prints the listing as text: a header, the assets, then one
// aligned line per member.
func printListing(w io.Writer, c *verify.Contents) {
	fmt.Fprintf(w, "Archive: %s (%s)\n", c.ArchivePath, c.Compression)
	if m := c.Manifest; m != nil {
		fmt.Fprintf(w, "Archive root: %s\n", m.ArchiveRoot)
		fmt.Fprintf(w, "Created at: %s\n", m.CreatedAt)
		rv := m.RuntimeVersion
		if rv == "" {
			rv = "unknown"
		}
		fmt.Fprintf(w, "Runtime version: %s\n", rv)
		fmt.Fprintf(w, "Assets: %d\n", len(m.Assets))
		for _, as := range m.Assets {
			fmt.Fprintf(w, "- %s: %s -> %s\n", as.Kind, shown(as.SourcePath),
				shown(as.ArchivePath))
		}
	} else if c.ManifestErr != nil {
		fmt.Fprintf(w, "Manifest: not readable (%v)\n", c.ManifestErr)
	}
	if c.Record {
		fmt.Fprintln(w, "Capture record: yes")
	} else {
		fmt.Fprintln(w, "Capture record: none (no verdicts)")
	}

	fmt.Fprintf(w, "Members: %d\n", len(c.Members))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tMODE\tSIZE\tMODIFIED\tVERDICT\tNAME")
	for _, m := range c.Members {
		verdict := m.Verdict
		if verdict == "" {
			verdict = "-"
		}
		name := shown(m.Name)
		if m.Linkname != "" {
			name += " -> " + shown(m.Linkname)
		}
		fmt.Fprintf(tw, "%s\t%04o\t%d\t%s\t%s\t%s\n", m.Type, m.Mode, m.Size,
			m.ModTime.Format(time.RFC3339), verdict, name)
	}
	tw.Flush()
	if n := len(c.NotArchived); n > 0 {
		fmt.Fprintf(w, "Not archived: %d\n", n)
		for _, v := range c.NotArchived {
			line := fmt.Sprintf("- %s: %s", v.Verdict, shown(v.Path))
			if v.Detail != "" {
				line += " (" + v.Detail + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if c.BadRecordLines > 0 {
		fmt.Fprintf(w, "Warning: %d capture record %s could not be read\n",
			c.BadRecordLines, plural(c.BadRecordLines, "line", "lines"))
	}
}

// shown quotes a name that holds control characters, so that one member
// stays on one line.
func shown(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsPrint(r) && r != ' '
	}) {
		return strconv.Quote(s)
	}
	return s
}
