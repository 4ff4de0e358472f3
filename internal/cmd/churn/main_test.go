package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clawback/clawback/internal/fixture"
)

func TestRun(t *testing.T) {
	home := t.TempDir()
	err := fixture.MakeState(home, fixture.StateOptions{Sessions: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, fixture.StateDir)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dir", dir, "-for", "300ms", "-rate", "1000",
		"-seed", "9"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "churn: ") {
		t.Errorf("stdout: %q", stdout.String())
	}
	m, err := filepath.Glob(filepath.Join(dir, "agents/*/sessions/*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range m {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, tail, err := fixture.CheckLines(data); err != nil || tail != 0 {
			t.Errorf("%s: tail %d, %v", name, tail, err)
		}
	}

	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no dir", nil, 2},
		{"zero rate", []string{"-dir", dir, "-rate", "0"}, 2},
		{"extra argument", []string{"-dir", dir, "x"}, 2},
		{"missing dir", []string{"-dir", filepath.Join(dir, "nope")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
		})
	}
}
