package restore

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// member is one tar header as the plan pass saw it. Members that are not
// payload (the archive root, clawback's metadata, global headers) have no
// asset and are never written.
type member struct {
	raw      string // name as stored
	name     string // normalised: no trailing slash
	typeflag byte   // as stored
	size     int64
	link     string

	kind  byte // tar.TypeDir, tar.TypeReg or tar.TypeSymlink
	mode  fs.FileMode
	mtime time.Time

	asset *asset
	rel   string // relative to the asset root; "" for the root itself
	dest  string // relative to the asset's destination root directory
	sum   []byte // expected SHA-256, when the archive lists one

	sel bool // restored
	anc bool // a directory above a restored member: created if missing
}

// cleanName checks a member name and returns it without its trailing
// slash. A name is refused when it is empty, absolute, holds a NUL byte or
// has an empty, "." or ".." segment, since any of these could place a
// file outside its destination.
func cleanName(raw string) (string, error) {
	name := strings.TrimSuffix(raw, "/")
	switch {
	case name == "":
		return "", fmt.Errorf("empty name")
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("absolute name")
	case strings.ContainsRune(name, 0):
		return "", fmt.Errorf("NUL byte in name")
	}
	for _, seg := range strings.Split(name, "/") {
		switch seg {
		case "":
			return "", fmt.Errorf("empty path segment")
		case ".", "..":
			return "", fmt.Errorf("%q path segment", seg)
		}
	}
	return name, nil
}

// memberKind maps a tar type to the kinds restore writes. Hard links,
// devices, FIFOs and every other type are refused: none of them is part of
// an archive clawback or OpenClaw writes, and each can make a restore
// write or block where it must not.
func memberKind(h *tar.Header) (byte, error) {
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeCont:
		if strings.HasSuffix(h.Name, "/") {
			return tar.TypeDir, nil
		}
		return tar.TypeReg, nil
	case tar.TypeDir:
		return tar.TypeDir, nil
	case tar.TypeSymlink:
		if h.Linkname == "" || strings.ContainsRune(h.Linkname, 0) {
			return 0, fmt.Errorf("symbolic link without a valid target")
		}
		return tar.TypeSymlink, nil
	case tar.TypeLink:
		return 0, fmt.Errorf("hard link to %q", h.Linkname)
	case tar.TypeChar:
		return 0, fmt.Errorf("character device")
	case tar.TypeBlock:
		return 0, fmt.Errorf("block device")
	case tar.TypeFifo:
		return 0, fmt.Errorf("FIFO")
	}
	return 0, fmt.Errorf("unsupported entry type %q", h.Typeflag)
}

// guard applies the rules that need the whole member list: no duplicate
// names, no member beneath a symbolic link or a file of the archive, no
// asset root stored as a symbolic link.
func (p *plan) guard() error {
	for _, m := range p.all {
		if m.asset == nil {
			continue
		}
		if m.rel == "" && m.kind == tar.TypeSymlink {
			return refusef("archive %s stores asset root %s as a symbolic "+
				"link (to %q); restore writes no such asset",
				p.display, m.raw, m.link)
		}
		for dir := m.name; dir != m.asset.member; {
			dir = path.Dir(dir)
			a, ok := p.byName[dir]
			if !ok || a.kind == tar.TypeDir {
				continue
			}
			what := "a file"
			if a.kind == tar.TypeSymlink {
				what = "a symbolic link"
			}
			return refusef("archive %s member %s lies beneath %s (%s); "+
				"writing it could leave its destination",
				p.display, m.raw, what, a.raw)
		}
	}
	return nil
}
