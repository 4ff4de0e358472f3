package interop

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/internal/fixture"
	"github.com/clawback/clawback/manifest"
)

var styles = []string{fixture.StyleEntries, fixture.StyleList}

// TestClawbackCreate_openclawVerifies backs up a fixture state with
// clawback and has OpenClaw verify the archive.
func TestClawbackCreate_openclawVerifies(t *testing.T) {
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			t.Parallel()
			requireTools(t)
			home := newState(t, style)
			out := t.TempDir()
			a := filepath.Join(out, "a.tar.gz")
			r := run(t, clawbackEnv(home), out, clawback, "create",
				"--verify", "--output", a)
			if r.code != 0 {
				t.Fatalf("clawback create --verify:\n%s", r)
			}

			m := readArchive(t, a)
			checkContent(t, home, m)
			ocv := decodeVerified(t, "openclaw",
				oc(t, t.TempDir(), out, "backup", "verify", "--json", a))
			cbv := decodeVerified(t, "clawback", run(t, clawbackEnv(home),
				out, clawback, "verify", a, "--json"))
			if d := cmp.Diff(ocv, cbv); d != "" {
				t.Errorf("verify results differ (-openclaw +clawback):\n%s",
					d)
			}
			if ocv.ArchiveRoot != m.root ||
				ocv.AssetCount != len(m.manifest.Assets) {
				t.Errorf("openclaw verified root %s with %d assets; archive "+
					"has root %s with %d", ocv.ArchiveRoot, ocv.AssetCount,
					m.root, len(m.manifest.Assets))
			}
		})
	}
}

// TestOpenClawCreate_clawbackVerifies backs up a fixture state with
// OpenClaw and has clawback verify the archive.
func TestOpenClawCreate_clawbackVerifies(t *testing.T) {
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			t.Parallel()
			requireTools(t)
			home := newState(t, style)
			out := t.TempDir()
			a := filepath.Join(out, "oc.tar.gz")
			r := oc(t, home, out, "backup", "create", "--output", a)
			if r.code != 0 {
				t.Fatalf("openclaw backup create:\n%s", r)
			}

			r = run(t, clawbackEnv(home), out, clawback, "verify", a)
			if r.code != 0 {
				t.Fatalf("clawback verify:\n%s", r)
			}
			cbv := decodeVerified(t, "clawback", run(t, clawbackEnv(home),
				out, clawback, "verify", a, "--json"))
			ocv := decodeVerified(t, "openclaw",
				oc(t, home, out, "backup", "verify", "--json", a))
			if d := cmp.Diff(ocv, cbv); d != "" {
				t.Errorf("verify results differ (-openclaw +clawback):\n%s",
					d)
			}
		})
	}
}

// TestClawbackVerify_referenceArchives verifies every archive OpenClaw
// wrote in testdata, and damaged copies of them, with both tools.
func TestClawbackVerify_referenceArchives(t *testing.T) {
	names, err := filepath.Glob("testdata/*.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 5 {
		t.Fatalf("found %d reference archives in testdata, want 5",
			len(names))
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			requireTools(t)
			abs, err := filepath.Abs(name)
			if err != nil {
				t.Fatal(err)
			}
			scratch := t.TempDir()
			env := clawbackEnv(scratch)
			r := run(t, env, scratch, clawback, "verify", abs)
			if r.code != 0 {
				t.Fatalf("clawback verify:\n%s", r)
			}
			cbv := decodeVerified(t, "clawback",
				run(t, env, scratch, clawback, "verify", abs, "--json"))
			ocv := decodeVerified(t, "openclaw",
				oc(t, scratch, scratch, "backup", "verify", "--json", abs))
			if d := cmp.Diff(ocv, cbv); d != "" {
				t.Errorf("verify results differ (-openclaw +clawback):\n%s",
					d)
			}

			// Cut off in the middle, the archive fails both verifiers.
			data, err := os.ReadFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			cut := filepath.Join(scratch, "cut.tar.gz")
			err = os.WriteFile(cut, data[:len(data)/2], 0o644)
			if err != nil {
				t.Fatal(err)
			}
			r = run(t, env, scratch, clawback, "verify", cut)
			if r.code != 1 {
				t.Errorf("clawback verify of a truncated archive: want "+
					"exit 1\n%s", r)
			}
			r = oc(t, scratch, scratch, "backup", "verify", cut)
			if r.code == 0 {
				t.Errorf("openclaw accepted the truncated archive:\n%s", r)
			}
		})
	}
}

