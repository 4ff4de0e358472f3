package verify

import (
	"os"
	"strings"
	"testing"
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
