package backup

import (
	"context"
	"os"
	"path/filepath"

	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/snapshot"
)

// Verdicts of files recognised as SQLite databases.
const (
	// VerdictSnapshot is a database archived as an online-backup
	// snapshot that passed quick_check.
	VerdictSnapshot = "sqlite-snapshot"
	// VerdictOpaque is a database that could not be snapshotted and was
	// archived as it is on disk; the detail says why.
	VerdictOpaque = "sqlite-opaque"
)

// isDatabase reports whether the regular file at path starts with the
// SQLite header. The descriptor that reads it is closed before any
// connection to the file is opened.
func isDatabase(path string) bool {
	head, err := capture.ReadHead(path, len(snapshot.Magic))
	return err == nil && snapshot.IsDatabase(head)
}

// captureDatabase snapshots the database at path, or, when that fails,
// captures its bytes as any file is captured and records why. An opaque
// copy is marked inconsistent when it may lack committed transactions: the
// database had a non-empty -wal or a -journal, or it grew while read.
func captureDatabase(ctx context.Context, path string, cfg *capture.Config,
	o snapshot.Options, reserve capture.Reserve) *capture.Result {
	s, err := snapshot.Capture(ctx, path, o)
	if err == nil {
		reserve(0) // the snapshot is on disk, not in memory
		r := capture.Spooled(s.File, s.Size, s.Mode, s.ModTime)
		r.SQLite, r.Verdict, r.Detail = "snapshot", VerdictSnapshot, s.Detail()
		return r
	}

	// Opaque: the bytes as they are, by the live-write rules.
	raw := *cfg
	raw.LineOriented, raw.Divert = nil, nil
	r := capture.File(ctx, path, &raw, reserve)
	if r.Kind != capture.Regular {
		return r
	}
	r.SQLite = "opaque"
	detail := "SQLite database archived as opaque bytes: " + err.Error()
	switch r.Verdict {
	case capture.Clean, capture.Retried:
		r.Verdict = VerdictOpaque
	case capture.Grew:
		r.Verdict, r.Inconsistent = VerdictOpaque, true
	}
	if pending(path) {
		r.Inconsistent = true
		detail += "; changes in its -wal or -journal are not in the copy"
	}
	if r.Detail != "" {
		detail += "; " + r.Detail
	}
	r.Detail = detail
	return r
}

// pending reports whether the database at path has a non-empty -wal or a
// -journal: committed or half-written changes outside the main file.
func pending(path string) bool {
	if fi, err := os.Lstat(path + "-wal"); err == nil && fi.Size() > 0 {
		return true
	}
	fi, err := os.Lstat(path + "-journal")
	return err == nil && fi.Size() > 0
}

// sidecars returns the names in a directory listing that are sidecars of a
// file in the same listing recognised as a SQLite database.
func sidecars(dir string, names []string, regular func(string) bool) map[string]bool {
	var out map[string]bool
	known := map[string]bool{}
	for _, n := range names {
		base, ok := snapshot.SidecarOf(n)
		if !ok || !regular(base) {
			continue
		}
		db, seen := known[base]
		if !seen {
			db = isDatabase(filepath.Join(dir, base))
			known[base] = db
		}
		if db {
			if out == nil {
				out = map[string]bool{}
			}
			out[n] = true
		}
	}
	return out
}
