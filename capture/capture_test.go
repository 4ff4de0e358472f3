package capture

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func content(t testing.TB, r *Result) string {
	t.Helper()
	b, err := io.ReadAll(r.Content())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t testing.TB, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o640); err != nil {
		t.Fatal(err)
	}
}

// old sets a file's times well in the past, so captures need no racy
// confirmation.
func old(t testing.TB, p string) {
	t.Helper()
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, past, past); err != nil {
		t.Fatal(err)
	}
}

func memory(n int64) bool { return true }

func TestFile_StableFileInMemoryAndSpooled(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	write(t, p, "hello\nworld\n")
	old(t, p)
	for _, tc := range []struct {
		name    string
		reserve Reserve
		limit   int64
	}{
		{"memory", memory, 0},
		{"spool because refused", func(int64) bool { return false }, 0},
		{"spool because large", memory, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := File(context.Background(), p, &Config{MemLimit: tc.limit, SpoolDir: dir}, tc.reserve)
			defer r.Close()
			if r.Kind != Regular || r.Verdict != Clean || r.Attempts != 1 {
				t.Fatalf("got kind %v verdict %q attempts %d (%s)", r.Kind, r.Verdict, r.Attempts, r.Detail)
			}
			if got := content(t, r); got != "hello\nworld\n" {
				t.Fatalf("content %q", got)
			}
			if r.Mode.Perm() != 0o640 {
				t.Fatalf("mode %v", r.Mode)
			}
		})
	}
	// Spools never leave a file behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("spool left files: %v", ents)
	}
}

func TestFile_VanishedSymlinkSpecial(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "l")
	if err := os.Symlink("../elsewhere", link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{}
	r := File(context.Background(), filepath.Join(dir, "gone"), cfg, memory)
	if r.Kind != Gone || r.Verdict != Vanished {
		t.Errorf("missing file: kind %v verdict %q", r.Kind, r.Verdict)
	}
	r = File(context.Background(), link, cfg, memory)
	if r.Kind != Symlink || r.Linkname != "../elsewhere" || r.Verdict != Clean {
		t.Errorf("symlink: kind %v target %q verdict %q", r.Kind, r.Linkname, r.Verdict)
	}
	// A FIFO is reported and never opened: opening it would block.
	done := make(chan *Result)
	go func() { done <- File(context.Background(), fifo, cfg, memory) }()
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("capture of a FIFO blocked")
	}
	if r.Kind != Special || r.Verdict != Skipped || !strings.Contains(r.Detail, "FIFO") {
		t.Errorf("fifo: kind %v verdict %q detail %q", r.Kind, r.Verdict, r.Detail)
	}
	// A symbolic link among the directories is refused, not followed.
	sub := filepath.Join(dir, "real")
	os.Mkdir(sub, 0o755)
	write(t, filepath.Join(sub, "f"), "x")
	os.Symlink(sub, filepath.Join(dir, "via"))
	r = File(context.Background(), filepath.Join(dir, "via", "f"), cfg, memory)
	if r.Kind == Regular {
		t.Errorf("followed a symbolic link in a directory component")
	}
}

func TestFile_Unreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads anything; make a directory-typed read error instead.
		t.Log("running as root: permission bits are not enforced")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "secret")
	write(t, p, "x")
	os.Chmod(p, 0)
	r := File(context.Background(), p, &Config{}, memory)
	if os.Geteuid() == 0 {
		if r.Verdict != Clean {
			t.Fatalf("root: verdict %q", r.Verdict)
		}
		return
	}
	if r.Verdict != Unreadable || r.Err == nil {
		t.Fatalf("verdict %q err %v", r.Verdict, r.Err)
	}
}

func TestLineOriented(t *testing.T) {
	for name, want := range map[string]bool{
		"a.jsonl": true, "B.NDJSON": true, "x.log": true, "a.json": false, "log": false,
	} {
		if got := LineOriented(name); got != want {
			t.Errorf("LineOriented(%q) = %v", name, got)
		}
	}
}

// TestFile_DivertsByHeader hands a file whose first bytes Divert claims
// back unread, without reserving memory for it, and captures every other
// file, including one shorter than the header, as usual.
func TestFile_DivertsByHeader(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, data string
		want       Kind
	}{
		{"claimed", "MAGIC+rest of the file", Diverted},
		{"other", "plain text content", Regular},
		{"shorter than the header", "MAG", Regular},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			write(t, p, tc.data)
			old(t, p)
			var reserved []int64
			cfg := &Config{SpoolDir: dir, DivertLen: 5,
				Divert: func(head []byte) bool { return string(head) == "MAGIC" }}
			r := File(context.Background(), p, cfg, func(n int64) bool {
				reserved = append(reserved, n)
				return true
			})
			defer r.Close()
			if r.Kind != tc.want {
				t.Fatalf("kind %v, want %v (%s)", r.Kind, tc.want, r.Detail)
			}
			if tc.want == Diverted {
				if len(reserved) != 0 || r.Size != 0 {
					t.Fatalf("diverted file was read: reserved %v, size %d", reserved, r.Size)
				}
				return
			}
			if got := content(t, r); got != tc.data {
				t.Fatalf("content %q, want %q", got, tc.data)
			}
		})
	}
}

// TestFile_LinkBelowADirectoryReplacedByALinkIsNotRead checks that a
// symbolic link is read through its directory without following a link
// among the directories: when a listed directory has been replaced by a
// link to another tree, that tree's links are not captured as its own.
func TestFile_LinkBelowADirectoryReplacedByALinkIsNotRead(t *testing.T) {
	base := t.TempDir()
	other := filepath.Join(base, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/elsewhere/secret", filepath.Join(other, "link")); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(base, "state")
	if err := os.Mkdir(state, 0o755); err != nil {
		t.Fatal(err)
	}
	// state/sub was listed as a directory, then replaced by a link.
	if err := os.Symlink(other, filepath.Join(state, "sub")); err != nil {
		t.Fatal(err)
	}
	r := File(context.Background(), filepath.Join(state, "sub", "link"), &Config{}, nil)
	defer r.Close()
	if r.Kind != Gone || r.Verdict != Vanished || r.Linkname != "" {
		t.Fatalf("kind %v, verdict %q, link %q (%s); want vanished, no link",
			r.Kind, r.Verdict, r.Linkname, r.Detail)
	}

	// A link in a real directory is still read.
	r = File(context.Background(), filepath.Join(other, "link"), &Config{}, nil)
	defer r.Close()
	if r.Kind != Symlink || r.Linkname != "/elsewhere/secret" {
		t.Fatalf("kind %v, link %q (%s); want the link", r.Kind, r.Linkname, r.Detail)
	}
}

// TestFile_SocketInAFilesPlaceBeforeOpenIsSpecial checks that a regular
// file replaced by a socket between its lstat and its open, which open
// refuses, is read again and reported as special, not as unreadable.
func TestFile_SocketInAFilesPlaceBeforeOpenIsSpecial(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s")
	write(t, p, "data")
	cfg := &Config{Backoff: []time.Duration{time.Millisecond}}
	cfg.beforeOpen = func(path string) {
		cfg.beforeOpen = nil
		os.Remove(path)
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		l.SetUnlinkOnClose(false)
		l.Close()
	}
	r := File(context.Background(), p, cfg, nil)
	defer r.Close()
	if r.Kind != Special || r.Verdict != Skipped {
		t.Fatalf("kind %v, verdict %q (%s); want special", r.Kind, r.Verdict, r.Detail)
	}
}
