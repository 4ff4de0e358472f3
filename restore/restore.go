package restore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clawback/clawback/manifest"
	"github.com/clawback/clawback/verify"
)

// Options say where and what to restore. Exactly one of Target and InPlace
// must be set.
type Options struct {
	// Target is a directory under which every asset is restored at its
	// original absolute path. It is created when missing; nothing in it is
	// ever replaced.
	Target string

	// InPlace restores every asset at its original path. An existing path
	// is renamed to <path>.before-restore-<time>, never deleted.
	InPlace bool

	// Force restores in place even while the gateway appears to run.
	Force bool

	// Only, when not empty, restores just the members that match one of
	// these doublestar globs, with everything below a matching directory.
	// A glob is matched against the path relative to the asset root (for
	// an asset that is a single file, against its name).
	Only []string

	// DryRun plans and checks everything and writes nothing.
	DryRun bool

	// Now gives the time for moved-aside names; nil means time.Now.
	Now func() time.Time
}

// Result is what a restore did, or with DryRun would do.
type Result struct {
	ArchivePath string
	ArchiveRoot string
	Target      string // empty in place
	InPlace     bool
	DryRun      bool

	Assets     []AssetResult
	MovedAside []Moved

	// Counts of the members restored; Bytes is the size of the files.
	Files, Dirs, Symlinks int
	Bytes                 int64

	// Paths lists, with DryRun, every path that would be written.
	Paths []string

	// Notes are what a user should know after the restore.
	Notes []string
	// WouldRefuse, set only by a dry run, says why the restore itself
	// would be refused (a running gateway).
	WouldRefuse string
}

// AssetResult is one restored asset: its kind and original path as the
// manifest names them, and where it was restored.
type AssetResult struct {
	Kind        string `json:"kind"`
	SourcePath  string `json:"sourcePath"`
	RestoredTo  string `json:"restoredPath"`
	MemberCount int    `json:"members"`
}

// Moved is an existing path that an in-place restore renamed aside.
type Moved struct {
	Path string `json:"path"`
	To   string `json:"to"`
	// After a restore (not a dry run), NotRestored counts the files and
	// links below To that have nothing at the same place below Path: what
	// the backup left out (logs, queues) and what was created after it;
	// Changed counts those whose restored version differs in type, size or
	// modification time, such as a file appended to after the backup.
	// Examples names a few of either, relative to Path.
	NotRestored int      `json:"notRestored,omitempty"`
	Changed     int      `json:"changed,omitempty"`
	Examples    []string `json:"examples,omitempty"`
}

// ErrRefused marks a restore that was refused before anything was written:
// a damaged or hostile archive, an existing destination, a running
// gateway, too little space, an --only glob that matches nothing.
var ErrRefused = errors.New("restore refused")

// refusef returns an error that wraps ErrRefused.
func refusef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRefused}, args...)...)
}

// verifyArchive is verify.Archive; tests of the guard replace it.
var verifyArchive = verify.Archive

// Archive restores the archive at path as o says. It verifies the archive
// first and refuses one that does not verify.
//
// An error wrapping ErrRefused means that nothing was written. Any other
// error, or a cancelled ctx (returned as ctx.Err()), means that everything
// written so far was removed again and every moved-aside path was renamed
// back; an error that says rollback was incomplete names what was left.
func Archive(ctx context.Context, path string, o Options) (*Result, error) {
	if o.InPlace == (o.Target != "") {
		return nil, errors.New("restore needs exactly one of a target " +
			"directory and in-place")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve archive path %s: %w", path, err)
	}

	// Hold the archive open across the passes, and make sure that the
	// file verified is the one read.
	f, err := os.Open(abs)
	if err != nil {
		_, verr := verifyArchive(ctx, abs, verify.Options{})
		if verr != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: %w", ErrRefused, verr)
		}
		return nil, fmt.Errorf("open archive: %w", err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("inspect archive %s: %w", abs, err)
	}

	vres, err := verifyArchive(ctx, abs, verify.Options{})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	after, err := os.Stat(abs)
	if err != nil || !os.SameFile(before, after) ||
		after.Size() != before.Size() ||
		!after.ModTime().Equal(before.ModTime()) {
		return nil, refusef("archive %s changed while it was verified; "+
			"run the restore again", abs)
	}
	return restoreFile(ctx, f, abs, vres.Manifest, o)
}

// restoreFile runs the plan and write passes over f. verified is the
// manifest that verification read, or nil when verification was skipped;
// when set, the manifest read here must equal it.
func restoreFile(ctx context.Context, f *os.File, display string,
	verified *manifest.Manifest, o Options) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	p, err := readPlan(ctx, f, display)
	if err != nil {
		return nil, err
	}
	if verified != nil && !sameManifest(verified, p.m) {
		return nil, refusef("archive %s changed while it was restored; "+
			"run the restore again", display)
	}
	if err := p.place(o); err != nil {
		return nil, err
	}
	defer p.closeRoots()
	if err := p.check(o); err != nil {
		return nil, err
	}
	res := p.result(display, o)
	if o.DryRun {
		return res, nil
	}

	if _, err := f.Seek(0, 0); err != nil {
		return nil, fmt.Errorf("rewind archive %s: %w", display, err)
	}
	w := &writer{p: p, o: o}
	if err := w.run(ctx, f); err != nil {
		rerr := w.rollback()
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = ctx.Err()
		}
		return nil, errors.Join(err, rerr)
	}
	res.Notes = append(res.Notes, w.settle()...)
	res.MovedAside = w.moved
	for i := range res.MovedAside {
		mv := &res.MovedAside[i]
		mv.NotRestored, mv.Changed, mv.Examples = notRestored(mv.To, mv.Path)
		if n := mv.NotRestored + mv.Changed; n > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%s still holds %d "+
				"%s that the archive did not have and %d that differ from "+
				"the restored ones, such as %s: what the backup left out "+
				"and what changed after it; copy back what you need before "+
				"deleting it.", mv.To, mv.NotRestored,
				plural(mv.NotRestored, "file", "files"), mv.Changed,
				mv.Examples[0]))
		}
	}
	return res, nil
}

func sameManifest(a, b *manifest.Manifest) bool {
	x, err1 := manifest.Marshal(a)
	y, err2 := manifest.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
