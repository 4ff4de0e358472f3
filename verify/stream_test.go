package verify

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// cannotRead is OpenClaw's reason for a stream that does not decompress.
func cannotRead(msg string) string {
	return "Archive could not be read or parsed. " + msg +
		" Check the file permissions and archive integrity, then try again."
}

// notBackup is OpenClaw's reason for a tar node-tar refuses.
func notBackup(msg string) string {
	return "Archive is not a valid OpenClaw backup. " + msg +
		" Choose another archive or create a new one with " +
		"`clawback create`."
}

// zstdBytes compresses b into one zstd frame with a checksum.
func zstdBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	if at < 0 {
		at += len(c)
	}
	c[at] ^= 0xff
	return c
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestArchive_Framing damages the compression and tar framing of
// full-verified.tar.gz. The reasons are those OpenClaw 2026.9.6 printed for
// the same bytes, except where noted.
func TestArchive_Framing(t *testing.T) {
	gz := refBytes(t, "full-verified.tar.gz")
	raw := gunzip(t, gz)
	text := bytes.Repeat([]byte("hello world "), 100)
	unrecognized := notBackup("Unrecognized archive format.")
	cut := func(needed, have int) string {
		return notBackup(fmt.Sprintf("Truncated input (needed %d more "+
			"bytes, only %d available).", needed, have))
	}
	tests := []struct {
		name        string
		archive     []byte
		want        string
		compression string
	}{
		{"gzip", gz, "", compressionGzip},
		{"uncompressed tar", raw, "", compressionNone},
		{"tar without end blocks", gzipBytes(t, raw[:len(raw)-1024]), "",
			compressionGzip},
		{"uncompressed tar without end blocks", raw[:len(raw)-1024], "",
			compressionNone},
		{"garbage after the tar end", gzipBytes(t, cat(raw, text)), "",
			compressionGzip},
		{"second gzip member", cat(gz, gzipBytes(t, make([]byte, 1024))), "",
			compressionGzip},
		{"zero padding after gzip", cat(gz, make([]byte, 100)), "",
			compressionGzip},
		{"zero byte then garbage after gzip", cat(gz, make([]byte, 10),
			[]byte("junk")), "", compressionGzip},
		{"zstd", zstdBytes(t, raw), "", compressionZstd},

		{"gzip truncated", gz[:5000],
			cannotRead("zlib: unexpected end of file | Z_BUF_ERROR"), ""},
		{"garbage after gzip", cat(gz, []byte("garbage-garbage\n")),
			cannotRead("zlib: incorrect header check | Z_DATA_ERROR"), ""},
		{"one byte of a second member", cat(gz, []byte{0x1f}),
			cannotRead("zlib: unexpected end of file | Z_BUF_ERROR"), ""},
		{"compressed byte flipped", flip(gz, 3000),
			cannotRead("zlib: incorrect data check | Z_DATA_ERROR"), ""},
		{"CRC flipped", flip(gz, -6),
			cannotRead("zlib: incorrect data check | Z_DATA_ERROR"), ""},
		{"length flipped", flip(gz, -2),
			cannotRead("zlib: incorrect length check | Z_DATA_ERROR"), ""},
		{"unknown method", flip(gz, 2),
			cannotRead("zlib: unknown compression method | Z_DATA_ERROR"), ""},
		{"reserved flags", cat(gz[:3], []byte{0x80}, gz[4:]),
			cannotRead("zlib: unknown header flags set | Z_DATA_ERROR"), ""},
		{"zstd truncated", zstdBytes(t, raw)[:3000],
			cannotRead("zlib: unexpected end of file | Z_BUF_ERROR"), ""},
		{"zstd checksum flipped", flip(zstdBytes(t, raw), -1),
			cannotRead("zlib: Restored data doesn't match checksum | " +
				"ZSTD_error_checksum_wrong"), ""},

		{"empty", nil, unrecognized, ""},
		{"three bytes of gzip", gz[:3], unrecognized, ""},
		{"gzip of nothing", gzipBytes(t, nil), unrecognized, ""},
		{"gzip of end blocks only", gzipBytes(t, make([]byte, 1024)),
			unrecognized, ""},
		{"not an archive", text, notBackup("checksum failure."), ""},
		{"gzip of text", gzipBytes(t, text), notBackup("checksum failure."), ""},
		{"cut in the first body", gzipBytes(t, raw[:1124]), cut(412, 0), ""},
		{"cut in the first body, uncompressed", raw[:1124], cut(412, 0), ""},
		{"cut in the first block of a body", gzipBytes(t, raw[:600]),
			cut(1024, 88), ""},
		{"cut in a header", gzipBytes(t, raw[:1624]),
			"Expected exactly one backup manifest entry, found 0.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res, _ := reasonOf(t, writeArchive(t, tt.archive))
			if got != tt.want {
				t.Fatalf("reason = %q\nwant     %q", got, tt.want)
			}
			if res != nil &&
				(res.Compression != tt.compression || res.EntryCount != 52) {
				t.Errorf("compression %q, %d entries; want %q, 52",
					res.Compression, res.EntryCount, tt.compression)
			}
		})
	}
}

