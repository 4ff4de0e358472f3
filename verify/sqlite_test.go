package verify

import (
	"context"
	"encoding/binary"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/clawback/clawback/snapshot"
)

// TestArchive_SQLiteSnapshot tampers with the core database of OpenClaw's
// baseline archive. Every case OpenClaw 2026.9.6 refuses is refused with
// its words; damage inside a page, which OpenClaw misses, fails
// quick_check here.
func TestArchive_SQLiteSnapshot(t *testing.T) {
	ms := refMembers(t, "baseline-sqlite.tar.gz")
	core := ""
	for _, m := range ms {
		if strings.HasSuffix(m.hdr.Name, "/state/openclaw.sqlite") {
			core = m.hdr.Name
		}
	}
	if core == "" {
		t.Fatal("baseline archive has no core database")
	}
	edit := func(f func(data []byte) []byte) func([]member) []member {
		return func(in []member) []member {
			var out []member
			for _, m := range in {
				if m.hdr.Name == core {
					m.data = f(append([]byte(nil), m.data...))
				}
				out = append(out, m)
			}
			return out
		}
	}
	tests := []struct {
		name string
		edit func([]member) []member
		want string // reason prefix; "" means it verifies
	}{
		{"unchanged", func(ms []member) []member { return ms }, ""},
		{"-wal sidecar", func(ms []member) []member {
			return append(ms, file(core+"-wal", "x"))
		}, "Backup contains a SQLite snapshot sidecar: " + core + "-wal"},
		{"-journal sidecar", func(ms []member) []member {
			return append(ms, file(core+"-journal", "x"))
		}, "Backup contains a SQLite snapshot sidecar: " + core + "-journal"},
		{"header overwritten", edit(func(d []byte) []byte {
			copy(d, "not a database!!")
			return d
		}), "SQLite snapshot " + core + " has an invalid database header."},
		{"empty", edit(func([]byte) []byte { return nil }),
			"SQLite snapshot is empty: " + core},
		{"cut to 1000 bytes", edit(func(d []byte) []byte { return d[:1000] }),
			"SQLite snapshot " + core + " has an invalid page layout."},
		{"a b-tree page damaged", edit(func(d []byte) []byte {
			// The cell pointers of the first table leaf after page 1.
			for off := 4096; off+4096 <= len(d); off += 4096 {
				if d[off] == 0x0d {
					for i := off + 8; i < off+40; i++ {
						d[i] ^= 0x5a
					}
					break
				}
			}
			return d
		}), "Backup SQLite snapshot failed verification: " + core + ". quick_check: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			p := writeArchive(t, gzipBytes(t, packTar(t, tt.edit(ms), 0)))
			res, err := Archive(t.Context(), p, Options{TempDir: tmp})
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want == "" && res.SnapshotsChecked != 1:
				t.Errorf("SnapshotsChecked = %d, want 1", res.SnapshotsChecked)
			case tt.want != "" && err == nil:
				t.Fatalf("verified; want %q", tt.want)
			case tt.want != "" && !strings.HasPrefix(err.(*Error).Reason, tt.want):
				t.Errorf("reason = %q\nwant      %q…", err.(*Error).Reason, tt.want)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left in the temporary directory: %v", left)
			}
		})
	}
}

// dbHeader is a SQLite header for a database of pages pages of 4096 bytes.
func dbHeader(pages uint32) []byte {
	h := make([]byte, snapshot.HeaderSize)
	copy(h, snapshot.Magic)
	binary.BigEndian.PutUint16(h[16:], 4096)
	h[18], h[19] = 1, 1
	binary.BigEndian.PutUint32(h[24:], 1) // change counter
	binary.BigEndian.PutUint32(h[28:], pages)
	binary.BigEndian.PutUint32(h[92:], 1) // version-valid-for
	return h
}

// TestDBCopy_DiskIsBounded feeds the copier members that inflate to many
// zeros behind a SQLite header: one whose header does not describe its
// size gets no copy at all, and one whose header does is copied with its
// zeros left as holes, so the disk it takes stays near its real content.
func TestDBCopy_DiskIsBounded(t *testing.T) {
	const size = 64 << 20
	zeros := make([]byte, 1<<20)
	feed := func(d *dbCopy, head []byte) {
		d.Write(head)
		for n := int64(len(head)); n < size; n += int64(len(zeros)) {
			d.Write(zeros[:min(int64(len(zeros)), size-n)])
		}
	}

	t.Run("header of another size", func(t *testing.T) {
		dir := t.TempDir()
		d := &dbCopy{dir: dir, size: size}
		feed(d, dbHeader(7))
		if d.f != nil {
			t.Fatal("a copy was made of a member whose header does not describe it")
		}
		var e entry
		d.check(context.Background(), &e)
		if !e.sqlite || !strings.HasSuffix(e.dbErr, "invalid page layout") {
			t.Fatalf("check: sqlite=%v err=%q, want an invalid page layout", e.sqlite, e.dbErr)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("left %d files in the temporary directory", len(left))
		}
	})

	t.Run("zeros behind a valid header", func(t *testing.T) {
		dir := t.TempDir()
		d := &dbCopy{dir: dir, size: size}
		feed(d, dbHeader(size/4096))
		if d.f == nil || d.err != nil {
			t.Fatalf("no copy: %v", d.err)
		}
		if err := d.f.Truncate(d.off); err != nil {
			t.Fatal(err)
		}
		var st syscall.Stat_t
		if err := syscall.Fstat(int(d.f.Fd()), &st); err != nil {
			t.Fatal(err)
		}
		if st.Size != size || st.Blocks*512 > 1<<20 {
			t.Fatalf("copy of %d bytes takes %d bytes of disk, want at most 1 MiB",
				st.Size, st.Blocks*512)
		}
		d.discard()
	})
}
