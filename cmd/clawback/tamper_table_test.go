package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/internal/tartest"
	"github.com/clawback/clawback/manifest"
)

// tarMember is one member of an archive being tampered with.
type tarMember struct {
	hdr  tar.Header
	body []byte
}

// tamperEdit changes the members of a clawback archive; root is its
// archive root and pay the member of its one asset.
type tamperEdit func(tb testing.TB, ms []tarMember, root, pay string) []tarMember

// TestTampered_RefusedByVerifyAndRestore damages an archive that clawback
// wrote, in every way the checksum list and the structural checks must
// catch, and runs verify, restore --target and restore --in-place on each
// copy: all three fail with exit 1, and neither restore writes anything.
func TestTampered_RefusedByVerifyAndRestore(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "live", "src")
	for name, body := range map[string]string{"a.txt": "alpha original\n",
		"sub/b.txt": "bravo original\n", "sub/deep/c.bin": strings.Repeat("c", 5000)} {
		writeTestFile(t, filepath.Join(src, name), body)
	}
	good := filepath.Join(base, "good.tar.gz")
	if code, out := runIn(t, base, "create", "--source", src, "--output", good); code != 0 {
		t.Fatalf("create: exit %d\n%s", code, out)
	}
	ms, root := readMembers(t, good)
	pay := archive.MemberPath(root, src)

	tests := []struct {
		name string
		edit tamperEdit // nil with raw
		raw  func(b []byte) []byte
		want string // in verify's output
	}{
		{name: "payload byte flipped", edit: onBody(pay+"/a.txt", func(b []byte) []byte {
			b[0] ^= 0x20
			return b
		}), want: "does not match its checksum"},
		{name: "payload file removed", edit: dropMember(pay + "/sub/b.txt"),
			want: "missing a payload file named in the checksum list"},
		{name: "payload file added", edit: addMembers(regular("%P/extra.txt", "x")),
			want: "not in the checksum list"},
		{name: "checksum list edited", edit: onBody("%R/checksums.sha256",
			func(b []byte) []byte { return bytes.Replace(b, []byte("a.txt"), []byte("A.txt"), 1) }),
			want: "checksum list does not match its SHA-256"},
		{name: "checksum list edited and manifest digest fixed",
			edit: thenEdits(onBody("%R/checksums.sha256", func(b []byte) []byte {
				b[1] ^= 1
				return b
			}), fixDigests), want: "does not match its checksum"},
		{name: "checksum list removed", edit: dropMember("%R/checksums.sha256"),
			want: "missing the checksum list"},
		{name: "checksum list and its manifest entry removed",
			edit: thenEdits(dropMember("%R/checksums.sha256"), editManifest(func(m *manifest.Manifest) {
				m.Clawback.Checksums = nil
			})), want: "names no checksum list"},
		{name: "truncated archive", raw: func(b []byte) []byte { return b[:len(b)*2/3] },
			want: "verification failed"},
		{name: "dot-dot member", edit: addMembers(regular("%P/../../../../evil.txt", "x")),
			want: "path traversal"},
		{name: "absolute member", edit: addMembers(regular("/tmp/clawback-evil.txt", "x")),
			want: "must be relative"},
		{name: "member beneath a symlink", edit: addMembers(
			tarMember{hdr: tar.Header{Name: "%P/lnk", Typeflag: tar.TypeSymlink, Linkname: "sub"}},
			regular("%P/lnk/evil.txt", "x")), want: "beneath a symbolic link"},
		{name: "hard link", edit: addMembers(tarMember{hdr: tar.Header{Name: "%P/hl",
			Typeflag: tar.TypeLink, Linkname: "%P/a.txt"}}), want: "hard link"},
		{name: "character device", edit: addMembers(tarMember{hdr: tar.Header{Name: "%P/null",
			Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}), want: "character device"},
		{name: "FIFO", edit: addMembers(tarMember{hdr: tar.Header{Name: "%P/q",
			Typeflag: tar.TypeFifo}}), want: "FIFO"},
	}
	before := treeSnapshot(t, filepath.Dir(src))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(good)
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				raw = packMembers(t, tt.edit(t, cloneMembers(ms, root, pay), root, pay))
			} else {
				raw = tt.raw(raw)
			}
			bad := filepath.Join(t.TempDir(), "bad.tar.gz")
			if err := os.WriteFile(bad, raw, 0o600); err != nil {
				t.Fatal(err)
			}

			code, out := runIn(t, base, "verify", bad)
			if code != exitFailure || !strings.Contains(out, tt.want) {
				t.Errorf("verify: exit %d, want %d with %q:\n%s", code, exitFailure, tt.want, out)
			}
			target := filepath.Join(t.TempDir(), "target")
			if code, out := runIn(t, base, "restore", "--target", target, bad); code != exitFailure {
				t.Errorf("restore --target: exit %d, want %d:\n%s", code, exitFailure, out)
			}
			if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("restore --target of a tampered archive created %s", target)
			}
			if code, out := runIn(t, base, "restore", "--in-place", bad); code != exitFailure {
				t.Errorf("restore --in-place: exit %d, want %d:\n%s", code, exitFailure, out)
			}
			if diff := cmp.Diff(before, treeSnapshot(t, filepath.Dir(src))); diff != "" {
				t.Errorf("restore --in-place of a tampered archive changed the state:\n%s", diff)
			}
			if _, err := os.Lstat("/tmp/clawback-evil.txt"); err == nil {
				t.Errorf("a member escaped to /tmp/clawback-evil.txt")
			}
		})
	}
}

