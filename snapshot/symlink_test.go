package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
