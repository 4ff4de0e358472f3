package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRestoreInPlace_Interrupted restores an archive in place with the
// built command, signals it once it has moved the existing state aside,
// and checks that it exits 130 with the state exactly as it was (content,
// mode, times and links) and nothing of the restore left beside it.
func TestRestoreInPlace_Interrupted(t *testing.T) {
	bin := buildClawback(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			r := newInPlace(t, bin)
			cmd, stderr := r.start(t)
			r.waitAside(t, cmd, stderr)
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want %d\n%s", err, exitInterrupted, stderr)
			}
			if !strings.Contains(stderr.String(), "everything restored so far was removed") {
				t.Errorf("stderr does not say what the interruption did:\n%s", stderr)
			}
			r.checkPutBack(t)
		})
	}
}

// TestRestoreInPlace_KilledLeavesInstructions kills an in-place restore
// with SIGKILL, which no cleanup can survive: the state stays moved aside
// under an in-progress name, the next restore refuses and says how to put
// it back, and following that puts the original state back exactly.
func TestRestoreInPlace_KilledLeavesInstructions(t *testing.T) {
	bin := buildClawback(t)
	r := newInPlace(t, bin)
	cmd, stderr := r.start(t)
	r.waitAside(t, cmd, stderr)
	cmd.Process.Kill()
	cmd.Wait()
	if m, _ := filepath.Glob(r.src + ".before-restore-*.in-progress"); len(m) != 1 {
		t.Fatalf("after SIGKILL, in-progress asides %v, want one", m)
	}

	again := exec.Command(bin, "restore", "--in-place", r.archive)
	again.Env = r.env
	out, err := again.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
		t.Fatalf("restore after a kill: %v, want exit %d\n%s", err, exitFailure, out)
	}
	m := regexp.MustCompile(`to put the original back, run: (.*); to keep`).
		FindSubmatch(out)
	if m == nil {
		t.Fatalf("restore after a kill does not say what to do:\n%s", out)
	}
	if b, err := exec.Command("sh", "-c", string(m[1])).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", m[1], err, b)
	}
	r.checkPutBack(t)
}

// inPlaceRun is a source directory, backed up and then changed.
type inPlaceRun struct {
	bin, base, src, archive string
	env                     []string
	before                  map[string]treeNode
}

// newInPlace makes a source of 400 random files of 128 KiB (50 MiB, each
// synced when restored, which takes a moment), backs it up uncompressed,
// and changes it.
func newInPlace(t *testing.T, bin string) *inPlaceRun {
	t.Helper()
	base := t.TempDir()
	r := &inPlaceRun{bin: bin, base: base, src: filepath.Join(base, "live", "src"),
		env: append(os.Environ(), "HOME="+filepath.Join(base, "home"),
			"TMPDIR="+base)}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 128<<10)
	for i := range 400 {
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		name := filepath.Join(r.src, fmt.Sprintf("d%d", i%8), fmt.Sprintf("f%03d", i))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("d0/f000", filepath.Join(r.src, "link")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "out")
	r.archive = filepath.Join(out, "b.tar")
	create := exec.Command(bin, "create", "--source", r.src, "--compression",
		"none", "--output", r.archive)
	create.Env = r.env
	if b, err := create.CombinedOutput(); err != nil {
		t.Fatalf("create: %v\n%s", err, b)
	}

	// What the user has now, and must get back.
	if err := os.WriteFile(filepath.Join(r.src, "d1", "f001"), []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.src, "new.txt"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(r.src, "d2"), 0o700); err != nil {
		t.Fatal(err)
	}
	r.before = treeSnapshot(t, filepath.Dir(r.src))
	return r
}

func (r *inPlaceRun) start(t *testing.T) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(r.bin, "restore", "--in-place", r.archive)
	cmd.Env = r.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// waitAside waits until the restore has moved the source aside and has
// begun to write the restored copy.
func (r *inPlaceRun) waitAside(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	if !waitFor(func() bool {
		m, _ := filepath.Glob(r.src + ".before-restore-*")
		_, err := os.Lstat(filepath.Join(r.src, "d0"))
		return len(m) > 0 && err == nil
	}) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the restore never moved %s aside\n%s", r.src, stderr)
	}
}

// checkPutBack compares the source's parent with its snapshot from before
// the restore: same entries, same bytes, modes, times and links.
func (r *inPlaceRun) checkPutBack(t *testing.T) {
	t.Helper()
	after := treeSnapshot(t, filepath.Dir(r.src))
	// Renames in the parent change its own times, nothing else.
	for _, s := range []map[string]treeNode{r.before, after} {
		n := s["."]
		n.Mtime = time.Time{}
		s["."] = n
	}
	if diff := cmp.Diff(r.before, after); diff != "" {
		t.Fatalf("state not put back exactly (-before +after):\n%s", diff)
	}
}

// treeNode is what a snapshot keeps of one path.
type treeNode struct {
	Mode  fs.FileMode
	Mtime time.Time
	Link  string
	Sum   string
}

// treeSnapshot records every path below dir without following links.
func treeSnapshot(tb testing.TB, dir string) map[string]treeNode {
	tb.Helper()
	out := map[string]treeNode{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		n := treeNode{Mode: fi.Mode(), Mtime: fi.ModTime().UTC()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			n.Link, err = os.Readlink(p)
		case fi.Mode().IsRegular():
			var b []byte
			b, err = os.ReadFile(p)
			sum := sha256.Sum256(b)
			n.Sum = hex.EncodeToString(sum[:])
		}
		out[rel] = n
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
