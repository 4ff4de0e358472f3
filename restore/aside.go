package restore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Names of moved-aside paths. An in-place restore renames what is in the
// way to <path>.before-restore-<time>.in-progress and, once everything is
// written, drops the .in-progress suffix. A failure or a cancellation
// renames it back instead. Only a restore that could run no cleanup at all
// (killed with SIGKILL, or a crash of the machine) leaves an in-progress
// name behind, and the next in-place restore of the same path finds it
// and refuses until the user has decided what to keep.
const (
	asideMark  = ".before-restore-"
	inProgress = ".in-progress"
)

// unfinished refuses to restore rel below the root directory dir while a
// sibling <rel>.before-restore-*.in-progress exists: an earlier restore of
// the same path was stopped before it could clean up, and that sibling
// holds the only copy of what was there before.
func unfinished(r *os.Root, dir, rel string) error {
	d, err := r.Open(path.Dir(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return refusef("inspect destination %s: %w",
			filepath.Join(dir, path.Dir(rel)), err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return refusef("inspect destination %s: %w",
			filepath.Join(dir, path.Dir(rel)), err)
	}
	prefix := path.Base(rel) + asideMark
	for _, n := range names {
		if !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, inProgress) {
			continue
		}
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		aside := filepath.Join(filepath.Dir(abs), n)
		restored := abs + " holds what that restore had written so far"
		undo := fmt.Sprintf("rm -rf %s && mv %s %s", shellQuote(abs),
			shellQuote(aside), shellQuote(abs))
		if _, err := r.Lstat(rel); errors.Is(err, fs.ErrNotExist) {
			restored = abs + " does not exist now"
			undo = fmt.Sprintf("mv %s %s", shellQuote(aside), shellQuote(abs))
		}
		return refusef("an earlier restore of %s was stopped before it "+
			"could clean up (killed?): %s holds what was at %s before that "+
			"restore, and %s; to put the original back, run: %s; to keep "+
			"what is at %s instead, rename %s to a name without %s; then "+
			"restore again", abs, aside, abs, restored, undo, abs, aside,
			inProgress)
	}
	return nil
}

// settle gives each moved-aside path its final name, once the restore is
// complete. A rename that fails leaves the path under its in-progress
// name, which a note reports; the restore itself stands.
func (w *writer) settle() []string {
	var notes []string
	for i, mv := range w.p.moves {
		d, err := w.p.roots[mv.dir].Open(path.Dir(mv.to))
		if err == nil {
			err = renameAt(d, path.Base(mv.to), path.Base(mv.final))
			d.Close()
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s could not be renamed "+
				"to %s (%v); it holds what was at %s before the restore, "+
				"and the next in-place restore of %s refuses until it is "+
				"renamed", mv.dst, mv.finalAbs, err, mv.abs, mv.abs))
			continue
		}
		w.moved[i].To = mv.finalAbs
	}
	return notes
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// maxExamples bounds the names notRestored returns.
const maxExamples = 5

// notRestored walks the moved-aside tree aside, without following symbolic
// links, and compares each file and link with what the restore put at the
// same relative path below restored: missing counts what has nothing
// there, changed what differs in type, size or modification time (to the
// second, as the archive keeps it). It returns both counts and a few of
// those paths, relative to restored. A tree it cannot read counts what it
// read.
func notRestored(aside, restored string) (missing, changed int, examples []string) {
	filepath.WalkDir(aside, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(aside, p)
		if err != nil {
			return nil
		}
		dst, name := restored, filepath.Base(restored)
		if rel != "." {
			dst, name = filepath.Join(restored, rel), rel
		}
		old, err := d.Info()
		if err != nil {
			return nil
		}
		now, err := os.Lstat(dst)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing++
		case err != nil:
			return nil
		case now.Mode().Type() != old.Mode().Type() ||
			(old.Mode().IsRegular() && now.Size() != old.Size()) ||
			now.ModTime().Unix() != old.ModTime().Unix():
			changed++
		default:
			return nil
		}
		if len(examples) < maxExamples {
			examples = append(examples, name)
		}
		return nil
	})
	return missing, changed, examples
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