// TestArchive_GzipHeaderFields reads the optional gzip header fields and
// checks the header CRC as zlib does.
func TestArchive_GzipHeaderFields(t *testing.T) {
	raw := gunzip(t, refBytes(t, "full-verified.tar.gz"))
	var named bytes.Buffer
	zw := gzip.NewWriter(&named)
	zw.Name, zw.Comment, zw.Extra = "backup.tar", "made by hand", []byte("ex")
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	// The reference header has no optional field: add a header CRC.
	gz := refBytes(t, "full-verified.tar.gz")
	head := cat(gz[:3], []byte{gz[3] | 0x02}, gz[4:10])
	sum := crc32.ChecksumIEEE(head)
	withCRC := cat(head, []byte{byte(sum), byte(sum >> 8)}, gz[10:])

	for _, tt := range []struct {
		name    string
		archive []byte
		want    string
	}{
		{"name, comment and extra", named.Bytes(), ""},
		{"header CRC", withCRC, ""},
		{"wrong header CRC", flip(withCRC, 10),
			cannotRead("zlib: header crc mismatch | Z_DATA_ERROR")},
	} {
		got, _, _ := reasonOf(t, writeArchive(t, tt.archive))
		if got != tt.want {
			t.Errorf("%s: reason %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestArchive_ZstdNoRatioBound accepts a zstd archive that inflates far
// beyond the gzip bound: a zero-filled file compresses that well.
func TestArchive_ZstdNoRatioBound(t *testing.T) {
	ms := append(refMembers(t, "full-verified.tar.gz"),
		member{hdr: tar.Header{Name: home + "/.openclaw/workspace/zeros.bin",
			Typeflag: tar.TypeReg, Mode: 0o644}, data: make([]byte, 32<<20)})
	b := zstdBytes(t, packTar(t, ms, tar.FormatPAX))
	raw := 32 << 20
	if ratio := raw / len(b); ratio <= maxRatio {
		t.Fatalf("fixture inflates only %d times", ratio)
	}
	got, res, _ := reasonOf(t, writeArchive(t, b))
	if got != "" || res.EntryCount != 53 {
		t.Fatalf("reason %q, result %+v", got, res)
	}
}

// zeroReader returns zero bytes forever.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestFlow_RatioBound stops a gzip stream that inflates more than
// maxRatio times once ratioGrace bytes came out, and leaves zstd alone.
func TestFlow_RatioBound(t *testing.T) {
	for _, tt := range []struct {
		ratio bool
		want  string
	}{
		{true, "max decompression ratio exceeded: 1644.80 > 1100"},
		{false, ""},
	} {
		src := &source{r: io.LimitReader(zeroReader{}, 32<<20),
			compressed: &counter{n: 10 << 10}, ratio: tt.ratio}
		f := &flow{ctx: context.Background(), src: src}
		buf := make([]byte, 64<<10)
		var err error
		for err == nil {
			_, err = f.Read(buf)
		}
		got := ""
		if err != io.EOF {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("ratio %v: error %q, want %q", tt.ratio, got, tt.want)
		}
	}
}

// TestArchive_GlobalHeaderAtEnd ends a tar after a global PAX header,
// whose records archive/tar reads ahead of their padding: without end
// blocks it verifies, cut inside the padding it is truncated.
func TestArchive_GlobalHeaderAtEnd(t *testing.T) {
	g := member{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader,
		Name: "pax_global_header", PAXRecords: map[string]string{"k": "v"}}}
	raw := packTar(t, append(refMembers(t, "full-verified.tar.gz"), g),
		tar.FormatPAX)
	for _, tt := range []struct {
		cut  int
		want string
	}{
		{1024, ""},
		{1024 + 100, notBackup("Truncated input (needed 512 more bytes, " +
			"only 412 available).")},
	} {
		b := gzipBytes(t, raw[:len(raw)-tt.cut])
		got, _, _ := reasonOf(t, writeArchive(t, b))
		if got != tt.want {
			t.Errorf("cut %d: reason %q, want %q", tt.cut, got, tt.want)
		}
	}
}

// TestArchive_TarQuirks covers the tar layouts where node-tar reads on
// and archive/tar stops. The reasons are those OpenClaw printed.
func TestArchive_TarQuirks(t *testing.T) {
	ms := refMembers(t, "full-verified.tar.gz")
	n := len(ms) - 1
	head := packTar(t, ms[:n], tar.FormatPAX)
	head = head[:len(head)-1024]
	tail := packTar(t, ms[n:], tar.FormatPAX)
	zero := make([]byte, blockSize)

	// A member whose long name needs PAX records, cut inside them: its
	// extended header block, 212 of its 512 record bytes.
	long := file(ws+"/"+strings.Repeat("n", 300)+".md", "hello")
	pax := packTar(t, append(ms, long), tar.FormatPAX)
	recordsAt := len(pax) - 1024 - 3*blockSize

	tests := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"zero block between members", cat(head, zero, tail), ""},
		{"zero block then garbage", cat(head, zero, junk(200)),
			notBackup("checksum failure.")},
		{"cut in PAX records", pax[:recordsAt+212],
			notBackup("Truncated input (needed 512 more bytes, only 212 " +
				"available).")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := gzipBytes(t, tt.archive)
			got, res, _ := reasonOf(t, writeArchive(t, b))
			if got != tt.want {
				t.Fatalf("reason = %q\nwant     %q", got, tt.want)
			}
			if res != nil && res.EntryCount != 52 {
				t.Errorf("EntryCount = %d, want 52", res.EntryCount)
			}
		})
	}
}

