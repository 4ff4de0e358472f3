package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A directory on the database's path replaced by a symbolic link after the
// header was read must not lead SQLite to a database outside the backed-up
// path: Capture refuses, and nothing of the other database is copied.
func TestCapture_ParentSwappedForSymlinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	live := filepath.Join(dir, "state", "a")
	for _, d := range []string{secret, live} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	pub := openDB(t, filepath.Join(live, "db.sqlite"), "delete")
	insert(t, pub, 0, 3)
	pub.Close()
	other := openDB(t, filepath.Join(secret, "db.sqlite"), "delete")
	insert(t, other, 0, 7)
	other.Close()

	beforeOpen = func() {
		if err := os.Rename(live, live+".moved"); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(secret, live); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { beforeOpen = nil })

	s, err := Capture(context.Background(), filepath.Join(live, "db.sqlite"),
		Options{TempDir: t.TempDir(), Attempts: 1})
	if err == nil {
		n := countRows(t, s)
		s.Close()
		t.Fatalf("Capture succeeded through the symbolic link (%d rows)", n)
	}
	if !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("error %q does not name the symbolic link", err)
	}
}

// When the application closes its WAL database, removing -wal and -shm,
// between Capture's look for a -wal and its connection, the -wal and -shm
// its reader makes belong to the database's owner (SQLite, run as root,
// gives them away), not to the user running clawback: the application can
// still open its database.
func TestCapture_SidecarsMadeInTheWindowGoToTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to own files as another user")
	}
	const owner = 4242
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "db.sqlite")
	app := openDB(t, path, "wal")
	insert(t, app, 0, 5)
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chown(f, owner, owner); err != nil {
			t.Fatal(err)
		}
	}
	beforeOpen = func() { app.Close() } // the last close removes -wal and -shm
	t.Cleanup(func() { beforeOpen = nil })

	s, err := Capture(context.Background(), path, Options{TempDir: t.TempDir(), Attempts: 1})
	if err == nil {
		if n := countRows(t, s); n != 5 {
			t.Errorf("snapshot holds %d rows, want 5", n)
		}
		s.Close()
	}
	for _, side := range []string{"-wal", "-shm"} {
		fi, err := os.Lstat(path + side)
		if err != nil {
			continue // not made, or removed: nothing left to own
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != owner {
			t.Errorf("%s is left owned by uid %d, not the database's owner %d", side, uid, owner)
		}
	}
}
