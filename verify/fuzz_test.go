package verify

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzStream feeds arbitrary bytes to Stream, seeded with the reference
// archives, their uncompressed tars, a few damaged copies and one with a
// checksum list. Stream must not panic, and every failure must be an
// *Error.
func FuzzStream(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Stream(context.Background(), bytes.NewReader(data),
			"fuzz.tar.gz", Options{})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not a *verify.Error: %v", err, err)
			}
			return
		}
		if res.Manifest == nil || res.EntryCount < 2 {
			t.Fatalf("accepted archive without a manifest: %+v", res)
		}
	})
}

// FuzzList feeds arbitrary bytes to List, with the seeds of FuzzStream.
// List must not panic, and must return what it read even when it fails.
func FuzzList(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := List(context.Background(), bytes.NewReader(data),
			"fuzz.tar.gz")
		if c == nil {
			t.Fatalf("no contents returned (error %v)", err)
		}
		if err == nil && c.Manifest == nil && c.ManifestErr == nil {
			t.Fatalf("listed without a manifest or a reason: %+v", c)
		}
	})
}

// seeds returns the reference archives, their uncompressed tars, a few
// damaged copies and an archive with a checksum list.
func seeds(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	files, err := filepath.Glob(filepath.Join("testdata", "openclaw", "*.tar.gz"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed archives: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	small := refBytes(f, "only-config.tar.gz")
	raw := gunzip(f, small)
	out = append(out, raw)
	out = append(out, raw[:len(raw)-1024])
	out = append(out, zstdBytes(f, raw))
	out = append(out, small[:len(small)/2])
	out = append(out, cat(small, []byte("junk")))
	ms := refMembers(f, "only-config.tar.gz")
	out = append(out, packTar(f, append(ms, link(tar.TypeSymlink,
		ms[0].hdr.Name+"-link", "/etc/hostname")), tar.FormatGNU))
	out = append(out, []byte{})
	out = append(out, gzipBytes(f, packTar(f, clawbackMembers(f, refMembers(f,
		"full-verified.tar.gz")), tar.FormatPAX)))
	return out
}
