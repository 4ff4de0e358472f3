package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/manifest"
	"github.com/clawback/clawback/plan"
	"github.com/clawback/clawback/verify"
)

// maxExamples is how many paths per verdict the manifest and the text
// summary show.
const maxExamples = 3

// writeState is the writer's side of the pipeline: the archive, the spooled
// checksum list and record, and the counts for the result.
type writeState struct {
	p  *plan.Plan
	o  Options
	aw *archive.Writer
	// links is the manifest as far as planning knows it, for classifying
	// symbolic links as OpenClaw's verifier will.
	links *manifest.Manifest

	sums, record       *os.File
	sumsBuf, recordBuf *bufio.Writer
	res                *Result
	names              names
	stats              walkStats
	progress           Progress
}

func newWriteState(p *plan.Plan, o Options, aw *archive.Writer, spool string) (*writeState, error) {
	ws := &writeState{p: p, o: o, aw: aw,
		res: &Result{
			ArchivePath: p.OutputPath,
			ArchiveRoot: p.ArchiveRoot,
			CreatedAt:   p.CreatedAt,
			Verdicts:    map[string]int{},
		}}
	ws.links = manifestOf(p, o.Version)
	var err error
	if ws.sums, err = tempFile(spool); err != nil {
		return nil, err
	}
	if ws.record, err = tempFile(spool); err != nil {
		ws.sums.Close()
		return nil, err
	}
	ws.sumsBuf = bufio.NewWriter(ws.sums)
	ws.recordBuf = bufio.NewWriter(ws.record)
	return ws, nil
}

func tempFile(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, ".clawback-list-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary list: %w", err)
	}
	os.Remove(f.Name())
	return f, nil
}

func (ws *writeState) close() {
	ws.sums.Close()
	ws.record.Close()
}

