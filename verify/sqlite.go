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
	"github.com/clawback/clawback/snapshot"
)

// maxRecordBody bounds the capture record kept to find the snapshots.
const maxRecordBody = 64 << 20

// dbCopy writes a member's body to a temporary file when it starts with
// the SQLite header, so that the database can be checked once the body has
// been read. It is an io.Writer that never fails; a file it cannot write
// is reported by the check.
type dbCopy struct {
	dir  string
	head []byte
	f    *os.File
	err  error
	no   bool // not a database: the rest is discarded
}

func (d *dbCopy) Write(p []byte) (int, error) {
	n := len(p)
	if d.no || d.err != nil {
		return n, nil
	}
	if d.f == nil {
		need := len(snapshot.Magic) - len(d.head)
		take := min(need, len(p))
		d.head = append(d.head, p[:take]...)
		if len(d.head) < len(snapshot.Magic) {
			return n, nil
		}
		if !snapshot.IsDatabase(d.head) {
			d.no = true
			return n, nil
		}
		if d.f, d.err = os.CreateTemp(d.dir, ".clawback-verify-*.sqlite"); d.err != nil {
			return n, nil
		}
		if _, d.err = d.f.Write(d.head); d.err != nil {
			return n, nil
		}
		p = p[take:]
	}
	_, d.err = d.f.Write(p)
	return n, nil
}

// check checks the copied database, if the body was one, records the
// outcome in e and removes the copy and anything SQLite made beside it.
func (d *dbCopy) check(ctx context.Context, e *entry) {
	if d.f == nil && d.err == nil {
		return
	}
	e.sqlite = true
	if d.f == nil {
		e.dbErr = "copy database: " + d.err.Error()
		return
	}
	name := d.f.Name()
	defer func() {
		os.Remove(name)
		for _, s := range snapshot.Sidecars {
			os.Remove(name + s)
		}
	}()
	if err := d.f.Close(); d.err == nil {
		d.err = err
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
		case !e.sqlite:
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
		d.f.Close()
		os.Remove(d.f.Name())
		d.f = nil
	}
}
