package verify

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
)

// entry is what the checks keep of one tar member.
type entry struct {
	raw  string // name as stored
	norm string // normalised name; empty when normalisation failed
	link string // link target of hard and symbolic links
	kind byte   // tar typeflag, with "0" plus a trailing slash read as "5"

	sum    [sha256.Size]byte // SHA-256 of the body of a regular file
	hashed bool              // sum is set: the whole body was read
	size   int64             // body size of a regular file

	sqlite bool   // the body starts with the SQLite header
	dbErr  string // why the database failed its check, if it did
}

// regular reports whether e is a regular file, which has a body.
func (e *entry) regular() bool {
	return e.kind == tar.TypeReg || e.kind == tar.TypeCont
}

// listing is the result of the single pass over the archive.
type listing struct {
	entries     []entry
	compression string

	readErr error    // the stream could not be read or decompressed
	invalid string   // node-tar would have refused a header
	pathErr string   // first entry name refused as unsafe
	portErr []string // first entry names OpenClaw refuses for portability only

	manifest     []byte // first <root>/manifest.json member, when read
	manifestSeen bool
	manifestBig  bool // its header size passed manifest.MaxSize

	unsupported string // first member of a type clawback refuses

	sums     *sumList // the first <root>/checksums.sha256, parsed
	record   []byte   // the first <root>/capture-record.jsonl, up to maxRecordBody
	complete bool     // the tar was read to its end blocks or its end
	brokenIn string   // member whose body the stream failed or ended in
}

// scanner walks the tar stream once.
type scanner struct {
	ctx   context.Context
	flow  *flow
	tr    *tar.Reader
	l     *listing
	start int64  // data offset of the current member
	end   int64  // offset where the next header chain starts
	cur   string // name of the current member
	seen  bool   // node-tar would have seen a valid header
	buf   []byte // copy buffer for member bodies
	temp  string // directory for database copies
}

// scan reads the whole archive once: every member's name, type and link
// target, the first root manifest's bytes, and then the rest of the
// decompressed stream, so that a bad checksum or trailing garbage after the
// tar end is still found. It returns an error only when ctx is done.
func scan(ctx context.Context, r io.Reader, temp string) (*listing, error) {
	l := &listing{compression: compressionNone}
	src, err := openSource(r)
	if err != nil {
		l.readErr = err
		return l, ctx.Err()
	}
	defer src.close()
	l.compression = src.compression

	f := &flow{ctx: ctx, src: src}
	s := &scanner{ctx: ctx, flow: f, tr: tar.NewReader(f), l: l, temp: temp}
	s.members()
	if f.err == nil {
		if _, err := io.Copy(io.Discard, f); err != nil && f.err == nil {
			f.err = err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.err != nil {
		l.readErr = f.err
		if s.end > f.off {
			l.brokenIn = s.cur
		}
	}
	if !s.seen {
		s.invalidf("Unrecognized archive format")
	}
	return l, nil
}

func (s *scanner) invalidf(format string, args ...any) {
	if s.l.invalid == "" {
		s.l.invalid = fmt.Sprintf(format, args...)
	}
}

// members reads headers until the tar ends or cannot be read further.
func (s *scanner) members() {
	for s.ctx.Err() == nil {
		s.flow.capture(s.end)
		hdr, err := s.tr.Next()
		s.flow.capOn = false
		if s.flow.err != nil {
			return
		}
		if err != nil && s.end > s.flow.off {
			// Cut inside the previous member's body or padding.
			s.cutShort()
			return
		}
		if err == io.EOF {
			s.l.complete = true
			return
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			if !s.explain() {
				return
			}
			s.tr = tar.NewReader(s.flow)
			continue
		}
		s.member(hdr)
		if s.flow.err != nil {
			return
		}
	}
}

// member records one header and reads the manifest body when it is the
// first root manifest.
func (s *scanner) member(hdr *tar.Header) {
	size := hdr.Size
	switch hdr.Typeflag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock,
		tar.TypeDir, tar.TypeFifo:
		size = 0
	}
	s.start = s.flow.off
	s.end = s.start + padded(size)
	s.cur = hdr.Name
	s.seen = true
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		// archive/tar has read the records, not their padding, and
		// returns no size: take it from the captured header block.
		b := s.flow.capBuf
		if len(b) >= blockSize && b[156] == tar.TypeXGlobalHeader {
			if n, ok := headerSize(b[:blockSize]); ok {
				s.start = s.flow.capFrom + blockSize
				s.end = s.start + padded(n)
			}
		}
		return
	}

	// node-tar drops headers it cannot use and reports them.
	kind := hdr.Typeflag
	if kind == tar.TypeReg && strings.HasSuffix(hdr.Name, "/") {
		kind = tar.TypeDir
	}
	if kind == tar.TypeReg && paxSparse(hdr) {
		kind = tar.TypeGNUSparse
	}
	isLink := kind == tar.TypeLink || kind == tar.TypeSymlink
	switch {
	case hdr.Name == "":
		s.invalidf("path is required")
		return
	case isLink && hdr.Linkname == "":
		s.invalidf("linkpath required")
		return
	case !isLink && hdr.Linkname != "":
		s.invalidf("linkpath forbidden")
		return
	}

	name, listed := typeName(kind)
	if name != "" && s.l.unsupported == "" {
		s.l.unsupported = fmt.Sprintf(
			"Archive contains an unsupported entry type (%s): %s",
			name, hdr.Name)
	}
	if !listed {
		return
	}
	e := entry{raw: hdr.Name, kind: kind, link: hdr.Linkname}
	norm, reason := normalizePath(hdr.Name, "Archive entry")
	if reason != "" {
		// A name refused only for portability is kept, and judged once
		// the manifest says who wrote the archive.
		if local, ok := normalizeLocal(hdr.Name); ok {
			norm = local
			if len(s.l.portErr) < maxUnportable {
				s.l.portErr = append(s.l.portErr, reason)
			}
		} else if s.l.pathErr == "" {
			s.l.pathErr = reason
		}
	}
	e.norm = norm
	s.l.entries = append(s.l.entries, e)
	if norm == "" || !isRootManifest(norm) || s.l.manifestSeen {
		if e.regular() {
			s.body(&s.l.entries[len(s.l.entries)-1], hdr.Size)
		}
		return
	}

	// The manifest: refuse an oversized one by its header, unread.
	s.l.manifestSeen = true
	if kind != tar.TypeDir && hdr.Size > manifest.MaxSize {
		s.l.manifestBig = true
		return
	}
	body, err := io.ReadAll(io.LimitReader(s.tr, manifest.MaxSize))
	switch {
	case s.flow.err != nil:
	case errors.Is(err, io.ErrUnexpectedEOF):
		s.cutShort()
	case err == nil:
		s.l.manifest = body
	}
}

