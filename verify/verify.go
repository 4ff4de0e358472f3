package verify

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clawback/clawback/manifest"
)

// Options tune a verification. The zero value is ready to use.
type Options struct {
	// TempDir is scratch space for checks that need files on disk, such as
	// opening SQLite snapshots. Empty means os.TempDir. It is not used yet.
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
}

// Error is a failed verification. Reason is the sentence OpenClaw 2026.9.6
// prints for the same failure (or, for the few checks clawback adds, one in
// the same style); Err, when set, is the underlying cause, such as a
// *manifest.Error or an *fs.PathError.
type Error struct {
	ArchivePath string
	Reason      string
	Err         error
}

// Error returns "Backup archive verification failed: <path>. <reason>",
// OpenClaw's wording.
func (e *Error) Error() string {
	return "Backup archive verification failed: " + e.ArchivePath + ". " +
		e.Reason
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
		return nil, &Error{abs, "Archive does not exist. Check the path " +
			"and run `openclaw backup verify <archive>` again.", err}
	case err != nil:
		return nil, &Error{abs, "Archive could not be inspected. " +
			nodeText(err) + " Check the path and file permissions, " +
			"then try again.", err}
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

func notRegular(path string) error {
	return &Error{ArchivePath: path, Reason: "Archive must be a regular " +
		"file. Choose a backup archive created by `openclaw backup " +
		"create` and try again."}
}

func unreadable(path string, err error) error {
	return &Error{path, "Archive could not be read or parsed. " +
		nodeText(err) + " Check the file permissions and archive " +
		"integrity, then try again.", err}
}

// Stream verifies an archive read from r, as Archive does once the file is
// open; displayPath names it in the result and in messages. r is read to
// its end unless verification stops early, and is not closed. Memory use is
// bounded apart from the list of member names.
//
// A failed check returns an *Error; if ctx ends first, Stream returns
// ctx.Err() unwrapped.
func Stream(ctx context.Context, r io.Reader, displayPath string,
	opts Options) (*Result, error) {
	l, err := scan(ctx, r)
	if err != nil {
		return nil, err
	}
	fail := func(reason string, cause error) (*Result, error) {
		return nil, &Error{ArchivePath: displayPath, Reason: reason,
			Err: cause}
	}

	// The stream itself: readable, decompressible, a tar node-tar accepts.
	if l.readErr != nil {
		return nil, unreadable(displayPath, l.readErr)
	}
	if l.invalid != "" {
		reason := strings.TrimRight(l.invalid, ".!?") + "."
		return fail("Archive is not a valid OpenClaw backup. "+reason+
			" Choose another archive or create a new one with "+
			"`openclaw backup create`.", nil)
	}

	res, reason, cause := check(l)
	if reason != "" {
		return fail(reason, cause)
	}
	res.ArchivePath = displayPath
	return res, nil
}
