// Package tartest reads and rewrites gzip tar archives for clawback's
// tests: every member with its body, in archive order.
package tartest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// Member is one tar member and its body.
type Member struct {
	Header tar.Header
	Body   []byte
}

// Read returns every member of the gzip tar at path, failing tb on any
// error.
func Read(tb testing.TB, path string) []Member {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out []Member
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, Member{Header: *h, Body: body})
	}
}

// Rewrite writes to out a gzip tar of the members of the gzip tar at in,
// each passed through edit, which may change the header and returns the
// body. The size of a regular member follows its new body.
func Rewrite(tb testing.TB, in, out string, edit func(h *tar.Header, body []byte) []byte) {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range Read(tb, in) {
		h := m.Header
		body := edit(&h, m.Body)
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			tb.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}
