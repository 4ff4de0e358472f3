package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCapture_States(t *testing.T) {
	tests := []struct {
		name string
		// setup builds the database in dir and returns the rows it holds
		// and a function that ends whatever it keeps open.
		setup    func(tb testing.TB, db string) int
		wantIdle bool
	}{
		{"wal idle, no -wal", func(tb testing.TB, p string) int {
			db := openDB(tb, p, "wal")
			insert(tb, db, 0, 50)
			db.Close()
			return 50
		}, true},
		{"wal idle, empty -wal and no -shm", func(tb testing.TB, p string) int {
			db := openDB(tb, p, "wal")
			insert(tb, db, 0, 40)
			db.Close()
			// What a crash right after a truncating checkpoint leaves,
			// once the -shm is gone: nothing is pending.
			if err := os.WriteFile(p+"-wal", nil, 0o600); err != nil {
				tb.Fatal(err)
			}
			return 40
		}, true},
		{"wal live, rows only in the -wal", func(tb testing.TB, p string) int {
			db := openDB(tb, p, "wal")
			mustExec(tb, db, "PRAGMA wal_autocheckpoint = 0")
			insert(tb, db, 0, 80)
			return 80
		}, false},
		{"rollback journal", func(tb testing.TB, p string) int {
			db := openDB(tb, p, "delete")
			insert(tb, db, 0, 30)
			return 30
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "app.sqlite")
			want := tt.setup(t, p)
			before := listing(t, dir)
			walBefore, _ := os.ReadFile(p + "-wal")
			t.Logf("-wal before: %d bytes", len(walBefore))
			mainBefore, _ := os.ReadFile(p)

			s, err := Capture(context.Background(), p, Options{TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := countRows(t, s); got != want {
				t.Errorf("snapshot holds %d rows, want %d", got, want)
			}
			if s.Idle != tt.wantIdle {
				t.Errorf("Idle = %v, want %v", s.Idle, tt.wantIdle)
			}
			h := make([]byte, HeaderSize)
			s.File.ReadAt(h, 0)
			if h[18] != 1 || h[19] != 1 {
				t.Errorf("snapshot file format versions %d %d, want 1 1", h[18], h[19])
			}
			sameListing(t, dir, before)
			walAfter, _ := os.ReadFile(p + "-wal")
			mainAfter, _ := os.ReadFile(p)
			if string(walAfter) != string(walBefore) || string(mainAfter) != string(mainBefore) {
				t.Error("the live database or its -wal changed: checkpointed?")
			}
		})
	}
}

func TestCapture_Refuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(tb testing.TB, p string)
		want  string
	}{
		{"not a database", func(tb testing.TB, p string) {
			os.WriteFile(p, []byte("hello, world"), 0o600)
		}, "not a SQLite database"},
		{"corrupt pages", func(tb testing.TB, p string) {
			db := openDB(tb, p, "delete")
			insert(tb, db, 0, 400)
			db.Close()
			f, _ := os.OpenFile(p, os.O_RDWR, 0)
			junk := []byte(strings.Repeat("\xa5", 3000))
			f.WriteAt(junk, 4096*3+100)
			f.Close()
		}, ""},
		{"locked exclusively", func(tb testing.TB, p string) {
			db := openDB(tb, p, "delete")
			insert(tb, db, 0, 5)
			mustExec(tb, db, "PRAGMA locking_mode = EXCLUSIVE")
			mustExec(tb, db, "BEGIN EXCLUSIVE")
		}, "locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "x.sqlite")
			tt.setup(t, p)
			before := listing(t, dir)
			tmp := t.TempDir()
			s, err := Capture(context.Background(), p,
				Options{TempDir: tmp, LockWait: 200 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatal("Capture succeeded")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			sameListing(t, dir, before)
			if left := listing(t, tmp); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}
