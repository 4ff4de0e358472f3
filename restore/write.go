package restore

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// afterWrite, when set, is called after each restored file or link with
// its absolute path; an error fails the restore. Tests use it to inject
// failures.
var afterWrite func(path string) error

type opKind int

const (
	opMkdirAbs opKind = iota // a destination root directory created
	opMove                   // an existing path moved aside
	opMkdir                  // a directory created below a root
	opFile                   // a file or symbolic link created
)

// change is one journaled change to the file system, undone on rollback.
type change struct {
	op       opKind
	dir      string // the root directory, or the directory created
	rel, to  string // below dir; to is the moved-aside name
	pristine bool
}

// dirState is a directory the restore created: it gets its own mode and
// time once its contents are written.
type dirState struct {
	dir, rel string
	mode     fs.FileMode
	mtime    time.Time
	stored   bool // the archive has a member for it
}

// writer is the write pass.
type writer struct {
	p       *plan
	o       Options
	journal []change
	made    map[string]*dirState // by dir + NUL + rel
	existed map[string]bool      // directories found in place
	dirs    []*dirState
	moved   []Moved
	seq     int
	buf     []byte

	openKey string // the directory held open for file creation
	openDir *os.File
}

func key(dir, rel string) string { return dir + "\x00" + rel }

// run writes the selected members of the archive in f.
func (w *writer) run(ctx context.Context, f io.Reader) error {
	w.made, w.existed = map[string]*dirState{}, map[string]bool{}
	w.buf = make([]byte, 1<<20)
	defer w.closeDir()
	if err := w.prepare(); err != nil {
		return err
	}

	tr, closeZ, err := decompress(f)
	if err != nil {
		return fmt.Errorf("read archive %s: %w", w.p.display, err)
	}
	defer closeZ()
	t := tar.NewReader(tr)
	changed := fmt.Errorf("archive %s changed while it was restored",
		w.p.display)
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := t.Next()
		if err == io.EOF {
			if i != len(w.p.all) {
				return changed
			}
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return fmt.Errorf("read archive %s: %w", w.p.display, err)
		}
		if i >= len(w.p.all) {
			return changed
		}
		m := w.p.all[i]
		if h.Name != m.raw || h.Typeflag != m.typeflag ||
			h.Size != m.size || h.Linkname != m.link {
			return changed
		}
		if m.asset == nil || !(m.sel || m.anc) {
			continue
		}
		if err := w.member(ctx, m, t); err != nil {
			return err
		}
	}
	return w.finish()
}

// prepare creates missing destination root directories, opens their
// roots, and moves aside what is in the way of an in-place restore.
func (w *writer) prepare() error {
	for _, a := range w.p.assets {
		if a.members == 0 || w.p.roots[a.dir] != nil {
			continue
		}
		if err := w.mkdirAbs(a.dir); err != nil {
			return err
		}
		r, err := w.p.openRoot(a.dir)
		if err == nil && r == nil {
			err = fmt.Errorf("open destination %s: vanished", a.dir)
		}
		if err != nil {
			return err
		}
	}
	for _, mv := range w.p.moves {
		d, err := w.p.roots[mv.dir].Open(path.Dir(mv.rel))
		if err != nil {
			return fmt.Errorf("move %s aside: %w", mv.abs, err)
		}
		err = renameAt(d, path.Base(mv.rel), path.Base(mv.to))
		d.Close()
		if err != nil {
			return fmt.Errorf("move %s aside to %s: %w", mv.abs, mv.dst, err)
		}
		w.journal = append(w.journal, change{op: opMove, dir: mv.dir,
			rel: mv.rel, to: mv.to})
		w.moved = append(w.moved, Moved{Path: mv.abs, To: mv.dst})
	}
	return nil
}

// mkdirAbs creates dir and its missing parents, private, journaling each.
func (w *writer) mkdirAbs(dir string) error {
	fi, err := os.Lstat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("create %s: not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := w.mkdirAbs(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("create directory %s: %w", dir, err)
	}
	w.journal = append(w.journal, change{op: opMkdirAbs, dir: dir})
	return nil
}

