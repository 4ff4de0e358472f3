package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/internal/tartest"
	"github.com/clawback/clawback/manifest"
	"github.com/clawback/clawback/plan"
)

// member is one archive member as read back.
type member struct {
	Name, Link string
	Type       byte
	Mode       int64
	Data       string
}

func readArchive(t testing.TB, p string) []member {
	t.Helper()
	var out []member
	for _, m := range tartest.Read(t, p) {
		h := m.Header
		out = append(out, member{Name: h.Name, Link: h.Linkname, Type: h.Typeflag,
			Mode: h.Mode, Data: string(m.Body)})
	}
	return out
}

// testPlan plans a backup of the directories srcs (kind "path") into out.
func testPlan(t testing.TB, out string, srcs ...string) *plan.Plan {
	t.Helper()
	now := time.Date(2026, 12, 3, 18, 52, 59, 476e6, time.UTC)
	p := &plan.Plan{
		CreatedAt:   now,
		ArchiveRoot: plan.ArchiveRootName(now),
		OutputPath:  out,
	}
	for _, s := range srcs {
		fi, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		p.Assets = append(p.Assets, plan.Asset{Kind: "path", SourcePath: s,
			DisplayPath: s, ArchivePath: archive.MemberPath(p.ArchiveRoot, s),
			IsDir: fi.IsDir()})
	}
	return p
}

func mkfile(t testing.TB, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
}

func TestCreate_ArchiveLayout(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "state")
	mkfile(t, filepath.Join(src, "b.txt"), "bee", 0o640)
	mkfile(t, filepath.Join(src, "A.txt"), "upper", 0o600)
	mkfile(t, filepath.Join(src, "sub", "deep.jsonl"), "{}\n", 0o644)
	mkfile(t, filepath.Join(src, "gateway.pid"), "1\n", 0o644)
	os.Symlink("b.txt", filepath.Join(src, "rel-link"))
	os.Symlink("/etc/hostname", filepath.Join(src, "abs-link"))
	os.Link(filepath.Join(src, "b.txt"), filepath.Join(src, "hard.txt"))
	syscall.Mkfifo(filepath.Join(src, "fifo"), 0o600)
	os.Mkdir(filepath.Join(src, "empty"), 0o700)

	out := filepath.Join(base, "out", "backup.tar.gz")
	p := testPlan(t, out, src)
	// As for OpenClaw's state directory, a link is external when its target
	// leaves the state asset.
	p.Assets[0].Kind = "state"
	p.StateDir = src
	res, err := Create(context.Background(), p, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive mode: %v %v", fi, err)
	}

	ms := readArchive(t, out)
	root := p.ArchiveRoot
	pay := archive.MemberPath(root, src)
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	want := []string{
		pay + "/",
		pay + "/A.txt",
		pay + "/abs-link",
		pay + "/b.txt",
		pay + "/empty/",
		pay + "/hard.txt",
		pay + "/rel-link",
		pay + "/sub/",
		pay + "/sub/deep.jsonl",
		root + "/checksums.sha256",
		root + "/capture-record.jsonl",
		root + "/manifest.json",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("members (-want +got):\n%s", diff)
	}
	byName := map[string]member{}
	for _, m := range ms {
		byName[m.Name] = m
	}
	if m := byName[pay+"/b.txt"]; m.Mode != 0o640 || m.Data != "bee" || m.Type != tar.TypeReg {
		t.Errorf("b.txt: %+v", m)
	}
	if m := byName[pay+"/hard.txt"]; m.Type != tar.TypeReg || m.Data != "bee" {
		t.Errorf("hardlink not stored as a regular file: %+v", m)
	}
	if m := byName[pay+"/empty/"]; m.Mode != 0o700 || m.Type != tar.TypeDir {
		t.Errorf("empty dir: %+v", m)
	}

	// The checksum list covers every payload file, and matches its data.
	var sums []string
	for _, m := range ms {
		if m.Type == tar.TypeReg && strings.Contains(m.Name, "/payload/") {
			h := sha256.Sum256([]byte(m.Data))
			sums = append(sums, archive.ChecksumLine(h[:], strings.TrimPrefix(m.Name, root+"/")))
		}
	}
	if got := byName[root+"/checksums.sha256"].Data; got != strings.Join(sums, "") {
		t.Errorf("checksums:\n%s\nwant:\n%s", got, strings.Join(sums, ""))
	}

	// The manifest names the lists by digest and the external link exactly.
	m, err := manifest.Parse([]byte(byName[root+"/manifest.json"].Data))
	if err != nil {
		t.Fatal(err)
	}
	sumsDigest := sha256.Sum256([]byte(byName[root+"/checksums.sha256"].Data))
	if m.Clawback == nil || m.Clawback.Checksums.SHA256 != hex.EncodeToString(sumsDigest[:]) {
		t.Errorf("manifest checksums member: %+v", m.Clawback)
	}
	wantLinks := []manifest.ExternalLink{{EntryPath: pay + "/abs-link", Linkpath: "/etc/hostname"}}
	if diff := cmp.Diff(wantLinks, m.ExternalSymbolicLinks); diff != "" {
		t.Errorf("external links (-want +got):\n%s", diff)
	}

	// The FIFO is reported, the pid file counted by its rule.
	if res.Verdicts["special"] != 1 || res.SkippedVolatileCount != 1 || res.Incomplete {
		t.Errorf("result: verdicts %v volatile %d incomplete %v", res.Verdicts,
			res.SkippedVolatileCount, res.Incomplete)
	}
	if !strings.Contains(byName[root+"/capture-record.jsonl"].Data, `"verdict":"special"`) {
		t.Errorf("record lacks the FIFO: %q", byName[root+"/capture-record.jsonl"].Data)
	}
	assertNoTemp(t, filepath.Dir(out), 1)
}

