package verify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root and home are the archive root and the scratch home of the reference
// archive full-verified.tar.gz.
const (
	root = "2026-12-03T18-52-59.476+00-00-openclaw-backup"
	home = root + "/payload/posix/home/claw"
)

// member is one tar member, header and body.
type member struct {
	hdr  tar.Header
	data []byte
}

// refBytes returns a reference archive from testdata/openclaw.
func refBytes(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "openclaw", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// gunzip returns the decompressed bytes of a gzip stream.
func gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// gzipBytes compresses b into one gzip member.
func gzipBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// refMembers reads the members of a reference archive.
func refMembers(tb testing.TB, name string) []member {
	tb.Helper()
	tr := tar.NewReader(bytes.NewReader(gunzip(tb, refBytes(tb, name))))
	var ms []member
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return ms
		}
		if err != nil {
			tb.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatal(err)
		}
		ms = append(ms, member{hdr: *hdr, data: data})
	}
}

// packTar writes members as a tar in the given format, ending with the two
// zero blocks.
func packTar(tb testing.TB, ms []member, format tar.Format) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		hdr := m.hdr
		hdr.Format = format
		if hdr.Typeflag != tar.TypeXGlobalHeader {
			hdr.PAXRecords = nil
		}
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(m.data))
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			tb.Fatalf("write header %q: %v", hdr.Name, err)
		}
		if _, err := tw.Write(m.data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func file(name, data string) member {
	return member{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg,
		Mode: 0o644}, data: []byte(data)}
}

func dir(name string) member {
	return member{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir,
		Mode: 0o755}}
}

func link(kind byte, name, target string) member {
	return member{hdr: tar.Header{Name: name, Typeflag: kind,
		Linkname: target, Mode: 0o755}}
}

// without drops the members whose name satisfies drop.
func without(ms []member, drop func(name string) bool) []member {
	var out []member
	for _, m := range ms {
		if !drop(m.hdr.Name) {
			out = append(out, m)
		}
	}
	return out
}

// editManifest rewrites the root manifest member through edit, which sees
// it as decoded JSON.
func editManifest(tb testing.TB, ms []member,
	edit func(m map[string]any)) []member {
	tb.Helper()
	return setManifest(tb, ms, func(data []byte) []byte {
		m := map[string]any{}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			tb.Fatal(err)
		}
		edit(m)
		out, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		return out
	})
}

// setManifest replaces the root manifest body with set(body).
func setManifest(tb testing.TB, ms []member,
	set func(data []byte) []byte) []member {
	tb.Helper()
	out := append([]member(nil), ms...)
	for i, m := range out {
		if m.hdr.Name == root+"/manifest.json" {
			out[i].data = set(m.data)
			return out
		}
	}
	tb.Fatal("no root manifest")
	return nil
}

// writeArchive writes b to a file in a fresh temporary directory.
func writeArchive(tb testing.TB, b []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "backup.tar.gz")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// reasonOf verifies the archive file at p and returns the failure reason
// and the error, or "" and the result when it verified. It fails the test
// on an error that is not an *Error naming p.
func reasonOf(tb testing.TB, p string) (string, *Result, error) {
	tb.Helper()
	res, err := Archive(context.Background(), p, Options{})
	if err == nil {
		return "", res, nil
	}
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %T is not a *verify.Error: %v", err, err)
	}
	want := "Backup archive verification failed: " + p + ". "
	if !strings.HasPrefix(err.Error(), want) || e.ArchivePath != p {
		tb.Fatalf("error %q does not start with %q", err, want)
	}
	return e.Reason, nil, err
}
