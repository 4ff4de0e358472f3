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
// archives, their uncompressed tars and a few damaged copies. Stream must
// not panic, and every failure must be an *Error.
func FuzzStream(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "openclaw", "*.tar.gz"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed archives: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	small := refBytes(f, "only-config.tar.gz")
	raw := gunzip(f, small)
	f.Add(raw)
	f.Add(raw[:len(raw)-1024])
	f.Add(zstdBytes(f, raw))
	f.Add(small[:len(small)/2])
	f.Add(cat(small, []byte("junk")))
	ms := refMembers(f, "only-config.tar.gz")
	f.Add(packTar(f, append(ms, link(tar.TypeSymlink,
		ms[0].hdr.Name+"-link", "/etc/hostname")), tar.FormatGNU))
	f.Add([]byte{})

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
