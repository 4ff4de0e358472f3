package publish

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, tmp *Temp, data string) {
	t.Helper()
	if _, err := tmp.File().WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestCommit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b") // parents are created
	final := filepath.Join(dir, "backup.tar.gz")
	tmp, err := Create(final)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := tmp.File().Stat()
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("temporary file mode %v (%v), want 0600", fi.Mode(), err)
	}
	write(t, tmp, "archive")
	if err := tmp.Commit(); err != nil {
		t.Fatal(err)
	}
	tmp.Abort() // after Commit, does nothing
	got, err := os.ReadFile(final)
	if err != nil || string(got) != "archive" {
		t.Fatalf("published %q, %v", got, err)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the archive", names)
	}
}

func TestCommit_neverReplaces(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "backup.tar.gz")
	if err := os.WriteFile(final, []byte("older"), 0o600); err != nil {
		t.Fatal(err)
	}
	tmp, err := Create(final)
	if err != nil {
		t.Fatal(err)
	}
	write(t, tmp, "newer")
	if err := tmp.Commit(); !errors.Is(err, ErrExists) {
		t.Fatalf("Commit over an existing file: %v, want ErrExists", err)
	}
	got, _ := os.ReadFile(final)
	if string(got) != "older" {
		t.Errorf("existing archive now holds %q", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the older archive", names)
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	tmp, err := Create(filepath.Join(dir, "backup.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, tmp, "partial")
	tmp.Abort()
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("Abort left %v", names)
	}
	if err := tmp.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

// TestAbort_removesDirectoriesItMade checks that an aborted publication
// into missing directories removes the ones it made, but not one that
// existed before or one that holds something else by then.
func TestAbort_removesDirectoriesItMade(t *testing.T) {
	base := t.TempDir()
	tmp, err := Create(filepath.Join(base, "a", "b", "backup.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	tmp.Abort()
	if names := entries(t, base); len(names) != 0 {
		t.Errorf("Abort left %v in %s", names, base)
	}

	tmp, err = Create(filepath.Join(base, "a", "b", "backup.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(base, "a", "other.txt")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tmp.Abort()
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("Abort removed a directory that holds another file: %v", err)
	}
	if names := entries(t, filepath.Join(base, "a")); len(names) != 1 {
		t.Errorf("Abort left %v in %s, want only other.txt", names, filepath.Join(base, "a"))
	}

	if _, err := Create(filepath.Join(other, "x", "backup.tar.gz")); err == nil {
		t.Fatal("Create below a regular file succeeded")
	}
}

// TestSweep checks that a new run removes what a killed run left, and
// keeps a temporary file that a live writer still holds.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".clawback-0123.tmp")
	if err := os.WriteFile(stale, []byte("killed run"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, ".clawback-notes.txt") // not ours
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	live, err := Create(filepath.Join(dir, "one.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Abort()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file survived Create: %v", err)
	}

	second, err := Create(filepath.Join(dir, "two.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Abort()
	if _, err := os.Stat(live.File().Name()); err != nil {
		t.Errorf("a live writer's temporary file was swept: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file that is not a temporary archive was swept: %v", err)
	}
}

// TestScratch_sweptOnceUnlocked checks that a scratch file is kept while
// its descriptor is open and removed, with its SQLite sidecars, by the
// next sweep once it is not, as after a killed run.
func TestScratch_sweptOnceUnlocked(t *testing.T) {
	dir := t.TempDir()
	held, err := Scratch(dir, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	left, err := Scratch(dir, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(left.Name()+"-journal", []byte("j"), 0o600); err != nil {
		t.Fatal(err)
	}
	left.Close() // what a killed run leaves: the name, without its lock

	Sweep(dir)
	names := entries(t, dir)
	if len(names) != 1 || names[0] != filepath.Base(held.Name()) {
		t.Fatalf("after the sweep %s holds %v, want only %s", dir, names,
			filepath.Base(held.Name()))
	}
	if !strings.HasPrefix(names[0], ".clawback-sqlite-") {
		t.Errorf("scratch file %s is not named for its kind", names[0])
	}
}
