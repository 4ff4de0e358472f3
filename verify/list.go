package verify

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/clawback/clawback/manifest"
)

// recordName is the capture record member below the archive root, as the
// backup package writes it.
const recordName = "capture-record.jsonl"

// maxRecordLine bounds one line of the capture record; longer lines are
// skipped and counted.
const maxRecordLine = 1 << 20

// Contents is what List found in an archive. It is read, not verified:
// an archive that lists may still fail Archive.
type Contents struct {
	ArchivePath string
	Compression string // "gzip", "zstd" or "none"

	// Manifest is the first <root>/manifest.json, parsed. It is nil when
	// the archive has none, or when it does not parse; ManifestErr then
	// says why.
	Manifest    *manifest.Manifest
	ManifestErr error

	// Members lists every tar member in archive order, without the PAX
	// and GNU meta headers.
	Members []Member

	// Record is set when the archive holds a capture record (clawback
	// writes one; OpenClaw does not). Its verdicts are joined to Members;
	// the files it names that have no member are in NotArchived.
	Record      bool
	NotArchived []Verdict
	// BadRecordLines counts record lines that could not be read.
	BadRecordLines int
}

// Member is one tar member as its header describes it.
type Member struct {
	Name     string
	Type     string // "file", "dir", "symlink", "hardlink", "fifo", ...
	Size     int64
	Mode     int64 // permission bits, with setuid, setgid and sticky
	ModTime  time.Time
	Linkname string

	// Verdict is the capture verdict the record gives the member, with
	// its detail; empty when the file was captured cleanly, or when the
	// archive has no record.
	Verdict string
	Detail  string
}

// Verdict is one line of the capture record: a file that was not captured
// cleanly. Member is empty when the file is not in the archive.
type Verdict struct {
	Path     string `json:"path"`
	Member   string `json:"member,omitempty"`
	Verdict  string `json:"verdict"`
	Detail   string `json:"detail,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	// SQLite is "snapshot" or "opaque" for a database.
	SQLite string `json:"sqlite,omitempty"`
}

// ListArchive lists the archive at path, as List does once the file is
// open. The file is only read, and closed before ListArchive returns.
func ListArchive(ctx context.Context, path string) (*Contents, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("list archive: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("list archive: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("list archive %s: not a regular file", path)
	}
	return List(ctx, f, path)
}

// List reads the archive from r in one pass, without extracting anything:
// the compression is sniffed as Stream sniffs it (gzip, zstd or a plain
// tar), every member's header is kept, and the manifest and the capture
// record are read and joined to the members. displayPath names the archive
// in the result and in errors.
//
// When the stream cannot be read to its end, List returns what it read so
// far together with the error. If ctx ends first it returns ctx.Err().
// Memory is bounded apart from one Member per member and one Verdict per
// record line.
func List(ctx context.Context, r io.Reader, displayPath string) (*Contents, error) {
	c := &Contents{ArchivePath: displayPath, Compression: compressionNone}
	src, err := openSource(r)
	if err != nil {
		return c, fmt.Errorf("list archive %s: %w", displayPath, err)
	}
	defer src.close()
	c.Compression = src.compression

	f := &flow{ctx: ctx, src: src}
	tr := tar.NewReader(f)
	var manifestData []byte
	var record []Verdict
	recordRoot := ""
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err == nil && hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return c, listError(ctx, displayPath, c.Members, err)
		}
		c.Members = append(c.Members, describe(hdr))

		// The manifest and the record, by their place below the root.
		name := strings.TrimSuffix(hdr.Name, "/")
		regular := hdr.Typeflag == tar.TypeReg
		switch {
		case !regular:
		case manifestData == nil && isRootManifest(name) &&
			hdr.Size <= manifest.MaxSize:
			manifestData, err = io.ReadAll(tr)
		case !c.Record && isRootMember(name, recordName):
			c.Record = true
			recordRoot, _, _ = strings.Cut(name, "/")
			record, c.BadRecordLines, err = readRecord(tr)
		}
		if err != nil {
			return c, listError(ctx, displayPath, c.Members, err)
		}
	}
	// Read to the end, so that a bad checksum after the tar is found.
	if _, err := io.Copy(io.Discard, f); err != nil {
		return c, listError(ctx, displayPath, nil, err)
	}

	switch {
	case manifestData == nil:
		c.ManifestErr = errors.New("archive has no manifest")
	default:
		c.Manifest, c.ManifestErr = manifest.Parse(manifestData)
	}
	if c.Manifest != nil && c.Record && recordRoot != c.Manifest.ArchiveRoot {
		c.Record, record = false, nil // a record of another root
	}
	c.join(record)
	return c, nil
}

// listError words a failure to read the stream, naming the member whose
// body it broke in.
func listError(ctx context.Context, path string, ms []Member, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && len(ms) > 0 {
		return fmt.Errorf("list archive %s: archive ends inside member %s",
			path, ms[len(ms)-1].Name)
	}
	return fmt.Errorf("list archive %s: %w", path, err)
}

// describe returns what a header says of its member.
func describe(hdr *tar.Header) Member {
	m := Member{Name: hdr.Name, Size: hdr.Size, Mode: hdr.Mode & 0o7777,
		ModTime: hdr.ModTime.UTC(), Linkname: hdr.Linkname}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeCont:
		m.Type = "file"
		if strings.HasSuffix(hdr.Name, "/") {
			m.Type = "dir"
		}
	case tar.TypeDir:
		m.Type = "dir"
	case tar.TypeSymlink:
		m.Type = "symlink"
	case tar.TypeLink:
		m.Type = "hardlink"
	case tar.TypeChar:
		m.Type = "char-device"
	case tar.TypeBlock:
		m.Type = "block-device"
	case tar.TypeFifo:
		m.Type = "fifo"
	default:
		m.Type = fmt.Sprintf("type-%q", hdr.Typeflag)
	}
	if m.Type != "file" {
		m.Size = 0
	}
	return m
}

// readRecord reads the capture record, one JSON object per line. Lines
// that are too long or do not decode are counted, not returned.
func readRecord(r io.Reader) ([]Verdict, int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []Verdict
	bad := 0
	var line []byte
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case long:
		case len(line)+len(chunk) > maxRecordLine:
			long, line = true, line[:0]
		default:
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return out, bad, err
		}
		if text := strings.TrimSpace(string(line)); long || text != "" {
			var v Verdict
			if long || json.Unmarshal([]byte(text), &v) != nil ||
				v.Verdict == "" {
				bad++
			} else {
				out = append(out, v)
			}
		}
		line, long = line[:0], false
		if err == io.EOF {
			return out, bad, nil
		}
	}
}

// join attaches each verdict to its member and keeps the others in
// NotArchived.
func (c *Contents) join(record []Verdict) {
	index := make(map[string]int, len(c.Members))
	for i, m := range c.Members {
		name := strings.TrimSuffix(m.Name, "/")
		if _, dup := index[name]; !dup {
			index[name] = i
		}
	}
	for _, v := range record {
		i, ok := index[strings.TrimSuffix(v.Member, "/")]
		if v.Member == "" || !ok {
			c.NotArchived = append(c.NotArchived, v)
			continue
		}
		c.Members[i].Verdict, c.Members[i].Detail = v.Verdict, v.Detail
	}
}
