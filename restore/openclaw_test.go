package restore

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/internal/tartest"
)

// TestRestore_OpenClawArchives restores the archives that OpenClaw itself
// wrote (interop/testdata) under a target and compares every payload member
// with what was written: type, content, permission bits, modification time
// and link target. OpenClaw stores some files before their directories.
func TestRestore_OpenClawArchives(t *testing.T) {
	paths, err := filepath.Glob("../interop/testdata/*.tar.gz")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no OpenClaw archives found: %v", err)
	}
	for _, arc := range paths {
		t.Run(filepath.Base(arc), func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "target")
			if _, err := Archive(context.Background(), arc, Options{Target: target}); err != nil {
				t.Fatal(err)
			}
			want, got := map[string]node{}, map[string]node{}
			for name, n := range tarNodes(t, arc) {
				want[name] = n
				p := filepath.Join(target, filepath.FromSlash(name))
				fi, err := os.Lstat(p)
				if err != nil {
					t.Fatal(err)
				}
				g := node{Mode: fi.Mode(), Mtime: fi.ModTime().UTC()}
				switch {
				case fi.Mode()&fs.ModeSymlink != 0:
					g.Link, _ = os.Readlink(p)
				case fi.Mode().IsRegular():
					g.Size = fi.Size()
					g.Sum, _ = fileSum(p)
				}
				got[name] = g
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("restored tree differs (-archive +restored):\n%s", diff)
			}
		})
	}
}

// tarNodes reads the payload members of a gzip archive, keyed by their
// path below <root>/payload/posix.
func tarNodes(t *testing.T, arc string) map[string]node {
	t.Helper()
	out := map[string]node{}
	for _, m := range tartest.Read(t, arc) {
		h := m.Header
		_, rest, _ := strings.Cut(strings.TrimSuffix(h.Name, "/"), "/payload/")
		if rest == "" {
			continue
		}
		src, ok := archive.DecodePath(rest)
		if !ok {
			t.Fatalf("member %s", h.Name)
		}
		n := node{Mode: fs.FileMode(h.Mode) & fs.ModePerm, Mtime: h.ModTime.UTC()}
		switch h.Typeflag {
		case tar.TypeDir:
			n.Mode |= fs.ModeDir
		case tar.TypeSymlink:
			// Linux links have no permission bits of their own.
			n.Mode = fs.ModeSymlink | 0o777
			n.Link = h.Linkname
		default:
			if strings.HasSuffix(h.Name, "/") {
				n.Mode |= fs.ModeDir
				break
			}
			n.Size = h.Size
			sum := sha256.Sum256(m.Body)
			n.Sum = hex.EncodeToString(sum[:])
		}
		out[strings.TrimPrefix(src, "/")] = n
	}
	return out
}
