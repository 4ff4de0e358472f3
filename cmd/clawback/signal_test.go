package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestInterrupted builds the command, starts a backup of a tree slow enough
// to compress, signals it once its temporary archive exists, and checks
// that it exits 130 and leaves nothing in the output directory.
func TestInterrupted(t *testing.T) {
	bin := buildClawback(t)
	dir, src := t.TempDir(), slowSource(t)

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(sig.String(), " ", ""))
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "create", "--source", src,
				"--output", out+"/", "--level", "9", "--jobs", "1")
			cmd.Env = append(os.Environ(), "HOME="+filepath.Join(dir, "home"),
				"TMPDIR="+dir)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !waitFor(func() bool {
				m, _ := filepath.Glob(filepath.Join(out, ".clawback-*.tmp"))
				return len(m) > 0
			}) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no temporary archive appeared in %s\n%s", out, stderr.String())
			}
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want %d\n%s", err, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted; nothing was published") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", stderr.String())
			}
			left, _ := os.ReadDir(out)
			if len(left) != 0 {
				t.Errorf("interrupted run left %d files in %s: %v", len(left), out, left[0].Name())
			}
			spool, _ := filepath.Glob(filepath.Join(dir, ".clawback-*"))
			if len(spool) != 0 {
				t.Errorf("interrupted run left spool files: %v", spool)
			}
		})
	}
}

var built struct {
	once sync.Once
	bin  string
	err  error
	out  []byte
}

// buildClawback builds the command once per test run and returns its path.
func buildClawback(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "clawback-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(dir, "clawback")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// slowSource makes a directory of 48 MiB of random bytes, which takes a few
// seconds to compress at --level 9 --jobs 1.
func slowSource(t *testing.T) string {
	src := filepath.Join(t.TempDir(), "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		data := make([]byte, 16<<20)
		rand.Read(data)
		name := filepath.Join(src, "blob"+string(rune('a'+i)))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// waitFor polls cond for up to a minute.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
