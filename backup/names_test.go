package backup

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clawback/clawback/verify"
)

// TestCreate_unportableNames backs up names that Linux allows and
// OpenClaw's verifier rejects, and checks that each kind is warned about
// and that the verifier does reject the archive.
func TestCreate_unportableNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		warn  string
	}{
		{"case", []string{"Notes.md", "notes.md"}, "differ only in case"},
		{"normalisation", []string{"caf\u00e9.txt", "cafe\u0301.txt"}, "differ only in case or Unicode normalisation"},
		{"directory case", []string{"Dir/a", "dir/b"}, "differ only in case"},
		{"backslash", []string{`a\b.txt`}, "contain a backslash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			src := filepath.Join(base, "src")
			for _, f := range tc.files {
				mkfile(t, filepath.Join(src, f), "x", 0o644)
			}
			out := filepath.Join(base, "out.tar.gz")
			res, err := Create(context.Background(), testPlan(t, out, src), Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(res.Warnings, "\n"), tc.warn) {
				t.Errorf("warnings %q do not say %q", res.Warnings, tc.warn)
			}
			_, err = verify.Archive(context.Background(), out, verify.Options{})
			var ve *verify.Error
			if !errors.As(err, &ve) {
				t.Fatalf("verify accepted an archive with %s names: %v", tc.name, err)
			}
		})
	}

	// Names that differ in more than case or normalisation draw no warning.
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for _, f := range []string{"notes.md", "notes.md.bak", "caf\u00e9.txt", "cafe.txt"} {
		mkfile(t, filepath.Join(src, f), "x", 0o644)
	}
	res, err := Create(context.Background(), testPlan(t, filepath.Join(base, "out.tar.gz"), src), Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("unexpected warnings: %q", res.Warnings)
	}
}
