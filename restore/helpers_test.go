package restore

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/backup"
	"github.com/clawback/clawback/filter"
	"github.com/clawback/clawback/internal/tartest"
	"github.com/clawback/clawback/manifest"
	bplan "github.com/clawback/clawback/plan"
)

// makeArchive backs up the directories srcs (the first as the state
// directory) into a new archive and returns its path.
func makeArchive(t testing.TB, srcs ...string) string {
	t.Helper()
	return makeArchiveWith(t, archive.Gzip, srcs...)
}

// makeArchiveWith is makeArchive with the given compression.
func makeArchiveWith(t testing.TB, comp archive.Compression, srcs ...string) string {
	t.Helper()
	now := time.Date(2026, 12, 3, 18, 52, 59, 476e6, time.UTC)
	out := filepath.Join(t.TempDir(), "backup"+comp.Ext())
	p := &bplan.Plan{CreatedAt: now, ArchiveRoot: bplan.ArchiveRootName(now),
		OutputPath: out}
	for i, s := range srcs {
		fi, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		kind := "path"
		if i == 0 {
			kind, p.StateDir = "state", s
		}
		p.Assets = append(p.Assets, bplan.Asset{Kind: kind, SourcePath: s,
			DisplayPath: s, ArchivePath: archive.MemberPath(p.ArchiveRoot, s),
			IsDir: fi.IsDir()})
	}
	// Keep everything: the exclusion rules are not under test here.
	rules, err := filter.New([]filter.User{{Glob: "**", Include: true}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := backup.Create(context.Background(), p,
		backup.Options{Version: "test", Rules: rules, Jobs: 1,
			Compression: comp})
	if err != nil {
		t.Fatal(err)
	}
	if res.Incomplete || len(res.Files) > 0 {
		t.Fatalf("backup not clean: %+v", res.Files)
	}
	return out
}

// node is what the comparison keeps of one path.
type node struct {
	Mode  fs.FileMode
	Mtime time.Time
	Link  string
	Size  int64
	Sum   string
}

// snapshot records every path below dir (dir itself as "."), without
// following symbolic links. Modification times are kept to the second,
// as archives store them.
func snapshot(t testing.TB, dir string) map[string]node {
	t.Helper()
	out := map[string]node{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n := node{Mode: fi.Mode(), Mtime: fi.ModTime().Truncate(time.Second).UTC()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			n.Link, err = os.Readlink(p)
		case fi.Mode().IsRegular():
			n.Size = fi.Size()
			n.Sum, err = fileSum(p)
		}
		out[rel] = n
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fileSum(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// restored is where a restore under target puts the absolute path src.
func restored(target, src string) string {
	return filepath.Join(target, src)
}

// mustNotExist fails unless p is absent.
func mustNotExist(t testing.TB, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s exists (%v); the refused restore wrote something", p, err)
	}
}

// writeFile writes p with mode and mtime, making its parents.
func writeFile(t testing.TB, p string, data []byte, mode fs.FileMode, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// setLinkTime sets a symbolic link's own modification time.
func setLinkTime(t testing.TB, p string, mtime time.Time) {
	t.Helper()
	ts := unix.NsecToTimespec(mtime.UnixNano())
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts},
		unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatal(err)
	}
}

// entry is one member of a hand-built archive.
type entry struct {
	hdr  tar.Header
	body string
}

// handArchive writes a gzip tar of the given members followed by a valid
// manifest with the given assets, and returns its path.
func handArchive(t testing.TB, root string, assets []manifest.Asset, entries ...entry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(h tar.Header, body string) {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		add(e.hdr, e.body)
	}
	m := &manifest.Manifest{SchemaVersion: 1, CreatedAt: "2026-12-03T18:52:59.476Z",
		ArchiveRoot: root, Assets: assets}
	data, err := manifest.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	add(tar.Header{Name: root + "/manifest.json", Typeflag: tar.TypeReg}, string(data))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "hostile.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// rewriteArchive copies the gzip tar at in to a new file, passing every
// member through edit, which may change the header and the body.
func rewriteArchive(t testing.TB, in string, edit func(h *tar.Header, body []byte) []byte) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "rewritten.tar.gz")
	tartest.Rewrite(t, in, out, edit)
	return out
}

// restoreUnverified runs the restore without the verification pass, so
// that restore's own guard is tested on its own.
func restoreUnverified(t testing.TB, path string, o Options) (*Result, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return restoreFile(context.Background(), f, path, nil, o)
}