// runIn runs clawback in process with HOME below dir and returns its exit
// code and its stdout and stderr together.
func runIn(tb testing.TB, dir string, args ...string) (int, string) {
	tb.Helper()
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out,
		getenv: func(k string) string {
			if k == "HOME" {
				return filepath.Join(dir, "home")
			}
			return os.Getenv(k)
		},
		getwd: func() (string, error) { return dir, nil }}
	return a.execute(context.Background(), args), out.String()
}

func writeTestFile(tb testing.TB, p, body string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// readMembers reads every member of a gzip tar and its archive root.
func readMembers(tb testing.TB, p string) ([]tarMember, string) {
	tb.Helper()
	var ms []tarMember
	for _, m := range tartest.Read(tb, p) {
		ms = append(ms, tarMember{hdr: m.Header, body: m.Body})
	}
	if len(ms) == 0 {
		tb.Fatal("empty archive")
	}
	root, _, _ := strings.Cut(ms[0].hdr.Name, "/")
	return ms, root
}

// cloneMembers copies ms so that an edit cannot change the original.
func cloneMembers(ms []tarMember, root, pay string) []tarMember {
	out := make([]tarMember, len(ms))
	for i, m := range ms {
		out[i] = tarMember{hdr: m.hdr, body: bytes.Clone(m.body)}
	}
	return out
}

// packMembers writes members as a PAX gzip tar with a valid CRC.
func packMembers(tb testing.TB, ms []tarMember) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range ms {
		h := m.hdr
		h.Format, h.PAXRecords = tar.FormatPAX, nil
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		} else {
			h.Size = 0
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(&h); err != nil {
			tb.Fatal(err)
		}
		if _, err := tw.Write(m.body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// expand replaces %R with the archive root and %P with the asset member.
func expand(s, root, pay string) string {
	return strings.NewReplacer("%R", root, "%P", pay).Replace(s)
}

func regular(name, body string) tarMember {
	return tarMember{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg}, body: []byte(body)}
}

// addMembers inserts members just before the checksum list, where payload
// goes.
func addMembers(extra ...tarMember) tamperEdit {
	return func(tb testing.TB, ms []tarMember, root, pay string) []tarMember {
		var out []tarMember
		for _, m := range ms {
			if m.hdr.Name == root+"/"+archive.ChecksumsName {
				for _, e := range extra {
					e.hdr.Name = expand(e.hdr.Name, root, pay)
					e.hdr.Linkname = expand(e.hdr.Linkname, root, pay)
					out = append(out, e)
				}
			}
			out = append(out, m)
		}
		return out
	}
}

func dropMember(name string) tamperEdit {
	return func(tb testing.TB, ms []tarMember, root, pay string) []tarMember {
		name := expand(name, root, pay)
		var out []tarMember
		for _, m := range ms {
			if strings.TrimSuffix(m.hdr.Name, "/") != name {
				out = append(out, m)
			}
		}
		if len(out) == len(ms) {
			tb.Fatalf("no member %s", name)
		}
		return out
	}
}

func onBody(name string, change func([]byte) []byte) tamperEdit {
	return func(tb testing.TB, ms []tarMember, root, pay string) []tarMember {
		name := expand(name, root, pay)
		for i, m := range ms {
			if m.hdr.Name == name {
				ms[i].body = change(m.body)
				return ms
			}
		}
		tb.Fatalf("no member %s", name)
		return nil
	}
}

func editManifest(change func(*manifest.Manifest)) tamperEdit {
	return func(tb testing.TB, ms []tarMember, root, pay string) []tarMember {
		return onBody("%R/manifest.json", func(b []byte) []byte {
			m, err := manifest.Parse(b)
			if err != nil {
				tb.Fatal(err)
			}
			change(m)
			out, err := manifest.Marshal(m)
			if err != nil {
				tb.Fatal(err)
			}
			return out
		})(tb, ms, root, pay)
	}
}

// fixDigests writes the checksum list's digest into the manifest, as an
// attacker who edits the list would.
func fixDigests(tb testing.TB, ms []tarMember, root, pay string) []tarMember {
	var sum [32]byte
	for _, m := range ms {
		if m.hdr.Name == root+"/"+archive.ChecksumsName {
			sum = sha256.Sum256(m.body)
		}
	}
	return editManifest(func(m *manifest.Manifest) {
		m.Clawback.Checksums.SHA256 = hex.EncodeToString(sum[:])
	})(tb, ms, root, pay)
}

func thenEdits(edits ...tamperEdit) tamperEdit {
	return func(tb testing.TB, ms []tarMember, root, pay string) []tarMember {
		for _, e := range edits {
			ms = e(tb, ms, root, pay)
		}
		return ms
	}
}