// member writes one member.
func (w *writer) member(ctx context.Context, m *member, r io.Reader) error {
	dir := m.asset.dir
	if m.kind == tar.TypeDir {
		return w.ensureDir(dir, m.dest, m)
	}
	parent, base := path.Dir(m.dest), path.Base(m.dest)
	if err := w.ensureDir(dir, parent, nil); err != nil {
		return err
	}
	d, err := w.dir(dir, parent)
	if err != nil {
		return err
	}
	abs := filepath.Join(dir, filepath.FromSlash(m.dest))
	if m.kind == tar.TypeSymlink {
		err = w.symlink(d, m, base, abs)
	} else {
		err = w.file(ctx, d, m, base, abs, r)
	}
	if err == nil && afterWrite != nil {
		err = afterWrite(abs)
	}
	return err
}

func (w *writer) symlink(d *os.File, m *member, base, abs string) error {
	if err := symlinkAt(d, m.link, base); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create symbolic link %s: it appeared during "+
				"the restore; nothing was replaced", abs)
		}
		return fmt.Errorf("create symbolic link %s: %w", abs, err)
	}
	w.journal = append(w.journal, change{op: opFile, dir: m.asset.dir,
		rel: m.dest})
	if err := linkTimes(d, base, m.mtime); err != nil {
		return fmt.Errorf("set time of %s: %w", abs, err)
	}
	return nil
}

// file writes a regular file under a temporary name in its directory,
// syncs it and renames it into place without replacing anything.
func (w *writer) file(ctx context.Context, d *os.File, m *member, base,
	abs string, r io.Reader) error {
	w.seq++
	tmp := fmt.Sprintf(".clawback-restore-%d-%d.tmp", os.Getpid(), w.seq)
	f, err := openAt(d, tmp)
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", abs, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			removeAt(d, tmp)
		}
	}()

	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h),
		&ctxReader{ctx, io.LimitReader(r, m.size)}, w.buf)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("restore %s: %w", abs, err)
	}
	if n != m.size {
		return fmt.Errorf("restore %s: archive member %s is cut short",
			abs, m.raw)
	}
	if m.sum != nil && !bytes.Equal(h.Sum(nil), m.sum) {
		return fmt.Errorf("restore %s: its content does not match the "+
			"archive's checksum list; the archive is damaged or changed "+
			"during the restore", abs)
	}
	if err := f.Chmod(m.mode); err != nil {
		return fmt.Errorf("restore %s: %w", abs, err)
	}
	if err := setTimes(f, m.mtime); err != nil {
		return fmt.Errorf("restore %s: %w", abs, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("restore %s: %w", abs, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("restore %s: %w", abs, err)
	}
	if err := renameAt(d, tmp, base); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("restore %s: it appeared during the "+
				"restore; nothing was replaced", abs)
		}
		return fmt.Errorf("restore %s: %w", abs, err)
	}
	committed = true
	w.journal = append(w.journal, change{op: opFile, dir: m.asset.dir,
		rel: m.dest})
	return nil
}

// ensureDir makes sure directory rel exists below dir, creating it and its
// missing parents with mode 0700. A directory that existed is left as it
// is. m, when set, is the directory's member, whose mode and time are
// applied at the end.
func (w *writer) ensureDir(dir, rel string, m *member) error {
	if rel == "." || rel == "" {
		return nil
	}
	k := key(dir, rel)
	if ds := w.made[k]; ds != nil {
		if m != nil {
			ds.mode, ds.mtime, ds.stored = m.mode, m.mtime, true
		}
		return nil
	}
	if w.existed[k] {
		return nil
	}
	abs := filepath.Join(dir, filepath.FromSlash(rel))
	r := w.p.roots[dir]
	fi, err := r.Lstat(rel)
	switch {
	case err == nil && fi.IsDir():
		w.existed[k] = true
		return nil
	case err == nil:
		return fmt.Errorf("create directory %s: a %s is in the way",
			abs, fi.Mode().Type())
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("inspect %s: %w", abs, err)
	}
	if err := w.ensureDir(dir, path.Dir(rel), nil); err != nil {
		return err
	}
	if err := r.Mkdir(rel, 0o700); err != nil {
		return fmt.Errorf("create directory %s: %w", abs, err)
	}
	w.journal = append(w.journal, change{op: opMkdir, dir: dir, rel: rel})
	ds := &dirState{dir: dir, rel: rel}
	if m != nil {
		ds.mode, ds.mtime, ds.stored = m.mode, m.mtime, true
	}
	w.made[k] = ds
	w.dirs = append(w.dirs, ds)
	return nil
}

