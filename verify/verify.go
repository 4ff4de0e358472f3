package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clawback/clawback/manifest"
)

// Options tune a verification. The zero value is ready to use.
type Options struct {
	// TempDir receives a copy of each SQLite database in the archive while
	// it is checked; the copy is removed afterwards. Empty means
	// os.TempDir.
	TempDir string
}

// Result describes an archive that passed verification. The fields match
// the object OpenClaw's `backup verify --json` prints, plus the parsed
// manifest and the compression that was found.
type Result struct {
	ArchivePath    string
	ArchiveRoot    string // as the manifest spells it
	CreatedAt      string
	RuntimeVersion string // "unknown" when the manifest has none

	AssetCount   int // assets listed in the manifest
	EntryCount   int // tar members, not counting PAX and GNU meta headers
	SymlinkCount int

	// ExternalSymbolicLinks lists the symbolic links whose target leaves
	// the state directory, with the member name and target as stored.
	ExternalSymbolicLinks []manifest.ExternalLink

	Manifest    *manifest.Manifest
	Compression string // "gzip", "zstd" or "none"

	// Unportable holds OpenClaw's reasons for refusing names that a POSIX
	// file system allows (a backslash, a drive-like segment, names equal
	// but for case): set only for archives that clawback wrote, which
	// verify despite them but will not pass OpenClaw's verifier.
	Unportable []string

	// ContentChecked is set when the manifest names a checksum list, as
	// clawback writes one, and every payload file was compared with it;
	// FilesChecked counts those files. Archives that OpenClaw wrote have
	// no list: only their structure is checked.
	ContentChecked bool
	FilesChecked   int

	// SnapshotsChecked counts the SQLite snapshots that passed their
	// checks; OpaqueDatabases names the databases the capture record says
	// were archived as opaque bytes, which are not checked.
	SnapshotsChecked int
	OpaqueDatabases  []string
}

// Problem is one reason an archive failed verification. Path is the member
// it concerns, as the archive names it, or empty when it concerns the
// archive as a whole.
type Problem struct {
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
}

// Error is a failed verification. Reason is the sentence OpenClaw 2026.9.6
// prints for the same failure (or, for the checks clawback adds, one in the
// same style); Err, when set, is the underlying cause, such as a
// *manifest.Error or an *fs.PathError.
//
// Problems lists every problem found, the one Reason words first. The
// structural checks stop at the first failure, as OpenClaw's do, and give
// one problem; the content checks give one per file. A stream that broke
// inside a member's body names that member in its problem.
type Error struct {
	ArchivePath string
	Reason      string
	Err         error
	Problems    []Problem
}

// Error returns "Backup archive verification failed: <path>. <reason>",
// OpenClaw's wording, followed by the member the first problem concerns
// when the reason does not name it, and by the number of further problems.
func (e *Error) Error() string {
	msg := "Backup archive verification failed: " + e.ArchivePath + ". " +
		e.Reason
	if len(e.Problems) == 0 {
		return msg
	}
	if p := e.Problems[0].Path; p != "" && !strings.Contains(e.Reason, p) {
		msg += " Affected member: " + p + "."
	}
	switch n := len(e.Problems) - 1; {
	case n == 1:
		msg += " (and 1 more problem)"
	case n > 1:
		msg += fmt.Sprintf(" (and %d more problems)", n)
	}
	return msg
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Archive verifies the backup archive at path: that it is a regular file
// (a symbolic link to one is followed), that it decompresses cleanly to its
// end, and that its tar members and manifest pass every structural check of
// OpenClaw 2026.9.6's `backup verify`, in its order. The path is made
// absolute for the result and the messages.
//
// A failed check returns an *Error. If ctx ends first, Archive returns
// ctx.Err() unwrapped. The file is only read, and closed before Archive
// returns.
func Archive(ctx context.Context, path string, opts Options) (*Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, failure(abs, "Archive does not exist. Check the path "+
			"and run `clawback verify <archive>` again.", err)
	case err != nil:
		return nil, failure(abs, "Archive could not be inspected. "+
			nodeText(err)+" Check the path and file permissions, "+
			"then try again.", err)
	case !fi.Mode().IsRegular():
		return nil, notRegular(abs)
	}

	f, err := os.Open(abs)
	if err != nil {
		return nil, unreadable(abs, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, notRegular(abs) // replaced since the first look
	}
	return Stream(ctx, f, abs, opts)
}

// failure is an *Error with one problem that concerns the whole archive.
func failure(path, reason string, cause error) *Error {
	return &Error{ArchivePath: path, Reason: reason, Err: cause,
		Problems: []Problem{{Reason: reason}}}
}

func notRegular(path string) error {
	return failure(path, "Archive must be a regular file. Choose a backup "+
		"archive created by `clawback create` or `openclaw backup "+
		"create` and try again.", nil)
}

func unreadable(path string, err error) *Error {
	return failure(path, "Archive could not be read or parsed. "+
		nodeText(err)+" Check the file permissions and archive "+
		"integrity, then try again.", err)
}

// Stream verifies an archive read from r, as Archive does once the file is
// open; displayPath names it in the result and in messages. r is read to
// its end unless verification stops early, and is not closed. Memory use is
// bounded apart from the list of members (names, link targets and one
// SHA-256 each) and the checksum list's names.
//
// The structural checks run first, in OpenClaw's order, and stop at the
// first failure. When they pass and the manifest names a checksum list, the
// content of every payload file is compared with it, and every mismatch is
// reported. A failed check returns an *Error; if ctx ends first, Stream
// returns ctx.Err() unwrapped.
func Stream(ctx context.Context, r io.Reader, displayPath string,
	opts Options) (*Result, error) {
	temp := opts.TempDir
	if temp == "" {
		temp = os.TempDir()
	}
	l, err := scan(ctx, r, temp)
	if err != nil {
		return nil, err
	}

	// The stream itself: readable, decompressible, a tar node-tar accepts.
	if l.readErr != nil {
		e := unreadable(displayPath, l.readErr)
		e.Problems[0].Path = l.brokenIn
		if l.complete {
			// The tar was read to its end before the stream failed (a bad
			// CRC, say): the content checks can still say which file.
			if res, reason, _ := check(l); reason == "" {
				e.Problems = append(e.Problems, checkContent(l, res)...)
			}
		}
		return nil, e
	}
	if l.invalid != "" {
		reason := strings.TrimRight(l.invalid, ".!?") + "."
		e := failure(displayPath, "Archive is not a valid OpenClaw backup. "+
			reason+" Choose another archive or create a new one with "+
			"`clawback create`.", nil)
		e.Problems[0].Path = l.brokenIn
		return nil, e
	}

	res, reason, cause := check(l)
	if reason != "" {
		return nil, failure(displayPath, reason, cause)
	}
	if problems := checkContent(l, res); len(problems) > 0 {
		return nil, &Error{ArchivePath: displayPath,
			Reason: problems[0].Reason, Problems: problems}
	}
	if problems := checkSQLite(l, res); len(problems) > 0 {
		return nil, &Error{ArchivePath: displayPath,
			Reason: problems[0].Reason, Problems: problems}
	}
	res.ArchivePath = displayPath
	return res, nil
}
