package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreate_StillChangingExits3 runs the built command on a directory in
// which one file is rewritten without pause while it is read. The archive
// is published, the exit code is 3, the file is named with its verdict in
// the text and JSON results, and verify passes on the archive but repeats
// the warning.
func TestCreate_StillChangingExits3(t *testing.T) {
	bin := buildClawback(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "calm.txt"), []byte("calm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	busy := filepath.Join(src, "busy.bin")
	stop := rewriteForever(t, busy)
	defer stop()

	run := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+filepath.Join(dir, "home"),
			"TMPDIR="+dir)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode(), stdout.String(), stderr.String()
		case err != nil:
			t.Fatal(err)
		}
		return 0, stdout.String(), stderr.String()
	}

	// Text output.
	text := filepath.Join(dir, "text.tar.gz")
	code, out, errOut := run("create", "--source", src, "--output", text)
	if code != exitIncomplete {
		t.Fatalf("create: exit %d, want %d\n%s%s", code, exitIncomplete, out, errOut)
	}
	for _, want := range []string{"kept changing after every retry", busy, "exit 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("create output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(text); err != nil {
		t.Fatalf("an incomplete backup is still published: %v", err)
	}

	// JSON output names the file with its verdict.
	js := filepath.Join(dir, "json.tar.gz")
	code, out, errOut = run("create", "--source", src, "--output", js, "--json")
	if code != exitIncomplete {
		t.Fatalf("create --json: exit %d, want %d\n%s%s", code, exitIncomplete, out, errOut)
	}
	var res struct {
		Capture struct {
			Complete bool
			Files    []struct{ Path, Verdict string }
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("create --json: %v\n%s", err, out)
	}
	var verdicts []string
	for _, f := range res.Capture.Files {
		if f.Path == busy {
			verdicts = append(verdicts, f.Verdict)
		}
	}
	if res.Capture.Complete || len(verdicts) != 1 || verdicts[0] != "still-changing" {
		t.Fatalf("complete=%v, verdicts of %s: %v\n%s", res.Capture.Complete, busy, verdicts, out)
	}

	// verify accepts the archive and repeats the warning.
	code, out, errOut = run("verify", text)
	if code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "kept changing after every retry") ||
		!strings.Contains(out, busy) {
		t.Errorf("verify does not repeat the warning about %s:\n%s", busy, out)
	}
}

// rewriteForever fills name with 32 MiB and then overwrites it in place,
// 1 MiB at a time at rotating offsets, with different bytes each pass,
// until the returned function is called. Its size never changes, but a
// read of the whole file, which takes a while at that size, never sees
// the same content twice.
func rewriteForever(t *testing.T, name string) (stop func()) {
	t.Helper()
	const size, chunk = 32 << 20, 1 << 20
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), chunk/16)
	for off := int64(0); off < size; off += chunk {
		if _, err := f.WriteAt(data, off); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			data[i%len(data)]++
			f.WriteAt(data, int64(i%(size/chunk))*chunk)
		}
	}()
	return func() {
		cancel()
		<-done
		f.Close()
	}
}
