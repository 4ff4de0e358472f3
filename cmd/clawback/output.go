package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/clawback/clawback/backup"
	"github.com/clawback/clawback/manifest"
	"github.com/clawback/clawback/plan"
)

// listLimit is how many items of a long list the text summary shows.
const listLimit = 5

func writeJSON(w io.Writer, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	w.Write(buf.Bytes())
}

// kv is one key of an ordered JSON object.
type kv struct {
	k string
	v any
}

// object is a JSON object that keeps its key order, as OpenClaw prints it.
type object []kv

func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		buf.Write(k)
		buf.WriteByte(':')
		var vb bytes.Buffer
		enc := json.NewEncoder(&vb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e.v); err != nil {
			return nil, err
		}
		buf.Write(bytes.TrimRight(vb.Bytes(), "\n"))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// createJSON is the result object of create, in OpenClaw 2026.9.6's shape,
// with clawback's capture report added under "capture".
func createJSON(f *createFlags, p *plan.Plan, res *backup.Result) object {
	assets := make([]object, 0, len(p.Assets))
	for _, a := range p.Assets {
		assets = append(assets, object{{"kind", a.Kind}, {"sourcePath", a.SourcePath},
			{"displayPath", a.DisplayPath}, {"archivePath", a.ArchivePath}})
	}
	skipped := make([]object, 0, len(p.Skipped))
	for _, s := range p.Skipped {
		o := object{{"kind", s.Kind}, {"sourcePath", s.SourcePath},
			{"displayPath", s.DisplayPath}, {"reason", s.Reason}}
		if s.CoveredBy != "" {
			o = append(o, kv{"coveredBy", s.CoveredBy})
		}
		skipped = append(skipped, o)
	}
	volatile := 0
	var warnings []string
	var links []manifest.ExternalLink
	if res != nil {
		for _, e := range res.Excluded {
			skipped = append(skipped, object{{"kind", "entry"}, {"sourcePath", e.Path},
				{"displayPath", p.Display(e.Path)}, {"reason", "volatile"}, {"rule", e.Rule}})
		}
		for _, fr := range res.Files {
			if fr.Member != "" {
				continue
			}
			skipped = append(skipped, object{{"kind", "entry"}, {"sourcePath", fr.Path},
				{"displayPath", p.Display(fr.Path)}, {"reason", fr.Verdict}})
		}
		volatile = res.SkippedVolatileCount
		warnings = res.Warnings
		links = res.ExternalLinks
	}

	o := object{
		{"ok", true},
		{"createdAt", p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")},
		{"archiveRoot", p.ArchiveRoot},
		{"archivePath", p.OutputPath},
		{"dryRun", f.dryRun},
		{"includeWorkspace", p.Options.IncludeWorkspace},
		{"onlyConfig", p.Options.OnlyConfig},
		{"verified", res != nil && res.Verified},
		{"assets", assets},
	}
	if p.AgentRoots != nil {
		o = append(o, kv{"agentRoots", p.AgentRoots})
	}
	o = append(o, kv{"skipped", skipped}, kv{"skippedVolatileCount", volatile})
	if len(warnings) > 0 {
		o = append(o, kv{"warnings", warnings})
	}
	if len(links) > 0 {
		o = append(o, kv{"externalSymbolicLinks", links})
	}
	if res != nil {
		files := res.Files
		if files == nil {
			files = []backup.FileReport{}
		}
		o = append(o, kv{"capture", object{
			{"complete", !res.Incomplete},
			{"counts", res.Counts},
			{"verdicts", res.Verdicts},
			{"rules", res.Rules},
			{"files", files},
		}})
	}
	return o
}

func (a *app) printCreate(f *createFlags, p *plan.Plan, res *backup.Result) error {
	if f.json {
		writeJSON(a.stdout, createJSON(f, p, res))
		return nil
	}
	w := a.stdout
	fmt.Fprintf(w, "Backup archive: %s\n", p.OutputPath)
	if p.OutputMoved {
		fmt.Fprintf(w, "Note: the current directory lies inside a backed-up path, "+
			"so the archive goes to %s; name another place with --output.\n",
			filepath.Dir(p.OutputPath))
	}
	fmt.Fprintf(w, "Included %d %s:\n", len(p.Assets), plural(len(p.Assets), "path", "paths"))
	for _, as := range p.Assets {
		fmt.Fprintf(w, "- %s: %s\n", as.Kind, as.DisplayPath)
	}
	if n := len(p.Skipped); n > 0 {
		fmt.Fprintf(w, "Skipped %d %s:\n", n, plural(n, "path", "paths"))
		for _, s := range p.Skipped {
			if s.Reason == "covered" && s.CoveredBy != "" {
				fmt.Fprintf(w, "- %s: %s (covered by %s)\n", s.Kind, s.DisplayPath, s.CoveredBy)
			} else {
				fmt.Fprintf(w, "- %s: %s (%s)\n", s.Kind, s.DisplayPath, s.Reason)
			}
		}
	}
	if res == nil {
		fmt.Fprintln(w, "Dry run only; archive was not written.")
		return nil
	}
	for i, l := range res.ExternalLinks {
		if i == listLimit {
			fmt.Fprintf(w, "... and %d more external links (see --json)\n", len(res.ExternalLinks)-i)
			break
		}
		fmt.Fprintf(w, "External link preserved (target not copied through link): %q -> %q\n",
			l.EntryPath, l.Linkpath)
	}
	fmt.Fprintf(w, "Created %s\n", p.OutputPath)
	c := res.Counts
	fmt.Fprintf(w, "Captured %d %s, %d %s and %d symbolic %s (%s).\n",
		c.Regular, plural(c.Regular, "file", "files"), c.Dirs,
		plural(c.Dirs, "directory", "directories"), c.Symlinks,
		plural(c.Symlinks, "link", "links"), humanBytes(c.Bytes))
	if n := res.SkippedVolatileCount; n > 0 {
		// A rule that matches a directory leaves it out whole: it counts once.
		fmt.Fprintf(w, "Left out %d %s by rule (%s).\n", n, plural(n, "path", "paths"),
			countList(res.Rules))
	}
	printVerdicts(w, res, p.Display)
	if res.Verified {
		fmt.Fprintln(w, "Archive verification: passed")
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", warn)
	}
	return nil
}

// verdictText says what each verdict means, for the summary.
var verdictText = map[string]string{
	"grew":            "grew while read (kept as it was when opened)",
	"changed-retried": "changed while read (read again until stable)",
	"still-changing":  "kept changing after every retry (copy may be inconsistent)",
	"vanished":        "vanished before it could be read|vanished before they could be read",
	"unreadable":      "could not be read",
	"replaced":        "was replaced by a directory|were replaced by a directory",
	"special":         "is a socket, FIFO or device (never archived)|are sockets, FIFOs or devices (never archived)",
	"sqlite-snapshot": "is a SQLite database, archived as a checked snapshot|are SQLite databases, archived as checked snapshots",
	"sqlite-opaque":   "is a SQLite database, archived as opaque bytes|are SQLite databases, archived as opaque bytes",
}

// describe says what verdict v means of n files: the text before a "|"
// is for one file, the text after it for several.
func describe(v string, n int) string {
	one, many, found := strings.Cut(verdictText[v], "|")
	if found && n != 1 {
		return many
	}
	return one
}

func printVerdicts(w io.Writer, res *backup.Result, display func(string) string) {
	for _, v := range slices.Sorted(maps.Keys(res.Verdicts)) {
		n := res.Verdicts[v]
		fmt.Fprintf(w, "%d %s %s:\n", n, plural(n, "file", "files"), describe(v, n))
		listed := 0
		for _, fr := range res.Files {
			if fr.Verdict != v {
				continue
			}
			if listed == listLimit {
				fmt.Fprintf(w, "  ... and %d more (see --json or %s in the archive)\n",
					n-listed, backup.RecordName)
				break
			}
			fmt.Fprintf(w, "  - %s: %s\n", shown(display(fr.Path)), fr.Detail)
			listed++
		}
	}
	if res.Incomplete {
		fmt.Fprintln(w, "Backup incomplete: some files that existed throughout could not be captured consistently (exit 3).")
	}
}

func countList(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// humanBytes is n in binary units: "3 B", "1.5 MiB".
func humanBytes(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }
