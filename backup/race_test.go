package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/verify"
)

// disturb runs fn in a loop until stop is closed, and waits for it to end.
func disturb(t testing.TB, fn func(i int) bool) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if !fn(i) {
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func verifyOK(t testing.TB, p string) {
	t.Helper()
	if _, err := verify.Archive(context.Background(), p, verify.Options{}); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// TestCreate_TranscriptsDeletedWhileArchived is OpenClaw's ENOENT race:
// 20,000 session files deleted in random order while the backup runs.
func TestCreate_TranscriptsDeletedWhileArchived(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "state")
	dir := filepath.Join(src, "agents", "main", "sessions")
	os.MkdirAll(dir, 0o755)
	const n = 20000
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("%05d-sess.jsonl", i))
		os.WriteFile(names[i], []byte(fmt.Sprintf("{\"n\":%d}\n", i)), 0o644)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(n, func(i, j int) { names[i], names[j] = names[j], names[i] })
	stop := disturb(t, func(i int) bool {
		if i >= n {
			return false
		}
		os.Remove(names[i])
		return true
	})
	out := filepath.Join(base, "a.tar.gz")
	res, err := Create(context.Background(), testPlan(t, out, src), Options{})
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if res.Incomplete {
		t.Fatalf("incomplete: %+v", res.Verdicts)
	}
	archived := 0
	for _, m := range readArchive(t, out) {
		if strings.HasSuffix(m.Name, "-sess.jsonl") {
			var k int
			fmt.Sscanf(filepath.Base(m.Name), "%05d", &k)
			if m.Data != fmt.Sprintf("{\"n\":%d}\n", k) {
				t.Fatalf("%s holds %q", m.Name, m.Data)
			}
			archived++
		}
	}
	// A file that still exists existed throughout, so it must be there; a
	// file deleted before it was listed leaves no trace at all.
	left, _ := os.ReadDir(dir)
	if archived < len(left) {
		t.Fatalf("archived %d transcripts but %d still exist", archived, len(left))
	}
	if archived+res.Verdicts[capture.Vanished] > n {
		t.Fatalf("archived %d + vanished %d > %d", archived, res.Verdicts[capture.Vanished], n)
	}
	t.Logf("archived %d, vanished %d", archived, res.Verdicts[capture.Vanished])
	verifyOK(t, out)
}

// pattern is deterministic content whose every 8-byte word names its
// offset, so a torn or padded copy is detectable.
func pattern(off, n int64) []byte {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, n+8)
	for i := int64(0); i < n; i += 8 {
		w := uint64(off+i) / 8
		for j := 6; j >= 0; j-- {
			b[i+int64(j)] = hexdigits[w&15]
			w >>= 4
		}
		b[i+7] = '\n'
	}
	return b[:n]
}

func bigFile(t testing.TB, p string, size int64) {
	t.Helper()
	if err := os.WriteFile(p, pattern(0, size), 0o644); err != nil {
		t.Fatal(err)
	}
}

// archivedFile returns the data of the one member ending in name.
func archivedFile(t testing.TB, out, name string) []byte {
	t.Helper()
	for _, m := range readArchive(t, out) {
		if m.Type == tar.TypeReg && strings.HasSuffix(m.Name, "/"+name) {
			return []byte(m.Data)
		}
	}
	return nil
}

func TestCreate_LargeFileAppendedWhileRead(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "ws")
	os.MkdirAll(src, 0o755)
	big := filepath.Join(src, "big.bin")
	const size = 32 << 20
	bigFile(t, big, size)
	grown := make(chan struct{})
	stop := disturb(t, func(i int) bool {
		if i == 1 {
			close(grown)
		}
		f, err := os.OpenFile(big, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return false
		}
		st, _ := f.Stat()
		f.Write(pattern(st.Size(), 1<<20))
		f.Close()
		time.Sleep(time.Millisecond)
		return true
	})
	<-grown
	out := filepath.Join(base, "a.tar.gz")
	res, err := Create(context.Background(), testPlan(t, out, src), Options{MemLimit: 1 << 20})
	stop()
	if err != nil {
		t.Fatal(err)
	}
	got := archivedFile(t, out, "big.bin")
	if int64(len(got)) < size || !bytes.Equal(got, pattern(0, int64(len(got)))) {
		t.Fatalf("archived %d bytes that are not a prefix of the file", len(got))
	}
	if res.Incomplete {
		t.Fatalf("incomplete: %+v", res.Files)
	}
	t.Logf("verdicts %v, kept %d bytes", res.Verdicts, len(got))
	verifyOK(t, out)
}

func TestCreate_LargeFileTruncatedWhileRead(t *testing.T) {
	for _, repeatedly := range []bool{false, true} {
		t.Run(map[bool]string{false: "once", true: "repeatedly"}[repeatedly], func(t *testing.T) {
			base := t.TempDir()
			src := filepath.Join(base, "ws")
			os.MkdirAll(src, 0o755)
			big := filepath.Join(src, "big.bin")
			const size, small = 32 << 20, 1 << 20
			bigFile(t, big, size)
			stop := disturb(t, func(i int) bool {
				time.Sleep(time.Duration(rand.IntN(3)+1) * time.Millisecond)
				os.Truncate(big, small)
				if !repeatedly {
					return false
				}
				time.Sleep(5 * time.Millisecond)
				bigFile(t, big, size)
				return true
			})
			out := filepath.Join(base, "a.tar.gz")
			res, err := Create(context.Background(), testPlan(t, out, src),
				Options{MemLimit: 1 << 20, Attempts: 4,
					Backoff: []time.Duration{time.Millisecond, 5 * time.Millisecond}})
			stop()
			if err != nil {
				t.Fatal(err)
			}
			got := archivedFile(t, out, "big.bin")
			unstable := res.Verdicts[capture.Unstable] > 0
			if res.Incomplete != unstable {
				t.Fatalf("incomplete %v but verdicts %v", res.Incomplete, res.Verdicts)
			}
			if !unstable && !bytes.Equal(got, pattern(0, int64(len(got)))) {
				t.Fatalf("archived %d bytes that are no version of the file", len(got))
			}
			grew := res.Verdicts[capture.Grew] > 0
			if !unstable && !grew && len(got) != size && len(got) != small {
				t.Fatalf("archived %d bytes: neither version", len(got))
			}
			t.Logf("verdicts %v, kept %d bytes", res.Verdicts, len(got))
			verifyOK(t, out)
		})
	}
}

func TestCreate_FIFOsAreNeverOpened(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "state")
	for _, d := range []string{"workspace", "agents/main"} {
		os.MkdirAll(filepath.Join(src, d), 0o755)
		if err := syscall.Mkfifo(filepath.Join(src, d, "pipe"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(src, d, "real.txt"), []byte("ok"), 0o644)
	}
	out := filepath.Join(base, "a.tar.gz")
	done := make(chan error)
	var res *Result
	go func() {
		var err error
		res, err = Create(context.Background(), testPlan(t, out, src), Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("create hung on a FIFO")
	}
	if res.Verdicts[capture.Skipped] != 2 || res.Incomplete {
		t.Fatalf("verdicts %v", res.Verdicts)
	}
	for _, m := range readArchive(t, out) {
		if strings.HasSuffix(m.Name, "/pipe") {
			t.Fatalf("FIFO archived as %s", m.Name)
		}
	}
	verifyOK(t, out)
}
