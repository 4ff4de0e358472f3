package capture

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hookOnce runs fn after the first read only.
func hookOnce(fn func(f *os.File)) func(*os.File) {
	done := false
	return func(f *os.File) {
		if !done {
			done = true
			fn(f)
		}
	}
}

func appendTo(t testing.TB, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestFile_GrowthKeepsOpenedPrefix(t *testing.T) {
	for _, tc := range []struct {
		name, file, initial, appended, want string
	}{
		{"binary keeps bytes at open", "a.bin", "abc", "def", "abc"},
		{"jsonl cut at last line", "s.jsonl", "{\"a\":1}\n{\"b\":", "2}\n", "{\"a\":1}\n"},
		{"log whole lines kept", "x.log", "one\ntwo\n", "three\n", "one\ntwo\n"},
	} {
		for _, spool := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "/memory", true: "/spool"}[spool], func(t *testing.T) {
				dir := t.TempDir()
				p := filepath.Join(dir, tc.file)
				write(t, p, tc.initial)
				old(t, p)
				cfg := &Config{SpoolDir: dir, LineOriented: LineOriented,
					afterRead: hookOnce(func(*os.File) { appendTo(t, p, tc.appended) })}
				if spool {
					cfg.MemLimit = 1
				}
				r := File(context.Background(), p, cfg, memory)
				defer r.Close()
				if r.Kind != Regular || r.Verdict != Grew {
					t.Fatalf("kind %v verdict %q (%s)", r.Kind, r.Verdict, r.Detail)
				}
				if got := content(t, r); got != tc.want {
					t.Fatalf("content %q, want %q", got, tc.want)
				}
				if r.Size != int64(len(tc.want)) {
					t.Fatalf("size %d", r.Size)
				}
			})
		}
	}
}

func TestFile_RewriteThenGrowIsAChange(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.jsonl")
	write(t, p, "{\"n\":1}\n")
	old(t, p)
	cfg := &Config{Backoff: []time.Duration{time.Millisecond},
		afterRead: hookOnce(func(*os.File) {
			// Rewrite in place, then grow: not an append.
			write(t, p, "{\"n\":9}\n{\"n\":10}\n")
		})}
	r := File(context.Background(), p, cfg, memory)
	if r.Verdict != Retried || r.Attempts != 2 {
		t.Fatalf("verdict %q attempts %d (%s)", r.Verdict, r.Attempts, r.Detail)
	}
	if got := content(t, r); got != "{\"n\":9}\n{\"n\":10}\n" {
		t.Fatalf("content %q", got)
	}
}

func TestFile_ShrinkAndSameSizeRewriteAreRetried(t *testing.T) {
	for name, change := range map[string]func(p string){
		"truncated": func(p string) { os.Truncate(p, 2) },
		"same size rewrite": func(p string) {
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			f.WriteAt([]byte("XY"), 3)
			f.Close()
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			write(t, p, "0123456789")
			old(t, p)
			cfg := &Config{Backoff: []time.Duration{time.Millisecond},
				afterRead: hookOnce(func(*os.File) { change(p) })}
			r := File(context.Background(), p, cfg, memory)
			if r.Verdict != Retried || r.Attempts != 2 || r.Kind != Regular {
				t.Fatalf("verdict %q attempts %d kind %v (%s)", r.Verdict, r.Attempts, r.Kind, r.Detail)
			}
			want, _ := os.ReadFile(p)
			if got := content(t, r); got != string(want) {
				t.Fatalf("content %q, want %q", got, want)
			}
		})
	}
}

func TestFile_StillChangingAfterEveryAttempt(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	write(t, p, "0123456789")
	n := 0
	cfg := &Config{Attempts: 3, Backoff: []time.Duration{time.Millisecond},
		afterRead: func(*os.File) {
			n++
			write(t, p, strings.Repeat("z", 10-n))
		}}
	r := File(context.Background(), p, cfg, memory)
	if r.Verdict != Unstable || r.Attempts != 3 {
		t.Fatalf("verdict %q attempts %d (%s)", r.Verdict, r.Attempts, r.Detail)
	}
}

func TestFile_RetryBudgetBoundsWaiting(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	write(t, p, "0123456789")
	cfg := &Config{Attempts: 100, Backoff: []time.Duration{50 * time.Millisecond},
		Budget:    NewBudget(120 * time.Millisecond),
		afterRead: func(*os.File) { appendTo(t, p, ""); os.Truncate(p, 3); write(t, p, "0123456789") }}
	r := File(context.Background(), p, cfg, memory)
	if r.Verdict != Unstable || r.Attempts != 3 || !strings.Contains(r.Detail, "budget") {
		t.Fatalf("verdict %q attempts %d (%s)", r.Verdict, r.Attempts, r.Detail)
	}
}

func TestFile_RenameReplacementKeepsOpenedVersion(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	write(t, p, "old version")
	old(t, p)
	cfg := &Config{afterRead: hookOnce(func(*os.File) {
		n := filepath.Join(dir, "state.json.new")
		write(t, n, "new version, longer")
		if err := os.Rename(n, p); err != nil {
			t.Fatal(err)
		}
	})}
	r := File(context.Background(), p, cfg, memory)
	if r.Verdict != Clean || content(t, r) != "old version" {
		t.Fatalf("verdict %q content %q (%s)", r.Verdict, content(t, r), r.Detail)
	}
}

func TestFile_RecentWriteIsConfirmedByASecondRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "hot")
	write(t, p, "aaaa") // modified just now: within the racy window
	var st1 stamp
	cfg := &Config{Backoff: []time.Duration{time.Millisecond},
		afterRead: hookOnce(func(f *os.File) {
			st1, _ = fstat(f)
			// Same size, and put the timestamps back: only the content
			// comparison can see this change.
			g, _ := os.OpenFile(p, os.O_WRONLY, 0)
			g.WriteAt([]byte("bbbb"), 0)
			g.Close()
			ts := time.Unix(0, st1.mtime)
			os.Chtimes(p, ts, ts)
		})}
	r := File(context.Background(), p, cfg, memory)
	if got := content(t, r); got != "bbbb" {
		t.Fatalf("content %q after a same-tick rewrite (verdict %q, %s)", got, r.Verdict, r.Detail)
	}
}