func junk(n int) []byte { return bytes.Repeat([]byte("junk"), n) }

// ustarBlock is a ustar header block for a member of the given type and
// body size, for members archive/tar will not write.
func ustarBlock(name string, typ byte, size int) []byte {
	b := make([]byte, blockSize)
	copy(b, name)
	copy(b[100:], "0000644\x00")
	copy(b[108:], "0000000\x000000000\x00")
	copy(b[124:], fmt.Sprintf("%011o\x00", size))
	copy(b[136:], "00000000000\x00")
	b[156] = typ
	copy(b[257:], "ustar\x0000")
	copy(b[148:], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// paxRecords encodes PAX records, each "<length> <key>=<value>\n".
func paxRecords(kv ...string) []byte {
	var out []byte
	for i := 0; i+1 < len(kv); i += 2 {
		rec := " " + kv[i] + "=" + kv[i+1] + "\n"
		n := len(rec) + 1
		for len(strconv.Itoa(n))+len(rec) != n {
			n = len(strconv.Itoa(n)) + len(rec)
		}
		out = append(out, strconv.Itoa(n)+rec...)
	}
	return out
}

// padBlock pads b with zeros to a whole number of blocks.
func padBlock(b []byte) []byte {
	return append(b, make([]byte, (blockSize-len(b)%blockSize)%blockSize)...)
}

// TestArchive_PAXSparseMemberIsRefusedUnread checks that a member in GNU's
// PAX sparse format 1.0, which archive/tar expands to its declared real
// size, is refused as a sparse file without its terabyte of holes being
// read: a few hundred bytes in the archive must not cost hours.
func TestArchive_PAXSparseMemberIsRefusedUnread(t *testing.T) {
	ms := refMembers(t, "full-verified.tar.gz")
	n := len(ms) - 1
	head := packTar(t, ms[:n], tar.FormatPAX)
	head = head[:len(head)-1024]
	tail := packTar(t, ms[n:], tar.FormatPAX)

	// One data block of five bytes at the end of a 1 TiB file.
	name := ws + "/hole.bin"
	recs := paxRecords("GNU.sparse.major", "1", "GNU.sparse.minor", "0",
		"GNU.sparse.name", name, "GNU.sparse.realsize", strconv.Itoa(1<<40))
	body := cat(padBlock([]byte(fmt.Sprintf("1\n%d\n5\n", 1<<40-5))), []byte("hello"))
	sparse := cat(ustarBlock("PaxHeaders/hole.bin", tar.TypeXHeader, len(recs)),
		padBlock(recs), ustarBlock(ws+"/GNUSparseFile.0/hole.bin", tar.TypeReg, len(body)),
		padBlock(body))
	p := writeArchive(t, gzipBytes(t, cat(head, sparse, tail)))

	done := make(chan string, 1)
	go func() {
		got, _, _ := reasonOf(t, p)
		done <- got
	}()
	select {
	case got := <-done:
		want := "Archive contains an unsupported entry type (sparse file): " + name
		if got != want {
			t.Fatalf("reason = %q\nwant     %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("verify still reading the holes of a sparse member after 10 s")
	}
}
