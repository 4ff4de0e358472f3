package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "home")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{"no home", nil, 2, "", "usage: mkstate"},
		{"two homes", []string{"a", "b"}, 2, "", "usage: mkstate"},
		{"bad flag", []string{"-sessions", "x", fresh}, 2, "", "invalid"},
		{"bad style", []string{"-style", "map", "-force", full}, 2, "",
			"-style must be entries or list"},
		{"not empty", []string{full}, 1, "", "not empty"},
		{"list", []string{"-style", "list", "-sessions", "3", fresh + "2"},
			0, "37 files", ""},
		{"forced", []string{"-force", "-sessions", "0", full}, 0,
			"31 files", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code,
					stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout %q lacks %q", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
		})
	}

	// "forced" replaced the home: the file that was there is gone.
	if _, err := os.Stat(filepath.Join(full, "keep")); err == nil {
		t.Error("-force kept the old content")
	}
}
