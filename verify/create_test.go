package verify_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/backup"
	"github.com/clawback/clawback/plan"
	"github.com/clawback/clawback/verify"
)

// tree is a source directory: file names (relative, slash-separated) and
// their content.
type tree map[string]string

// makeTree writes t below a fresh directory and returns it.
func makeTree(tb testing.TB, t tree) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "src")
	for name, data := range t {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// create backs up src with clawback into a fresh gzip archive and returns
// its path.
func create(tb testing.TB, src string) string {
	tb.Helper()
	now := time.Date(2026, 12, 3, 18, 52, 59, 476e6, time.UTC)
	p := &plan.Plan{CreatedAt: now, ArchiveRoot: plan.ArchiveRootName(now),
		OutputPath: filepath.Join(tb.TempDir(), "backup.tar.gz")}
	p.Assets = []plan.Asset{{Kind: "path", SourcePath: src, DisplayPath: src,
		ArchivePath: archive.MemberPath(p.ArchiveRoot, src), IsDir: true}}
	_, err := backup.Create(context.Background(), p,
		backup.Options{Version: "clawback test"})
	if err != nil {
		tb.Fatal(err)
	}
	return p.OutputPath
}

// sample is a source tree whose names need quoting in a checksum list.
var sample = tree{
	"notes/plain.md":      "plain\n",
	"notes/with space.md": "spaced\n",
	"notes/new\nline.md":  "newline\n",
	"data/blob.bin":       strings.Repeat("blob ", 1000),
	"data/empty":          "",
}

// TestArchive_ClawbackCreate checks the content of an archive that
// clawback wrote, including a file the capture record says was special.
func TestArchive_ClawbackCreate(t *testing.T) {
	src := makeTree(t, sample)
	if err := syscall.Mkfifo(filepath.Join(src, "queue"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := verify.Archive(context.Background(), create(t, src),
		verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ContentChecked || res.FilesChecked != len(sample) {
		t.Errorf("content checked %v, %d files; want true, %d",
			res.ContentChecked, res.FilesChecked, len(sample))
	}
}

// TestArchive_ClawbackTampered damages the body of one file in an archive
// that clawback wrote, under a valid gzip CRC, and cuts one inside a body:
// both fail naming the file.
func TestArchive_ClawbackTampered(t *testing.T) {
	src := makeTree(t, sample)
	raw := gunzipFile(t, create(t, src))
	blob := archive.MemberPath(rootOf(t, raw),
		path.Join(filepath.ToSlash(src), "data/blob.bin"))
	at := bytes.Index(raw, []byte("blob blob"))
	if at < 0 {
		t.Fatal("blob.bin not found in the tar")
	}

	changed := bytes.Clone(raw)
	changed[at] = 'B'
	tests := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"byte changed", gzipData(t, changed), "Archive payload file does " +
			"not match its checksum: " + blob},
		{"cut inside the body", raw[:at+100], "Affected member: " + blob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "tampered.tar.gz")
			if err := os.WriteFile(p, tt.archive, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := verify.Archive(context.Background(), p, verify.Options{})
			var e *verify.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *verify.Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
			if len(e.Problems) != 1 || e.Problems[0].Path != blob {
				t.Errorf("problems %+v, want one naming %s", e.Problems, blob)
			}
		})
	}
}

// TestChecksums_sha256sum extracts an archive that clawback wrote with the
// system's tar and checks it with the system's sha256sum, names with a
// space, a backslash and a newline included.
func TestChecksums_sha256sum(t *testing.T) {
	for _, tool := range []string{"tar", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for this test: %v", tool, err)
		}
	}
	files := tree{`notes/back\slash.md`: "backslash\n"}
	for k, v := range sample {
		files[k] = v
	}
	a := create(t, makeTree(t, files))
	out := t.TempDir()
	if b, err := exec.Command("tar", "xzf", a, "-C", out).CombinedOutput(); err != nil {
		t.Fatalf("tar xzf: %v\n%s", err, b)
	}
	roots, err := os.ReadDir(out)
	if err != nil || len(roots) != 1 {
		t.Fatalf("extracted %v, %v; want one archive root", roots, err)
	}
	cmd := exec.Command("sha256sum", "-c", "--strict", archive.ChecksumsName)
	cmd.Dir = filepath.Join(out, roots[0].Name())
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	if got := strings.Count(string(b), ": OK\n"); got != len(files) {
		t.Errorf("sha256sum checked %d files, want %d:\n%s", got,
			len(files), b)
	}

	// And it notices a changed file.
	name := mustFind(t, cmd.Dir, "plain.md")
	if err := os.WriteFile(name, []byte("PLAIN\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	again := exec.Command("sha256sum", "-c", "--quiet", archive.ChecksumsName)
	again.Dir = cmd.Dir
	if b, err := again.CombinedOutput(); err == nil ||
		!strings.Contains(string(b), "plain.md: FAILED") {
		t.Errorf("sha256sum -c after a change: %v\n%s", err, b)
	}
}

// mustFind returns the path of the one file named base below dir.
func mustFind(tb testing.TB, dir, base string) string {
	tb.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == base {
			found = append(found, p)
		}
		return nil
	})
	if len(found) != 1 {
		tb.Fatalf("found %v named %s, want one", found, base)
	}
	return found[0]
}

// TestListArchive_Clawback lists an archive that clawback wrote: the
// asset, every member, and the special file the record names although it
// is not archived.
func TestListArchive_Clawback(t *testing.T) {
	src := makeTree(t, sample)
	if err := syscall.Mkfifo(filepath.Join(src, "queue"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := verify.ListArchive(context.Background(), create(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Manifest == nil || len(c.Manifest.Assets) != 1 ||
		c.Manifest.Assets[0].SourcePath != src {
		t.Fatalf("manifest %+v (%v) does not list the asset %s",
			c.Manifest, c.ManifestErr, src)
	}
	if !c.Record || len(c.NotArchived) != 1 ||
		c.NotArchived[0].Verdict != "special" ||
		c.NotArchived[0].Path != filepath.Join(src, "queue") {
		t.Errorf("record %v, not archived %+v; want the FIFO as special",
			c.Record, c.NotArchived)
	}
	files := 0
	for _, m := range c.Members {
		if m.Type == "file" && strings.Contains(m.Name, "/payload/") {
			files++
		}
	}
	if files != len(sample) {
		t.Errorf("listed %d payload files, want %d", files, len(sample))
	}
	last := c.Members[len(c.Members)-1]
	if !strings.HasSuffix(last.Name, "/manifest.json") || last.Mode != 0o644 {
		t.Errorf("last member %+v, want the manifest", last)
	}
}

func gunzipFile(tb testing.TB, p string) []byte {
	tb.Helper()
	f, err := os.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func gzipData(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// rootOf returns the archive root of an uncompressed archive.
func rootOf(tb testing.TB, raw []byte) string {
	tb.Helper()
	hdr, err := tar.NewReader(bytes.NewReader(raw)).Next()
	if err != nil {
		tb.Fatal(err)
	}
	r, _, _ := strings.Cut(hdr.Name, "/")
	return r
}
