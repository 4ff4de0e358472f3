package verify

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
)

// maxSumLine bounds one line of the checksum list: a digest, two spaces
// and a name of up to 32 KiB once escaped, which no file system allows.
const maxSumLine = 32<<10 + 67

// listedSum is one line of the checksum list.
type listedSum struct {
	name string // relative to the archive root, unescaped
	sum  [sha256.Size]byte
}

// sumList is the checksum list member, parsed line by line as its body
// streams past, so that it is never held whole. It is an io.Writer.
//
// Each line names a distinct payload file, which clawback writes before
// the list, so a list has at most as many lines as there are members
// before it. Only that many lines are kept; the rest are counted, so that
// a list of millions of lines in a small archive costs no more memory than
// the members do.
type sumList struct {
	member string      // normalised member name
	room   int         // lines that may be kept
	lines  []listedSum // lines that parse, in order
	bad    []int       // numbers of the lines that do not
	extra  int         // lines past room, neither parsed nor kept
	buf    []byte      // the current line so far
	n      int         // lines seen
	long   bool        // the current line passed maxSumLine
}

// Write takes the next bytes of the list. It never fails.
func (s *sumList) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.take(p)
			break
		}
		s.take(p[:i])
		s.line()
		p = p[i+1:]
	}
	return n, nil
}

func (s *sumList) take(b []byte) {
	switch {
	case s.long:
	case len(s.buf)+len(b) > maxSumLine:
		s.long, s.buf = true, s.buf[:0]
	default:
		s.buf = append(s.buf, b...)
	}
}

// line parses the line collected so far.
func (s *sumList) line() {
	s.n++
	if s.n > s.room {
		s.extra++
		s.buf, s.long = s.buf[:0], false
		return
	}
	sum, name, err := archive.ParseChecksumLine(string(s.buf))
	if s.long || err != nil || len(sum) != sha256.Size {
		s.bad = append(s.bad, s.n)
	} else {
		l := listedSum{name: name}
		copy(l.sum[:], sum)
		s.lines = append(s.lines, l)
	}
	s.buf, s.long = s.buf[:0], false
}

// close parses a last line that has no final newline, as sha256sum does.
func (s *sumList) close() {
	if len(s.buf) > 0 || s.long {
		s.line()
	}
}

// problems collects content problems in the order they are found.
type problems []Problem

func (ps *problems) add(member, format string, args ...any) {
	*ps = append(*ps, Problem{Path: member,
		Reason: fmt.Sprintf(format, args...)})
}

// checkContent compares the archive's content with the checksum list that
// the manifest names, on an archive that passed the structural checks, and
// records in res what it checked. A manifest without a clawback section
// (OpenClaw wrote the archive) leaves the content unchecked and is no
// problem. Otherwise the list and the capture record must match their
// digests in the manifest, every payload file must be listed with the
// digest of its body, every listed file must be in the archive, and the
// payload must hold no hard link.
func checkContent(l *listing, res *Result) []Problem {
	m := res.Manifest
	if m == nil || m.Clawback == nil {
		return nil
	}
	root, reason := normalizePath(m.ArchiveRoot, "")
	if reason != "" {
		return nil // refused by the structural checks already
	}
	byName := make(map[string]*entry, len(l.entries))
	for i := range l.entries {
		byName[l.entries[i].norm] = &l.entries[i]
	}

	// The two lists and their digests in the manifest.
	var ps problems
	c := m.Clawback
	list := memberOf(&ps, root, c.Checksums, "checksum list", byName)
	memberOf(&ps, root, c.Record, "capture record", byName)
	if list == nil {
		return ps
	}
	if want := path.Join(root, archive.ChecksumsName); list.norm != want ||
		l.sums == nil || l.sums.member != want {
		ps.add(list.norm, "Backup manifest names a checksum list other "+
			"than %s: %s", want, list.norm)
		return ps
	}
	if n := l.sums.extra; n > 0 {
		ps.add(list.norm, "Archive checksum list has %d more lines than "+
			"there are members before it: %s", n, list.norm)
	}
	for _, n := range l.sums.bad {
		ps.add(list.norm, "Archive checksum list has a malformed line %d: %s",
			n, list.norm)
	}

	// Every listed file against the members.
	payload := root + "/payload"
	listed := make(map[string]struct{}, len(l.sums.lines))
	checked := 0
	for _, s := range l.sums.lines {
		member := root + "/" + s.name
		norm, ok := normalizeLocal(member)
		if !ok || norm != member || !within(member, payload) ||
			member == payload {
			ps.add(member, "Archive checksum list names a path outside the "+
				"payload: %s", s.name)
			continue
		}
		if _, dup := listed[member]; dup {
			ps.add(member, "Archive checksum list names a file twice: %s",
				member)
			continue
		}
		listed[member] = struct{}{}
		e, ok := byName[member]
		switch {
		case !ok:
			ps.add(member, "Archive is missing a payload file named in the "+
				"checksum list: %s", member)
		case !e.regular():
			ps.add(member, "Archive payload entry named in the checksum "+
				"list is not a regular file: %s", member)
		case !e.hashed:
		case e.sum != s.sum:
			ps.add(member, "Archive payload file does not match its "+
				"checksum: %s", member)
		default:
			checked++
		}
	}

	// Every payload file against the list. clawback stores hardlinked
	// files as independent files, so a hard link in its payload was put
	// there by someone else, and its content is in no list.
	for i := range l.entries {
		e := &l.entries[i]
		if e.kind == tar.TypeLink && within(e.norm, payload) {
			ps.add(e.norm, "Archive payload entry is a hard link, which "+
				"clawback never writes: %s", e.norm)
			continue
		}
		if !e.regular() || !within(e.norm, payload) {
			continue
		}
		if _, ok := listed[e.norm]; !ok {
			ps.add(e.norm, "Archive payload file is not in the checksum "+
				"list: %s", e.norm)
		}
	}
	res.ContentChecked = len(ps) == 0
	res.FilesChecked = checked
	return ps
}

// memberOf finds the member that ref in the manifest's clawback section
// names, relative to root, and checks it against the digest there. what
// names it in messages. It returns nil, and adds a problem, when the
// member cannot be used.
func memberOf(ps *problems, root string, ref *manifest.Member, what string,
	byName map[string]*entry) *entry {
	if ref == nil {
		ps.add("", "Backup manifest has a clawback section but names no %s.",
			what)
		return nil
	}
	rel, reason := normalizePath(ref.Path, "Backup manifest "+what+" path")
	if reason != "" {
		ps.add("", "%s", reason)
		return nil
	}
	member := root + "/" + rel
	e, ok := byName[member]
	switch {
	case !ok:
		ps.add(member, "Archive is missing the %s named by the manifest: %s",
			what, member)
		return nil
	case !e.regular():
		ps.add(member, "Archive %s is not a regular file: %s", what, member)
		return nil
	}
	want, err := hex.DecodeString(ref.SHA256)
	switch {
	case err != nil || len(want) != sha256.Size:
		ps.add(member, "Backup manifest has a malformed SHA-256 for the "+
			"%s: %s", what, member)
	case e.hashed && !bytes.Equal(want, e.sum[:]):
		ps.add(member, "Archive %s does not match its SHA-256 in the "+
			"manifest: %s", what, member)
	}
	return e
}
