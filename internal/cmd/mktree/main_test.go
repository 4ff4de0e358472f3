package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	var stdout, stderr bytes.Buffer
	args := []string{"-layout", "sessions", "-ntext", "8", "-nrand", "1",
		"-nsemi", "1", home}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "10 counted files") {
		t.Errorf("stdout: %q", stdout.String())
	}
	m, err := filepath.Glob(filepath.Join(home,
		".openclaw/agents/*/sessions/*.jsonl"))
	if err != nil || len(m) != 8 {
		t.Errorf("%d transcripts, want 8 (%v)", len(m), err)
	}

	// A second run into the same home is refused without -force.
	stderr.Reset()
	if code := run(args, &stdout, &stderr); code != 1 {
		t.Errorf("second run: exit %d, want 1", code)
	}
	if code := run([]string{"-layout", "flat", "-force", home}, &stdout,
		&stderr); code != 2 {
		t.Errorf("bad layout: exit %d, want 2", code)
	}
	if _, err := os.Stat(home); err != nil {
		t.Errorf("home is gone after a refused layout: %v", err)
	}
	if code := run(nil, &stdout, &stderr); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
}