// body reads the body of the regular member e, once, for every check that
// needs its bytes: the SHA-256 of each file, and the lines of the checksum
// list. A check that needs more of a member (a copy on disk, say) adds its
// writer here, so that the archive is still read in one pass.
func (s *scanner) body(e *entry, size int64) {
	h := sha256.New()
	var w io.Writer = h
	var list *sumList
	if s.l.sums == nil && isRootMember(e.norm, archive.ChecksumsName) {
		list = &sumList{member: e.norm, room: len(s.l.entries)}
		w = io.MultiWriter(h, list)
	}
	var rec *bytes.Buffer
	if s.l.record == nil && isRootMember(e.norm, recordName) {
		rec = &bytes.Buffer{}
		w = io.MultiWriter(w, &limited{rec, maxRecordBody})
	}
	db := &dbCopy{dir: s.temp, size: size}
	w = io.MultiWriter(w, db)
	if s.buf == nil {
		s.buf = make([]byte, 64<<10)
	}
	n, err := io.CopyBuffer(w, s.tr, s.buf)
	e.size = n
	if err == nil && s.flow.err == nil {
		db.check(s.ctx, e)
	} else {
		db.discard()
	}
	switch {
	case s.flow.err != nil:
		return
	case errors.Is(err, io.ErrUnexpectedEOF):
		s.cutShort()
		return
	case err != nil:
		return
	}
	h.Sum(e.sum[:0])
	e.hashed = true
	if list != nil {
		list.close()
		s.l.sums = list
	}
	if rec != nil {
		s.l.record = rec.Bytes()
	}
}