func assertNoTemp(t testing.TB, dir string, want int) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	if len(ents) != want {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("%s holds %v, want %d entries", dir, names, want)
	}
}

func TestCreate_RefusesExistingOutput(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	mkfile(t, filepath.Join(src, "f"), "x", 0o644)
	out := filepath.Join(base, "a.tar.gz")
	mkfile(t, out, "precious", 0o644)
	_, err := Create(context.Background(), testPlan(t, out, src), Options{})
	if !errors.Is(err, plan.ErrOutputExists) ||
		err.Error() != "Refusing to overwrite existing backup archive: "+out {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious" {
		t.Fatal("existing archive was changed")
	}
	assertNoTemp(t, base, 2)
}

func TestCreate_VanishedRootFails(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	mkfile(t, filepath.Join(src, "f"), "x", 0o644)
	p := testPlan(t, filepath.Join(base, "out", "a.tar.gz"), src)
	os.RemoveAll(src)
	_, err := Create(context.Background(), p, Options{})
	if !errors.Is(err, errRootGone) || !strings.Contains(err.Error(), src) {
		t.Fatalf("err = %v", err)
	}
	assertNoTemp(t, filepath.Join(base, "out"), 0)
}

func TestCreate_CancelledLeavesNothing(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for i := range 200 {
		mkfile(t, filepath.Join(src, "d", strings.Repeat("x", i%7+1)+path.Base(t.Name())+string(rune('a'+i%26))+".txt"), "data", 0o644)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Create(ctx, testPlan(t, filepath.Join(base, "out", "a.tar.gz"), src), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	assertNoTemp(t, filepath.Join(base, "out"), 0)
}

func TestCreate_SweepsTemporaryFilesOfKilledRuns(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	mkfile(t, filepath.Join(src, "f"), "x", 0o644)
	out := filepath.Join(base, "out")
	mkfile(t, filepath.Join(out, ".clawback-dead.tmp"), "partial", 0o600)
	if _, err := Create(context.Background(), testPlan(t, filepath.Join(out, "a.tar.gz"), src), Options{}); err != nil {
		t.Fatal(err)
	}
	assertNoTemp(t, out, 1)
}

func TestCreate_ManyFilesSmallWindow(t *testing.T) {
	// A window smaller than the content forces readers to wait for the
	// writer; order and content must not suffer.
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for i := range 300 {
		name := filepath.Join(src, string(rune('a'+i/26%26)), string(rune('a'+i%26))+".bin")
		data := strings.Repeat(string(rune('A'+i%26)), 100+i*37)
		mkfile(t, name, data, 0o644)
	}
	out := filepath.Join(base, "a.tar.gz")
	_, err := Create(context.Background(), testPlan(t, out, src),
		Options{MemWindow: 4096, MemLimit: 4096, Readers: 8})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range readArchive(t, out) {
		if m.Type != tar.TypeReg || !strings.HasSuffix(m.Name, ".bin") {
			continue
		}
		rel := strings.TrimPrefix(m.Name, archive.MemberPath(plan.ArchiveRootName(time.Date(2026, 12, 3, 18, 52, 59, 476e6, time.UTC)), src))
		onDisk, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil || string(onDisk) != m.Data {
			t.Fatalf("%s differs from disk", m.Name)
		}
		n++
	}
	if n != 300 {
		t.Fatalf("archived %d files, want 300", n)
	}
}

// TestCreate_SpoolStaysOutOfTheSourceWhenTMPDIRLeadsIntoIt checks that a
// TMPDIR that would be made inside a source, through a symbolic link or as
// a path relative to a working directory inside it, is not used: nothing
// is made in the source, and the archive holds only the source's files.
func TestCreate_SpoolStaysOutOfTheSourceWhenTMPDIRLeadsIntoIt(t *testing.T) {
	for _, tt := range []struct {
		name   string
		tmpdir func(base, src string) string
	}{
		{"missing directory below a link into the source", func(base, src string) string {
			if err := os.Symlink(src, filepath.Join(base, "link")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(base, "link", "spool")
		}},
		{"relative to a working directory in the source", func(base, src string) string {
			t.Chdir(src)
			return "spool"
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			src := filepath.Join(base, "src")
			mkfile(t, filepath.Join(src, "big.bin"), strings.Repeat("x", 64<<10), 0o644)
			mkfile(t, filepath.Join(src, "small.txt"), "small", 0o644)
			t.Setenv("TMPDIR", tt.tmpdir(base, src))
			out := filepath.Join(base, "out", "a.tar.gz")

			// A 1 KiB memory limit spools big.bin.
			res, err := Create(context.Background(), testPlan(t, out, src),
				Options{MemLimit: 1 << 10, Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			assertNoTemp(t, src, 2)
			if len(res.Files) != 0 || res.Counts.Regular != 2 {
				t.Errorf("files %d, reports %+v; want 2 clean files",
					res.Counts.Regular, res.Files)
			}
		})
	}
}