// member is one archive entry.
type member struct {
	typeflag byte
	linkname string
	content  []byte
}

// contents is what an archive holds, keyed by entry name without a final
// slash.
type contents struct {
	root     string
	members  map[string]member
	last     string // name of the last entry
	manifest *manifest.Manifest
}

// readArchive reads a whole gzip-compressed tar archive with the standard
// library and parses its manifest.
func readArchive(tb testing.TB, name string) contents {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	c := contents{members: map[string]member{}}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatalf("read %s: %s: %v", name, h.Name, err)
		}
		// Directory names end in a slash; the map is keyed without it.
		key := strings.TrimSuffix(h.Name, "/")
		if _, dup := c.members[key]; dup {
			tb.Errorf("duplicate entry %s", h.Name)
		}
		c.members[key] = member{h.Typeflag, h.Linkname, data}
		c.last = key
	}
	if err := zr.Close(); err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	c.root, _, _ = strings.Cut(c.last, "/")
	if c.last != path.Join(c.root, "manifest.json") {
		tb.Fatalf("last entry is %s, want <root>/manifest.json", c.last)
	}
	c.manifest, err = manifest.Parse(c.members[c.last].content)
	if err != nil {
		tb.Fatalf("parse manifest: %v", err)
	}
	if c.manifest.ArchiveRoot != c.root {
		tb.Errorf("manifest archiveRoot %s, entries under %s",
			c.manifest.ArchiveRoot, c.root)
	}
	return c
}

// checkContent checks that a clawback archive of the fixture state in home
// holds the external workspace, both agents' directories and every
// transcript, byte for byte, and the workspace links as links.
func checkContent(tb testing.TB, home string, c contents) {
	tb.Helper()
	s := filepath.Join(home, fixture.StateDir)
	ops := filepath.Join(home, fixture.OpsWorkspace)
	files := []string{
		filepath.Join(ops, "AGENTS.md"),
		filepath.Join(ops, "notes/todo.md"),
		filepath.Join(ops, "data/blob.bin"),
		filepath.Join(s, "credentials/oauth.json"),
	}
	for _, id := range fixture.Agents {
		files = append(files,
			filepath.Join(s, "agents", id, "agent/models.json"),
			filepath.Join(s, "agents", id, "agent/auth-profiles.json"),
			filepath.Join(s, "agents", id, "sessions/sessions.json"))
	}
	transcripts, err := filepath.Glob(filepath.Join(s,
		"agents/*/sessions/*.jsonl"))
	if err != nil || len(transcripts) != 2*4 {
		tb.Fatalf("fixture has %d transcripts (%v), want 8",
			len(transcripts), err)
	}
	for _, p := range append(files, transcripts...) {
		want, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		name := archive.MemberPath(c.root, filepath.ToSlash(p))
		got, ok := c.members[name]
		switch {
		case !ok:
			tb.Errorf("archive lacks %s", name)
		case got.typeflag != tar.TypeReg:
			tb.Errorf("%s: type %q, want a regular file", name, got.typeflag)
		case string(got.content) != string(want):
			tb.Errorf("%s: content differs from %s", name, p)
		}
	}
	for _, dir := range []string{ops, filepath.Join(s, "agents/main"),
		filepath.Join(s, "agents/ops")} {
		name := archive.MemberPath(c.root, filepath.ToSlash(dir))
		if m, ok := c.members[name]; !ok || m.typeflag != tar.TypeDir {
			tb.Errorf("archive lacks directory %s", name)
		}
	}
	links := []string{"oauth-link.json", "hostname-link", "dangling-link"}
	for _, l := range links {
		p := filepath.Join(s, "workspace", l)
		target, err := os.Readlink(p)
		if err != nil {
			tb.Fatal(err)
		}
		got := c.members[archive.MemberPath(c.root, filepath.ToSlash(p))]
		if got.typeflag != tar.TypeSymlink || got.linkname != target {
			tb.Errorf("%s: stored as type %q -> %q, want link -> %q", l,
				got.typeflag, got.linkname, target)
		}
	}

	// The external workspace is its own asset.
	found := false
	for _, a := range c.manifest.Assets {
		found = found || a.SourcePath == ops
	}
	if !found {
		tb.Errorf("manifest assets lack %s: %+v", ops, c.manifest.Assets)
	}
}
