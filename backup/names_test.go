package backup

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clawback/clawback/internal/tartest"
	"github.com/clawback/clawback/verify"
)

// TestCreate_unportableNames backs up names that Linux allows and
// OpenClaw's verifier rejects, and checks that each kind is warned about,
// that clawback's verifier accepts the archive and names OpenClaw's
// objection, and that the same archive without clawback's manifest section
// (as OpenClaw's verifier reads it) is refused with OpenClaw's message.
func TestCreate_unportableNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  []string
		warn   string
		reason string
	}{
		{"case", []string{"Notes.md", "notes.md"}, "equal, but for case or Unicode normalisation, to a name archived before it",
			"Archive contains a portable path collision: "},
		{"normalisation", []string{"caf\u00e9.txt", "cafe\u0301.txt"}, "but for case or Unicode normalisation",
			"Archive contains a portable path collision: "},
		{"directory case", []string{"Dir/a", "dir/b"}, "equal, but for case or Unicode normalisation, to a name archived before it",
			"Archive contains a portable path collision: "},
		{"backslash", []string{`a\b.txt`}, "1 archived name has a backslash",
			"Archive entry must use forward slashes: "},
		{"drive", []string{"c:notes.txt"}, "reads as a Windows drive",
			"Archive entry must be relative: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			src := filepath.Join(base, "src")
			for _, f := range tc.files {
				mkfile(t, filepath.Join(src, f), "x", 0o644)
			}
			out := filepath.Join(base, "out.tar.gz")
			res, err := Create(context.Background(), testPlan(t, out, src),
				Options{Version: "test", Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(res.Warnings, "\n"), tc.warn) {
				t.Errorf("warnings %q do not say %q", res.Warnings, tc.warn)
			}
			vr, err := verify.Archive(context.Background(), out, verify.Options{})
			if err != nil {
				t.Fatalf("verify refused an archive with %s names: %v", tc.name, err)
			}
			if len(vr.Unportable) != 1 || !strings.HasPrefix(vr.Unportable[0], tc.reason) {
				t.Errorf("verify reports %q, want one reason starting %q", vr.Unportable, tc.reason)
			}

			_, err = verify.Archive(context.Background(), withoutClawbackSection(t, out), verify.Options{})
			var ve *verify.Error
			if !errors.As(err, &ve) || !strings.HasPrefix(ve.Reason, tc.reason) {
				t.Fatalf("without clawback's section: %v, want %q", err, tc.reason)
			}
		})
	}

	// Every kind is reported, not only the first found.
	{
		base := t.TempDir()
		src := filepath.Join(base, "src")
		for _, f := range []string{`a\b.txt`, "c:d.txt", "X.md", "x.md"} {
			mkfile(t, filepath.Join(src, f), "x", 0o644)
		}
		out := filepath.Join(base, "out.tar.gz")
		if _, err := Create(context.Background(), testPlan(t, out, src), Options{Version: "test"}); err != nil {
			t.Fatal(err)
		}
		vr, err := verify.Archive(context.Background(), out, verify.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(vr.Unportable) != 3 {
			t.Errorf("verify reports %q, want the backslash, the drive and the case twin", vr.Unportable)
		}
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

// withoutClawbackSection copies the gzip archive at p with the "clawback"
// key removed from its manifest, as an archive OpenClaw wrote would be.
func withoutClawbackSection(t testing.TB, p string) string {
	t.Helper()
	out := p + ".openclaw.tar.gz"
	tartest.Rewrite(t, p, out, func(h *tar.Header, body []byte) []byte {
		if !strings.HasSuffix(h.Name, "/manifest.json") {
			return body
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "clawback")
		body, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return body
	})
	return out
}
