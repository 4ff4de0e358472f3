package restore

import (
	"archive/tar"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clawback/clawback/manifest"
)

// TestRestore_TargetKeepsOddNames backs up names that Linux allows but that
// stress a restore: Unicode, newlines, names past the 100 bytes of a plain
// tar header, a 255-byte segment, long paths, by depth and by length (kept
// below PATH_MAX, which the fixture's own os calls need), and the names
// OpenClaw's verifier refuses for portability (a backslash, a drive-like
// segment, names equal but for case). Each is restored exactly.
func TestRestore_TargetKeepsOddNames(t *testing.T) {
	mt := time.Unix(1.7e9, 0)
	tests := []struct{ name, rel string }{
		{"unicode", "ü/日本語/café.md"},
		{"newlines", "new\nline/a\nb.txt"},
		{"names over 100 bytes", strings.Repeat("n", 150) + "/" + strings.Repeat("m", 120)},
		{"a 255-byte segment", strings.Repeat("s", 255)},
		{"1,000 levels deep", strings.Repeat("d/", 1000) + "x"},
		{"a 3,000-byte path", strings.Repeat(strings.Repeat("L", 200)+"/", 15) + "x"},
		{"a backslash", `back\slash/a\b.txt`},
		{"a drive-like segment", "c:notes/d:x.txt"},
		{"a case twin", "OK.TXT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "s")
			writeFile(t, filepath.Join(state, "ok.txt"), []byte("ok"), 0o644, mt)
			writeFile(t, filepath.Join(state, tt.rel), []byte("odd"), 0o600, mt)
			backed := snapshot(t, state)
			arc := makeArchive(t, state)
			target := filepath.Join(t.TempDir(), "t")
			if _, err := Archive(context.Background(), arc, Options{Target: target}); err != nil {
				t.Fatalf("restore: %v", err)
			}
			if d := cmpSnap(backed, snapshot(t, restored(target, state))); d != "" {
				t.Fatalf("restored tree differs (-backed up +restored):\n%s", d)
			}
		})
	}
}

// TestRestore_GuardRefusesShadowedNames refuses, in restore's own guard,
// archives where one name stands for two members: a symbolic link to
// outside followed by a file of the same name, a directory replaced by a
// symbolic link, and a checksum list that names a file twice.
func TestRestore_GuardRefusesShadowedNames(t *testing.T) {
	state := "/home/you/.openclaw"
	pay := hostileRoot + "/payload/posix" + state
	assets := []manifest.Asset{{Kind: "state", SourcePath: state, ArchivePath: pay}}
	dir := entry{hdr: tar.Header{Name: pay + "/", Typeflag: tar.TypeDir, Mode: 0o755}}
	tests := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"symlink to outside, then a file of its name", []entry{dir,
			{hdr: tar.Header{Name: pay + "/x", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}},
			{hdr: tar.Header{Name: pay + "/x", Typeflag: tar.TypeReg}, body: "evil"}},
			"twice"},
		{"directory replaced by a symlink", []entry{dir,
			{hdr: tar.Header{Name: pay + "/d/", Typeflag: tar.TypeDir, Mode: 0o755}},
			{hdr: tar.Header{Name: pay + "/d", Typeflag: tar.TypeSymlink, Linkname: "/etc"}},
			{hdr: tar.Header{Name: pay + "/d/evil", Typeflag: tar.TypeReg}, body: "x"}},
			"twice"},
		{"file beneath a symlink stored after it", []entry{dir,
			{hdr: tar.Header{Name: pay + "/d/evil", Typeflag: tar.TypeReg}, body: "x"},
			{hdr: tar.Header{Name: pay + "/d", Typeflag: tar.TypeSymlink, Linkname: "/etc"}}},
			"beneath a symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arc := handArchive(t, hostileRoot, assets, tt.entries...)
			target := filepath.Join(t.TempDir(), "target")
			if _, err := Archive(context.Background(), arc, Options{Target: target}); !errors.Is(err, ErrRefused) {
				t.Fatalf("restore: %v, want a refusal", err)
			}
			_, err := restoreUnverified(t, arc, Options{Target: target})
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("guard: %v, want a refusal with %q", err, tt.want)
			}
			mustNotExist(t, target)
		})
	}
}

// TestRestore_TargetRefusesSymlinks refuses a --target that is itself a
// symbolic link, and a symbolic link under the target where a restored
// directory would go, so nothing is written where either points.
func TestRestore_TargetRefusesSymlinks(t *testing.T) {
	_, state, arc, _, _ := liveState(t)
	for _, tt := range []struct {
		name string
		link func(target, elsewhere string) string // makes the link, returns --target
		want string
	}{
		{"target is a symlink", func(target, elsewhere string) string {
			if err := os.Symlink(elsewhere, target); err != nil {
				t.Fatal(err)
			}
			return target
		}, "is not a directory"},
		{"symlink in the way below the target", func(target, elsewhere string) string {
			first, _, _ := strings.Cut(strings.TrimPrefix(state, "/"), "/")
			if err := os.Mkdir(target, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(elsewhere, filepath.Join(target, first)); err != nil {
				t.Fatal(err)
			}
			return target
		}, "restore will not write through it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			elsewhere := t.TempDir()
			target := tt.link(filepath.Join(t.TempDir(), "t"), elsewhere)
			_, err := Archive(context.Background(), arc, Options{Target: target})
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore: %v, want a refusal with %q", err, tt.want)
			}
			if left, _ := os.ReadDir(elsewhere); len(left) != 0 {
				t.Fatalf("restore wrote through the link: %v", left)
			}
		})
	}
}
