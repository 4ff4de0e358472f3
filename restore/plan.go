package restore

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
)

// Names of clawback's own members, relative to the archive root. They
// describe the payload and are never restored.
const (
	manifestName = "manifest.json"
	recordName   = "capture-record.jsonl"
)

// maxChecksums bounds the checksum list read into memory.
const maxChecksums = 1 << 30

// asset is one manifest asset and where it goes.
type asset struct {
	manifest.Asset
	member  string // archivePath, normalised
	encoded string // member below <root>/payload
	orig    string // original path, from archive.DecodePath
	posix   bool   // orig is an absolute POSIX path

	// dir is the directory opened as the asset's os.Root, absolute; base
	// is the asset root relative to it, slash-separated.
	dir, base string
	members   int // restored members
}

// plan is everything the plan pass decided.
type plan struct {
	display string
	root    string // archive root
	m       *manifest.Manifest
	all     []*member // every header, in archive order
	byName  map[string]*member
	assets  []*asset
	sums    map[string][]byte // payload file name -> SHA-256; nil without a list
	roots   map[string]*os.Root
	units   []unit
	moves   []move
	// refusal is why the restore that a dry run previews would be
	// refused (a running gateway), or empty.
	refusal string
}

// move is an existing path to be renamed aside before an in-place restore.
// While the restore runs the path is at to, which ends in inProgress; once
// the restore is complete it is renamed to final.
type move struct {
	dir      string // root directory
	rel, to  string // relative to dir
	final    string // relative to dir: to without inProgress
	abs, dst string // absolute, for messages and the result
	finalAbs string
}

// readPlan reads every header of the archive in r and checks the member
// names, types and layout. It reads the bodies of the root manifest and of
// the checksum list and skips all others.
func readPlan(ctx context.Context, r io.Reader, display string) (*plan, error) {
	tr, closeZ, err := decompress(r)
	if err != nil {
		return nil, refusef("archive %s: %w", display, err)
	}
	defer closeZ()

	p := &plan{display: display, byName: map[string]*member{}}
	bodies := map[string][]byte{} // <x>/manifest.json and checksum lists
	t := tar.NewReader(tr)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return nil, refusef("read archive %s: %w", display, err)
		}
		m := &member{raw: h.Name, typeflag: h.Typeflag, size: h.Size,
			link: h.Linkname}
		p.all = append(p.all, m)
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if m.name, err = cleanName(h.Name); err != nil {
			return nil, refusef("archive %s member %q: %v", display,
				h.Name, err)
		}
		if m.kind, err = memberKind(h); err != nil {
			return nil, refusef("archive %s member %s: %v", display,
				h.Name, err)
		}
		if _, dup := p.byName[m.name]; dup {
			return nil, refusef("archive %s holds %s twice", display,
				m.name)
		}
		p.byName[m.name] = m
		m.mode = fs.FileMode(h.Mode) & fs.ModePerm
		m.mtime = h.ModTime

		if m.kind == tar.TypeReg && isMetadata(m.name) {
			limit := int64(manifest.MaxSize)
			if !strings.HasSuffix(m.name, "/"+manifestName) {
				limit = maxChecksums
			}
			body, err := io.ReadAll(io.LimitReader(t, limit+1))
			if err != nil {
				return nil, refusef("read archive %s: %w", display, err)
			}
			if int64(len(body)) > limit {
				return nil, refusef("archive %s: %s is too large",
					display, m.name)
			}
			bodies[m.name] = body
		}
	}
	if err := p.layout(bodies); err != nil {
		return nil, err
	}
	if err := p.guard(); err != nil {
		return nil, err
	}
	return p, nil
}

// isMetadata reports whether a normalised name can be a root manifest or
// checksum list: two segments deep.
func isMetadata(name string) bool {
	dir, base := path.Split(name)
	return strings.Count(name, "/") == 1 && dir != "" &&
		(base == manifestName || base == archive.ChecksumsName)
}