// consume writes entries in order as their captures finish.
func (ws *writeState) consume(ctx context.Context, ordered <-chan *entry, win *window) error {
	for e := range ordered {
		select {
		case <-e.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		err := ws.one(e)
		if e.res != nil {
			e.res.Close()
		}
		win.give(e.held)
		if err != nil {
			return err
		}
		if ws.o.Progress != nil {
			ws.o.Progress(ws.progress)
		}
	}
	return nil
}

// one writes or records a single entry.
func (ws *writeState) one(e *entry) error {
	rel := strings.TrimPrefix(e.member, ws.p.ArchiveRoot+"/")
	if e.isDir {
		ws.names.check(e.member)
		ws.res.Counts.Dirs++
		return ws.aw.WriteDir(e.member, e.dirMode, e.dirMtime)
	}
	r := e.res
	switch r.Kind {
	case capture.Regular:
		ws.names.check(e.member)
		var content io.Reader = r.Content()
		if ws.o.Progress != nil && r.Size > progressStep {
			content = &progressReader{r: content, ws: ws}
		}
		sum, err := ws.aw.WriteFile(e.member, r.Mode, r.ModTime, r.Size, content)
		if err != nil {
			return err
		}
		ws.sumsBuf.WriteString(archive.ChecksumLine(sum[:], rel))
		ws.res.Counts.Regular++
		ws.res.Counts.Bytes += r.Size
		ws.progress.Files++
		ws.progress.Bytes = ws.res.Counts.Bytes
	case capture.Symlink:
		ws.names.check(e.member)
		if err := ws.aw.WriteSymlink(e.member, r.Linkname, r.Mode, r.ModTime); err != nil {
			return err
		}
		ws.res.Counts.Symlinks++
		if verify.ExternalLink(ws.links, e.member, r.Linkname) {
			ws.res.ExternalLinks = append(ws.res.ExternalLinks,
				manifest.ExternalLink{EntryPath: e.member, Linkpath: r.Linkname})
		}
	}
	if r.Verdict == capture.Clean {
		return nil
	}
	if e.root && r.Kind == capture.Gone {
		return fmt.Errorf("%w: %s", errRootGone, e.src)
	}
	return ws.note(e, r)
}

// note records a file that was not captured cleanly.
func (ws *writeState) note(e *entry, r *capture.Result) error {
	fr := FileReport{Path: e.src, Verdict: r.Verdict, Detail: r.Detail,
		Attempts: r.Attempts, SQLite: r.SQLite, Partial: r.Inconsistent}
	if r.Kind != capture.Gone && r.Kind != capture.Special {
		fr.Member = e.member
	}
	ws.res.Files = append(ws.res.Files, fr)
	ws.res.Verdicts[r.Verdict]++
	if fr.Inconsistent() {
		ws.res.Incomplete = true
	}
	line, err := json.Marshal(fr)
	if err != nil {
		return err
	}
	ws.recordBuf.Write(line)
	ws.recordBuf.WriteByte('\n')
	return nil
}

// finish writes the checksum list, the record and the manifest, and closes
// the archive stream.
func (ws *writeState) finish() (*Result, error) {
	res := ws.res
	res.Rules = ws.stats.rules
	res.Excluded = ws.stats.excluded
	for _, n := range ws.stats.rules {
		res.SkippedVolatileCount += n
	}
	ws.warnNames()

	sumsMember, err := ws.copyList(ws.sums, ws.sumsBuf, archive.ChecksumsName)
	if err != nil {
		return nil, err
	}
	recMember, err := ws.copyList(ws.record, ws.recordBuf, RecordName)
	if err != nil {
		return nil, err
	}
	m := manifestOf(ws.p, ws.o.Version)
	m.ExternalSymbolicLinks = res.ExternalLinks
	m.Clawback = &manifest.Clawback{
		Version:   ws.o.Version,
		Checksums: sumsMember,
		Record:    recMember,
		Files:     res.Counts,
		Verdicts:  res.Verdicts,
		Rules:     res.Rules,
		Examples:  res.examples(maxExamples),
		Warnings:  firstN(res.Warnings, 20),
	}
	data, err := manifest.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := ws.aw.WriteMember(path.Join(ws.p.ArchiveRoot, "manifest.json"), data); err != nil {
		return nil, err
	}
	if err := ws.aw.Close(); err != nil {
		return nil, err
	}
	return res, nil
}

// copyList writes a spooled list into the archive and returns its name and
// digest for the manifest.
func (ws *writeState) copyList(f *os.File, buf *bufio.Writer, name string) (*manifest.Member, error) {
	if err := buf.Flush(); err != nil {
		return nil, fmt.Errorf("write temporary list: %w", err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	h := sha256.New()
	sum, err := ws.aw.WriteFile(path.Join(ws.p.ArchiveRoot, name), 0o644,
		ws.p.CreatedAt, size, io.TeeReader(f, h))
	if err != nil {
		return nil, err
	}
	return &manifest.Member{Path: name, SHA256: hex.EncodeToString(sum[:])}, nil
}

func (ws *writeState) warnNames() {
	for _, w := range []struct {
		n       int
		example []string
		what    string
	}{
		{ws.names.nBackslash, ws.names.backslash, "a backslash"},
		{ws.names.nDrive, ws.names.drive, "a segment that reads as a Windows drive"},
		{ws.names.nCollision, ws.names.collision, "a name equal, but for case or Unicode normalisation, to a name archived before it"},
	} {
		if w.n == 0 {
			continue
		}
		name := "archived names have"
		if w.n == 1 {
			name = "archived name has"
		}
		ws.res.Warnings = append(ws.res.Warnings, fmt.Sprintf(
			"%d %s %s (for example %s); clawback verifies and restores it, "+
				"but OpenClaw's verifier will reject this archive",
			w.n, name, w.what, w.example[0]))
	}
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// progressStep is how many bytes of one large file pass between progress
// reports.
const progressStep = 4 << 20

// progressReader reports the bytes of a large file as they are archived, so
// that progress moves while one big file is compressed.
type progressReader struct {
	r    io.Reader
	ws   *writeState
	seen int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	before := p.seen
	p.seen += int64(n)
	if p.seen/progressStep != before/progressStep {
		pr := p.ws.progress
		pr.Bytes += p.seen
		p.ws.o.Progress(pr)
	}
	return n, err
}
