// Package publish writes a file under a temporary name and gives it its
// final name atomically, never replacing a file that is already there.
//
// The temporary file lives in the destination directory, so that the final
// step is a rename within one file system. It is created with mode 0600 and
// a recognisable name (.clawback-<random>.tmp) and is locked for as long as
// its writer lives; a later Create in the same directory removes temporary
// files whose lock is free, which is what a killed run leaves behind.
// Commit syncs the file, renames it with RENAME_NOREPLACE (or links and
// unlinks it where the file system lacks that), and syncs the directory.
package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
)

// ErrExists is returned by Commit when the final name is already taken.
var ErrExists = errors.New("destination exists")

const (
	tempPrefix = ".clawback-"
	tempSuffix = ".tmp"
)

// Temp is a file being written for publication. Exactly one of Commit and
// Abort must be called; Abort after Commit does nothing.
type Temp struct {
	f       *os.File
	final   string
	done    bool
	created []string // directories Create made, parents first
}

// Create makes the destination's directory (and its parents) and a locked
// temporary file in it for final. It first removes temporary files of
// earlier runs that no longer hold their lock.
func Create(final string) (*Temp, error) {
	dir := filepath.Dir(final)
	created, err := mkdirs(dir)
	if err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	Sweep(dir)
	name := filepath.Join(dir, tempPrefix+uuid.NewString()+tempSuffix)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		removeDirs(created)
		return nil, fmt.Errorf("create temporary archive: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		os.Remove(name)
		removeDirs(created)
		return nil, fmt.Errorf("lock temporary archive %s: %w", name, err)
	}
	return &Temp{f: f, final: final, created: created}, nil
}

// mkdirs makes dir and its missing parents and returns the directories it
// made, parents first. On error the ones it made are removed again.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], 0o755)
		if errors.Is(err, os.ErrExist) {
			continue // made by someone else meanwhile: not ours to remove
		}
		if err != nil {
			removeDirs(created)
			return nil, err
		}
		created = append(created, missing[i])
	}
	// What is there must be a directory, as MkdirAll would insist.
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		removeDirs(created)
		if err == nil {
			err = fmt.Errorf("%s: not a directory", dir)
		}
		return nil, err
	}
	return created, nil
}

// removeDirs removes the directories made by mkdirs, deepest first, as
// long as they are empty.
func removeDirs(created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		if os.Remove(created[i]) != nil {
			return
		}
	}
}

// File is the temporary file to write. Its name is Name().
func (t *Temp) File() *os.File { return t.f }

// Commit syncs and closes the temporary file and publishes it under its
// final name. When the name is taken it returns an error wrapping ErrExists
// and removes the temporary file.
func (t *Temp) Commit() error {
	if t.done {
		return errors.New("publish: already finished")
	}
	t.done = true
	tmp := t.f.Name()
	if err := t.f.Sync(); err != nil {
		t.f.Close()
		os.Remove(tmp)
		return fmt.Errorf("sync archive: %w", err)
	}
	err := renameNoReplace(tmp, t.final)
	if err != nil {
		t.f.Close()
		os.Remove(tmp)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("publish %s: %w", t.final, ErrExists)
		}
		return fmt.Errorf("publish %s: %w", t.final, err)
	}
	cerr := t.f.Close()
	if err := syncDir(filepath.Dir(t.final)); err != nil {
		return fmt.Errorf("sync directory of %s: %w", t.final, err)
	}
	if cerr != nil {
		return fmt.Errorf("close %s: %w", t.final, cerr)
	}
	return nil
}

// Abort closes and removes the temporary file, and the directories Create
// made for it when they are still empty.
func (t *Temp) Abort() {
	if t.done {
		return
	}
	t.done = true
	name := t.f.Name()
	t.f.Close()
	os.Remove(name)
	removeDirs(t.created)
}

// Scratch creates a locked scratch file in dir, named
// .clawback-<kind>-<random>.tmp, for work that needs a file by name (a
// database copy SQLite writes, say). The lock lives as long as the returned
// descriptor: the caller removes the file and then closes it. A file whose
// process was killed keeps its name but loses its lock, and the next Sweep
// of dir removes it, with the -journal, -wal and -shm files SQLite may
// have made beside it.
func Scratch(dir, kind string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	Sweep(dir)
	name := filepath.Join(dir, tempPrefix+kind+"-"+uuid.NewString()+tempSuffix)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create scratch file: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		os.Remove(name)
		return nil, fmt.Errorf("lock scratch file %s: %w", name, err)
	}
	return f, nil
}

// sidecars are the files SQLite makes beside a database it writes.
var sidecars = []string{"-journal", "-wal", "-shm"}

// Sweep removes the temporary and scratch files in dir that no live
// process holds, and the SQLite sidecars of scratch files.
func Sweep(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, tempPrefix) ||
			!strings.HasSuffix(n, tempSuffix) {
			continue
		}
		p := filepath.Join(dir, n)
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if lock(f) == nil {
			os.Remove(p)
			for _, s := range sidecars {
				os.Remove(p + s)
			}
		}
		f.Close()
	}
}