// layout parses the manifest and checksum list and gives every payload
// member its asset.
func (p *plan) layout(bodies map[string][]byte) error {
	var found []string
	for name := range bodies {
		if path.Base(name) == manifestName {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		return refusef("archive %s has %d root manifests, not one",
			p.display, len(found))
	}
	m, err := manifest.Parse(bodies[found[0]])
	if err != nil {
		return refusef("archive %s manifest: %w", p.display, err)
	}
	p.m, p.root = m, m.ArchiveRoot
	if p.root+"/"+manifestName != found[0] {
		return refusef("archive %s: manifest archiveRoot %q does not "+
			"hold the manifest", p.display, p.root)
	}
	if err := p.readSums(bodies); err != nil {
		return err
	}
	if err := p.readAssets(); err != nil {
		return err
	}

	payload := p.root + "/payload"
	for _, mb := range p.all {
		switch {
		case mb.name == "":
			continue // a global header
		case mb.name == p.root || mb.name == payload:
			if mb.kind != tar.TypeDir {
				return refusef("archive %s member %s is not a directory",
					p.display, mb.raw)
			}
			continue
		case !archive.Within(mb.name, p.root):
			return refusef("archive %s member %s lies outside the "+
				"archive root %s", p.display, mb.raw, p.root)
		case !archive.Within(mb.name, payload):
			continue // clawback's metadata, or another tool's
		}
		for _, a := range p.assets {
			if rel, ok := relToAsset(mb.name, a.member); ok {
				mb.asset, mb.rel = a, rel
				break
			}
		}
		if mb.asset == nil {
			return refusef("archive %s member %s lies in no asset of "+
				"the manifest", p.display, mb.raw)
		}
		if mb.kind == tar.TypeReg && p.sums != nil {
			rel := strings.TrimPrefix(mb.name, p.root+"/")
			if mb.sum = p.sums[rel]; mb.sum == nil {
				return refusef("archive %s: %s is missing from %s",
					p.display, mb.raw, archive.ChecksumsName)
			}
		}
	}
	return nil
}

// readSums reads the checksum list that the manifest names, after
// checking its own digest.
func (p *plan) readSums(bodies map[string][]byte) error {
	c := p.m.Clawback
	if c == nil || c.Checksums == nil {
		return nil
	}
	name := p.root + "/" + c.Checksums.Path
	body, ok := bodies[name]
	if !ok {
		return refusef("archive %s lacks its checksum list %s",
			p.display, name)
	}
	digest := sha256.Sum256(body)
	if hex.EncodeToString(digest[:]) != c.Checksums.SHA256 {
		return refusef("archive %s: checksum list %s does not match "+
			"the manifest", p.display, name)
	}
	p.sums = map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		sum, file, err := archive.ParseChecksumLine(sc.Text())
		if err != nil {
			return refusef("archive %s: %s: %w", p.display, name, err)
		}
		p.sums[file] = sum
	}
	if err := sc.Err(); err != nil {
		return refusef("archive %s: %s: %w", p.display, name, err)
	}
	return nil
}

// readAssets checks the manifest's assets: each archivePath lies below
// <root>/payload, encodes its sourcePath, and no asset lies inside
// another.
func (p *plan) readAssets() error {
	prefix := p.root + "/payload/"
	for _, ma := range p.m.Assets {
		name, err := cleanName(ma.ArchivePath)
		if err != nil || !strings.HasPrefix(name, prefix) {
			return refusef("archive %s: asset archivePath %q does not lie "+
				"below %s", p.display, ma.ArchivePath, prefix)
		}
		a := &asset{Asset: ma, member: name,
			encoded: strings.TrimPrefix(name, prefix)}
		orig, ok := archive.DecodePath(a.encoded)
		if !ok || archive.EncodePath(ma.SourcePath) != a.encoded {
			return refusef("archive %s: asset archivePath %q does not "+
				"name its sourcePath %q", p.display, ma.ArchivePath,
				ma.SourcePath)
		}
		a.orig = orig
		a.posix = strings.HasPrefix(a.encoded, "posix/")
		for _, b := range p.assets {
			if archive.Within(a.member, b.member) ||
				archive.Within(b.member, a.member) {
				return refusef("archive %s: assets %s and %s overlap",
					p.display, b.SourcePath, a.SourcePath)
			}
		}
		p.assets = append(p.assets, a)
	}
	return nil
}

// unit is a restored path whose parent is not restored: in place, an
// existing unit is moved aside; under a target it must not exist.
type unit struct {
	asset *asset
	rel   string
}

// selectMembers marks what is restored: every payload member, or with
// globs those whose path or one of whose parents matches, and the
// directories above them.
func (p *plan) selectMembers(globs []string) error {
	matches := func(a *asset, rel string, dir bool) bool {
		if len(globs) == 0 {
			return true
		}
		name := rel
		if rel == "" {
			if dir {
				return false
			}
			name = path.Base(a.orig)
		}
		for _, g := range globs {
			if ok, _ := doublestar.Match(g, name); ok {
				return true
			}
		}
		return false
	}

	// The topmost matching path at or above each member is its unit.
	seen := map[unit]bool{}
	for _, m := range p.all {
		if m.asset == nil {
			continue
		}
		segs := strings.Split(m.rel, "/")
		if m.rel == "" {
			segs = nil
		}
		top, found := "", false
		for i := 0; i <= len(segs) && !found; i++ {
			top = strings.Join(segs[:i], "/")
			isDir := i < len(segs) || m.kind == tar.TypeDir
			found = matches(m.asset, top, isDir)
		}
		if !found {
			continue
		}
		m.sel = true
		m.asset.members++
		u := unit{m.asset, top}
		if !seen[u] {
			seen[u] = true
			p.units = append(p.units, u)
		}
		for i := 0; i < len(segs) && strings.Join(segs[:i], "/") != top; i++ {
			name := path.Join(m.asset.member, strings.Join(segs[:i], "/"))
			if d := p.byName[name]; d != nil && !d.sel {
				d.anc = true
			}
		}
	}
	if len(p.units) == 0 && len(globs) == 0 {
		return refusef("archive %s holds no files to restore", p.display)
	}
	if len(p.units) == 0 {
		return refusef("--only %s matches nothing in archive %s",
			strings.Join(globs, ", "), p.display)
	}
	return nil
}
