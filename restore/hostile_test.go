package restore

import (
	"archive/tar"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clawback/clawback/manifest"
)

const hostileRoot = "2026-12-03T18-52-59.476+00-00-openclaw-backup"

// TestRestore_HostileArchives builds archives by hand that try to write
// outside their destination or to create what restore must not, and
// checks that each is refused with nothing written: through the whole
// restore (verification first) and through restore's own guard alone.
func TestRestore_HostileArchives(t *testing.T) {
	state := "/home/you/.openclaw"
	pay := hostileRoot + "/payload/posix" + state
	assets := []manifest.Asset{{Kind: "state", SourcePath: state, ArchivePath: pay}}
	dir := func(name string) entry {
		return entry{hdr: tar.Header{Name: name + "/", Typeflag: tar.TypeDir, Mode: 0o755}}
	}
	file := func(name, body string) entry {
		return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg}, body: body}
	}
	mtime := time.Unix(1.7e9, 0)
	tests := []struct {
		name    string
		entries []entry
		assets  []manifest.Asset
		want    string // in the guard's error
	}{
		{"dot-dot traversal", []entry{dir(pay),
			file(pay+"/../../../../../../../../etc/evil", "x")}, nil, `".." path segment`},
		{"absolute name", []entry{dir(pay), file("/etc/evil", "x")}, nil, "absolute name"},
		{"file beneath symlink", []entry{dir(pay),
			{hdr: tar.Header{Name: pay + "/link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}},
			file(pay+"/link/evil", "x")}, nil, "beneath a symbolic link"},
		{"hard link", []entry{dir(pay), file(pay+"/a", "x"),
			{hdr: tar.Header{Name: pay + "/h", Typeflag: tar.TypeLink, Linkname: pay + "/a"}}},
			nil, "hard link"},
		{"character device", []entry{dir(pay),
			{hdr: tar.Header{Name: pay + "/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}},
			nil, "character device"},
		{"fifo", []entry{dir(pay),
			{hdr: tar.Header{Name: pay + "/pipe", Typeflag: tar.TypeFifo}}}, nil, "FIFO"},
		{"symlink asset root", []entry{
			{hdr: tar.Header{Name: pay, Typeflag: tar.TypeSymlink, Linkname: "/etc", ModTime: mtime}}},
			nil, "as a symbolic link"},
		{"member outside every asset", []entry{dir(pay),
			file(hostileRoot+"/payload/posix/etc/evil", "x")}, nil, "lies in no asset"},
		{"asset that is the file system root", []entry{
			dir(hostileRoot + "/payload/posix"),
			file(hostileRoot+"/payload/posix/etc/evil", "x")},
			[]manifest.Asset{{Kind: "state", SourcePath: "/",
				ArchivePath: hostileRoot + "/payload/posix"}},
			"whole file system root"},
		{"asset path that names another source", []entry{dir(pay), file(pay+"/a", "x")},
			[]manifest.Asset{{Kind: "state", SourcePath: "/etc", ArchivePath: pay}},
			"does not name its sourcePath"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := assets
			if tt.assets != nil {
				as = tt.assets
			}
			arc := handArchive(t, hostileRoot, as, tt.entries...)
			target := filepath.Join(t.TempDir(), "target")

			_, err := Archive(context.Background(), arc, Options{Target: target})
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("restore: %v, want a refusal", err)
			}
			mustNotExist(t, target)

			_, err = restoreUnverified(t, arc, Options{Target: target})
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("guard: %v, want a refusal with %q", err, tt.want)
			}
			mustNotExist(t, target)
		})
	}
}

// TestRestore_GuardInPlace checks that a hostile archive restored in
// place is refused before its destination is touched.
func TestRestore_GuardInPlace(t *testing.T) {
	base := t.TempDir()
	state := filepath.Join(base, "state")
	writeFile(t, filepath.Join(state, "keep.txt"), []byte("mine"), 0o644, time.Unix(1.7e9, 0))
	before := snapshot(t, base)
	pay := hostileRoot + "/payload/posix" + state
	arc := handArchive(t, hostileRoot,
		[]manifest.Asset{{Kind: "state", SourcePath: state, ArchivePath: pay}},
		entry{hdr: tar.Header{Name: pay + "/", Typeflag: tar.TypeDir, Mode: 0o700}},
		entry{hdr: tar.Header{Name: pay + "/x", Typeflag: tar.TypeSymlink, Linkname: ".."}},
		entry{hdr: tar.Header{Name: pay + "/x/escaped", Typeflag: tar.TypeReg}, body: "x"})
	_, err := restoreUnverified(t, arc, Options{InPlace: true})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("restore: %v, want a refusal", err)
	}
	if diff := cmpSnap(before, snapshot(t, base)); diff != "" {
		t.Fatalf("refused restore changed the destination:\n%s", diff)
	}
}

func TestCleanName(t *testing.T) {
	for _, name := range []string{"", "/abs", "a/../b", "a/./b", "a//b", "..", "a/\x00"} {
		if _, err := cleanName(name); err == nil {
			t.Errorf("cleanName(%q) accepted", name)
		}
	}
	for name, want := range map[string]string{"a/b/": "a/b", "a b/ü": "a b/ü", "a..b/c": "a..b/c"} {
		if got, err := cleanName(name); err != nil || got != want {
			t.Errorf("cleanName(%q) = %q, %v", name, got, err)
		}
	}
}