// limited writes up to n bytes to w and drops the rest.
type limited struct {
	w *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// cutShort reports, in node-tar's words, a stream that ended inside the
// current member's body or padding, and names the member.
func (s *scanner) cutShort() {
	if s.l.invalid == "" {
		s.l.brokenIn = s.cur
	}
	s.invalidf("%s", truncated(s.start, s.end, s.flow.off, s.flow.src.chunk))
}

// typeName names the member types clawback refuses (name is empty for the
// types OpenClaw writes) and reports whether node-tar lists members of the
// type at all: it silently skips sparse files, volume headers and unknown
// types, so OpenClaw's checks never see them.
func typeName(kind byte) (name string, listed bool) {
	switch kind {
	case tar.TypeReg, tar.TypeCont, tar.TypeDir, tar.TypeLink,
		tar.TypeSymlink:
		return "", true
	case tar.TypeChar:
		return "character device", true
	case tar.TypeBlock:
		return "block device", true
	case tar.TypeFifo:
		return "FIFO", true
	case 'D':
		return "GNU dump directory", true
	case tar.TypeGNUSparse:
		return "sparse file", false
	}
	return fmt.Sprintf("type %q", kind), false
}

// paxSparse reports whether hdr is a sparse file in one of GNU's PAX
// formats. archive/tar returns its body expanded to the declared real
// size, the holes read as zeros, so a few bytes in the archive can stand
// for terabytes; such a member is refused as a sparse file, unread.
func paxSparse(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// truncated words node-tar's report of a member whose body [start, end)
// the stream cut at n. node-tar consumes a body only when at least one
// block is available past its position, and data reaches it in chunks of
// the given size, so the bytes it still needs and the bytes it holds
// depend on where the chunks end.
func truncated(start, end, n, chunk int64) string {
	pos := start
	if last := (n - 1) / chunk * chunk; last > start && last-start >= blockSize {
		pos = last
	}
	if n-pos >= blockSize {
		pos = n
	}
	return fmt.Sprintf("Truncated input (needed %d more bytes, only %d available)",
		end-pos, n-pos)
}

// explain turns a failure of archive/tar into what node-tar reports for the
// same bytes, and reports whether scanning can go on with a fresh tar
// reader.
//
// node-tar reads block by block and is more forgiving than archive/tar: it
// ignores a partial header at the end of the stream, takes a single zero
// block as padding, and names the first bad header "checksum failure". The
// header chain that failed was captured from s.end on; it is walked here
// with node-tar's rules.
func (s *scanner) explain() bool {
	f := s.flow
	n := f.off
	buf, q := f.capBuf, s.end
	zeros := 0
	for pos := int64(0); ; {
		if f.eof && n-(q+pos) < blockSize {
			return false // a partial header at the end is ignored
		}
		if pos+blockSize > int64(len(buf)) {
			s.invalidf("invalid tar header")
			return false
		}
		blk := buf[pos : pos+blockSize]
		if isZero(blk) {
			zeros++
			pos += blockSize
			continue
		}
		if !checksumOK(blk) {
			s.invalidf("checksum failure")
			return false
		}
		if zeros > 0 && f.off == q+pos+blockSize {
			// archive/tar refuses a zero block followed by a header;
			// node-tar reads on. Hand the header back and go on.
			f.replay(blk)
			s.start, s.end = q+pos, q+pos
			return true
		}
		size, ok := headerSize(blk)
		if !ok {
			s.invalidf("invalid tar header")
			return false
		}
		start := q + pos + blockSize
		end := start + padded(size)
		if f.eof && end > n {
			s.invalidf("%s", truncated(start, end, n, f.src.chunk))
			return false
		}
		switch blk[156] {
		case 'x', 'g', 'L', 'K':
			pos = end - q // an extended header: its member follows
			continue
		}
		s.invalidf("invalid tar header")
		return false
	}
}

// padded is size rounded up to whole blocks, kept clear of overflow.
func padded(size int64) int64 {
	size = min(max(size, 0), 1<<60)
	return (size + blockSize - 1) / blockSize * blockSize
}

func isZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}

// checksumOK applies node-tar's header checksum: the unsigned byte sum with
// the checksum field read as spaces must equal the field's value, which
// node-tar reads from twelve bytes, running into the type flag when the
// field has no terminator.
func checksumOK(blk []byte) bool {
	want, ok := headerNumber(blk[148:160])
	if !ok {
		return false
	}
	sum := int64(8 * ' ')
	for i, b := range blk {
		if i < 148 || i >= 156 {
			sum += int64(b)
		}
	}
	return sum == want
}

// headerSize reads the size field of a header block.
func headerSize(blk []byte) (int64, bool) {
	n, ok := headerNumber(blk[124:136])
	return n, ok && n >= 0
}

// headerNumber reads a numeric header field as node-tar does: GNU
// base-256 after a leading 0x80 byte, or else the octal digits that start
// the field once it is cut at its first NUL and leading space is trimmed.
func headerNumber(field []byte) (int64, bool) {
	if len(field) > 0 && field[0] == 0x80 {
		var n int64
		for _, b := range field[1:] {
			if n > (1<<55)-1 {
				return 0, false
			}
			n = n<<8 | int64(b)
		}
		return n, true
	}
	s := string(field)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	for end < len(s) && '0' <= s[end] && s[end] <= '7' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 8, 64)
	return n, err == nil
}