// dir returns directory rel below dir, open, keeping the last one open
// since members arrive directory by directory.
func (w *writer) dir(dir, rel string) (*os.File, error) {
	k := key(dir, rel)
	if w.openKey == k && w.openDir != nil {
		return w.openDir, nil
	}
	w.closeDir()
	d, err := w.p.roots[dir].Open(rel)
	if err != nil {
		return nil, fmt.Errorf("open directory %s: %w",
			filepath.Join(dir, filepath.FromSlash(rel)), err)
	}
	w.openKey, w.openDir = k, d
	return d, nil
}

func (w *writer) closeDir() {
	if w.openDir != nil {
		w.openDir.Close()
		w.openDir, w.openKey = nil, ""
	}
}

// finish gives the created directories their modes and times, deepest
// first so that a directory's time is set after its contents, and syncs
// them and the directories that received the restored paths.
func (w *writer) finish() error {
	w.closeDir()
	slices.SortStableFunc(w.dirs, func(a, b *dirState) int {
		return strings.Count(b.rel, "/") - strings.Count(a.rel, "/")
	})
	for _, ds := range w.dirs {
		abs := filepath.Join(ds.dir, filepath.FromSlash(ds.rel))
		d, err := w.p.roots[ds.dir].Open(ds.rel)
		if err != nil {
			return fmt.Errorf("finish directory %s: %w", abs, err)
		}
		err = finishDir(d, ds)
		d.Close()
		if err != nil {
			return fmt.Errorf("finish directory %s: %w", abs, err)
		}
	}

	synced := map[string]bool{}
	for _, u := range w.p.units {
		parent := path.Dir(path.Join(u.asset.base, u.rel))
		k := key(u.asset.dir, parent)
		if synced[k] || w.made[k] != nil {
			continue
		}
		synced[k] = true
		d, err := w.p.roots[u.asset.dir].Open(parent)
		if err == nil {
			err = d.Sync()
			d.Close()
		}
		if err != nil {
			return fmt.Errorf("sync %s: %w", filepath.Join(u.asset.dir,
				parent), err)
		}
	}
	return nil
}

func finishDir(d *os.File, ds *dirState) error {
	if ds.stored {
		if err := d.Chmod(ds.mode); err != nil {
			return err
		}
		if err := setTimes(d, ds.mtime); err != nil {
			return err
		}
	}
	return d.Sync()
}

// rollback undoes the journal, newest first: it removes what was created
// and renames moved-aside paths back. It reports what it could not undo.
func (w *writer) rollback() error {
	w.closeDir()
	for _, c := range w.journal {
		if c.op == opMkdir {
			w.p.roots[c.dir].Chmod(c.rel, 0o700)
		}
	}
	var left []string
	for i := len(w.journal) - 1; i >= 0; i-- {
		c := w.journal[i]
		var err error
		abs := filepath.Join(c.dir, filepath.FromSlash(c.rel))
		switch c.op {
		case opFile, opMkdir:
			err = w.p.roots[c.dir].Remove(c.rel)
		case opMove:
			var d *os.File
			if d, err = w.p.roots[c.dir].Open(path.Dir(c.rel)); err == nil {
				err = renameAt(d, path.Base(c.to), path.Base(c.rel))
				d.Close()
			}
			if err != nil {
				abs = filepath.Join(c.dir, filepath.FromSlash(c.to)) +
					" (moved aside from " + abs + ")"
			}
		case opMkdirAbs:
			abs = c.dir
			err = os.Remove(c.dir)
		}
		if err != nil {
			left = append(left, abs+": "+err.Error())
		}
	}
	w.journal = nil
	if len(left) > 0 {
		return fmt.Errorf("roll back the restore: %d %s left behind: %s",
			len(left), plural(len(left), "change", "changes"), strings.Join(left, "; "))
	}
	return nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
