package verify

import (
	"bytes"
	"context"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
	"github.com/clawback/clawback/publish"
	"github.com/clawback/clawback/snapshot"
)

// maxRecordBody bounds the capture record kept to find the snapshots.
const maxRecordBody = 64 << 20

// dbCopy writes a member's body to a temporary file when it starts with
// the SQLite header, so that the database can be checked once the body has
// been read. It is an io.Writer that never fails; a file it cannot write
// is reported by the check.
//
// Disk use is bounded by what the archive really holds: a header whose
// page size and page count do not describe a database of the member's size
// is refused before anything is written, and runs of zero bytes are left
// as holes in the copy, so a small archive that inflates to gigabytes of
// zeros costs no disk.
type dbCopy struct {
	dir   string
	size  int64 // the member's size, from its header
	head  []byte
	shape error // the header does not describe a database of that size
	f     *os.File
	off   int64 // bytes of the body seen so far
	err   error
	no    bool // not a database: the rest is discarded
}

// zeroRun is the size of the blocks of zeros that dbCopy skips.
const zeroRun = 4096

func (d *dbCopy) Write(p []byte) (int, error) {
	n := len(p)
	if d.no || d.shape != nil || d.err != nil {
		return n, nil
	}
	if d.f == nil {
		take := min(snapshot.HeaderSize-len(d.head), len(p))
		d.head = append(d.head, p[:take]...)
		p = p[take:]
		if len(d.head) >= len(snapshot.Magic) && !snapshot.IsDatabase(d.head) {
			d.no = true
			return n, nil
		}
		if len(d.head) < snapshot.HeaderSize {
			return n, nil
		}
		if d.shape = snapshot.CheckShape(d.head, d.size); d.shape != nil {
			return n, nil
		}
		if d.f, d.err = publish.Scratch(d.dir, "verify"); d.err != nil {
			return n, nil
		}
		d.write(d.head)
	}
	d.write(p)
	return n, nil
}

// write appends p to the copy, leaving whole blocks of zeros as holes.
func (d *dbCopy) write(p []byte) {
	for len(p) > 0 && d.err == nil {
		k := min(zeroRun, len(p))
		if !allZero(p[:k]) {
			_, d.err = d.f.WriteAt(p[:k], d.off)
		}
		d.off += int64(k)
		p = p[k:]
	}
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// check checks the copied database, if the body was one, records the
// outcome in e and removes the copy and anything SQLite made beside it.
func (d *dbCopy) check(ctx context.Context, e *entry) {
	switch {
	case d.shape != nil:
		e.sqlite, e.dbErr = true, d.shape.Error()
		return
	case d.f == nil && d.err == nil && !d.no &&
		len(d.head) >= len(snapshot.Magic):
		// Shorter than a header: the check says why it is no database.
		e.sqlite, e.dbErr = true, snapshot.CheckShape(d.head, d.size).Error()
		return
	case d.f == nil && d.err == nil:
		return
	}
	e.sqlite = true
	if d.f == nil {
		e.dbErr = "copy database: " + d.err.Error()
		return
	}
	// The copy stays open, and so locked against another run's sweep,
	// until it is removed; the check opens it as immutable, without locks.
	name := d.f.Name()
	defer func() {
		os.Remove(name)
		for _, s := range snapshot.Sidecars {
			os.Remove(name + s)
		}
		d.f.Close()
	}()
	if d.err == nil {
		d.err = d.f.Truncate(d.off) // a trailing hole still counts
	}
	if d.err != nil {
		e.dbErr = "copy database: " + d.err.Error()
		return
	}
	if err := snapshot.Check(ctx, name, snapshot.Options{}); err != nil {
		e.dbErr = err.Error()
	}
}

// checkSQLite checks the SQLite members of an archive that passed every
// other check. The snapshots are the members the capture record marks as
// snapshots and OpenClaw's core database, <state>/state/openclaw.sqlite:
// each must have passed quick_check (see dbCopy), and no -wal, -shm or
// -journal member may lie beside it. Opaque copies are listed in res and
// do not fail.
func checkSQLite(l *listing, res *Result) []Problem {
	m := res.Manifest
	byName := make(map[string]*entry, len(l.entries))
	for i := range l.entries {
		byName[l.entries[i].norm] = &l.entries[i]
	}
	var snaps []string
	if core := coreDatabase(m); core != "" {
		if e, ok := byName[core]; ok && e.regular() {
			snaps = append(snaps, core)
		}
	}
	if l.record != nil {
		vs, _, _ := readRecord(bytes.NewReader(l.record))
		for _, v := range vs {
			switch v.SQLite {
			case "snapshot":
				if !slices.Contains(snaps, v.Member) {
					snaps = append(snaps, v.Member)
				}
			case "opaque":
				if v.Member != "" {
					res.OpaqueDatabases = append(res.OpaqueDatabases, v.Member)
				}
			}
		}
	}

	var ps problems
	for _, s := range snaps {
		for _, suffix := range snapshot.Sidecars {
			if _, ok := byName[s+suffix]; ok {
				ps.add(s+suffix, "Backup contains a SQLite snapshot sidecar: %s",
					s+suffix)
			}
		}
		e, ok := byName[s]
		switch {
		case !ok || !e.regular():
			ps.add(s, "SQLite snapshot named in the capture record is "+
				"missing from the archive: %s", s)
		case !e.hashed:
		case e.size == 0:
			ps.add(s, "SQLite snapshot is empty: %s", s)
		case !e.sqlite || strings.HasSuffix(e.dbErr, "invalid database header"):
			ps.add(s, "SQLite snapshot %s has an invalid database header.", s)
		case strings.HasSuffix(e.dbErr, "invalid page layout"):
			ps.add(s, "SQLite snapshot %s has an invalid page layout.", s)
		case e.dbErr != "":
			ps.add(s, "Backup SQLite snapshot failed verification: %s. %s",
				s, e.dbErr)
		default:
			res.SnapshotsChecked++
		}
	}
	return ps
}

// coreDatabase is the member name of OpenClaw's core database in an
// archive with manifest m, as OpenClaw's verifier builds it.
func coreDatabase(m *manifest.Manifest) string {
	if m == nil {
		return ""
	}
	dir := m.Paths.StateDir
	if dir == "" {
		for _, a := range m.Assets {
			if a.Kind == "state" {
				dir = a.SourcePath
				break
			}
		}
	}
	if dir == "" {
		return ""
	}
	return path.Join(archive.MemberPath(m.ArchiveRoot, dir), "state/openclaw.sqlite")
}

// discard removes a partial copy of a body that could not be read whole.
func (d *dbCopy) discard() {
	if d.f != nil {
		os.Remove(d.f.Name())
		d.f.Close()
		d.f = nil
	}
}
