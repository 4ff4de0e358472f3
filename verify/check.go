package verify

import (
	"archive/tar"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
)

// check runs OpenClaw's structural checks on a listing that read cleanly,
// in OpenClaw's order, then the checks clawback adds. It returns the result,
// or the reason for the first failure and its cause.
func check(l *listing) (*Result, string, error) {
	if l.pathErr != "" {
		return nil, l.pathErr, nil
	}

	// Names that only other systems cannot hold (a backslash, a drive-like
	// segment, twins but for case) are refused in OpenClaw's archives, as
	// OpenClaw refuses them, and reported in clawback's, which back up
	// every name a POSIX file system allows.
	lenient := writtenByClawback(l.manifest)
	var portable []string
	if len(l.portErr) > 0 {
		if !lenient {
			return nil, l.portErr[0], nil
		}
		portable = append(portable, l.portErr...)
	}

	// Names: one root manifest, no duplicates, no portable collisions.
	manifests := 0
	for _, e := range l.entries {
		if isRootManifest(e.norm) {
			manifests++
		}
	}
	if manifests != 1 {
		return nil, fmt.Sprintf(
			"Expected exactly one backup manifest entry, found %d.",
			manifests), nil
	}
	names := make(map[string]struct{}, len(l.entries))
	for _, e := range l.entries {
		if _, dup := names[e.norm]; dup {
			return nil, "Archive contains duplicate entry path: " + e.norm, nil
		}
		names[e.norm] = struct{}{}
	}
	if reasons := collisions(l.entries, lenient); len(reasons) > 0 {
		if !lenient {
			return nil, reasons[0], nil
		}
		portable = append(portable, reasons...)
	}

	// The manifest itself.
	if l.manifestBig {
		return nil, fmt.Sprintf("Backup manifest exceeds %d byte limit.",
			manifest.MaxSize), nil
	}
	m, err := manifest.Parse(l.manifest)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			return nil, me.Msg, err
		}
		return nil, err.Error(), err
	}
	if reason := linkListShape(l.manifest); reason != "" {
		return nil, reason, nil
	}

	// The manifest against the members.
	root, assets, reason := checkLayout(m, l.entries, names)
	if reason != "" {
		return nil, reason, nil
	}
	for _, e := range l.entries {
		if e.kind != tar.TypeLink {
			continue
		}
		target, reason := normalizePath(e.link,
			"Archive hardlink target for "+e.raw)
		if reason != "" {
			return nil, reason, nil
		}
		if !within(target, root) {
			target = path.Join(root, target)
		}
		if _, ok := names[target]; !ok {
			return nil, "Archive hardlink target is missing from archive " +
				"entries: " + e.raw + " -> " + target, nil
		}
	}
	links, external, reason := checkLinks(m, root, assets, l.entries)
	if reason != "" {
		return nil, reason, nil
	}

	// TODO: check SQLite snapshots (header, page layout, integrity,
	// role, sidecars) as OpenClaw's step 13 does; Options.TempDir is for it.

	if l.unsupported != "" {
		return nil, l.unsupported, nil
	}
	rv := m.RuntimeVersion
	if strings.TrimSpace(rv) == "" {
		rv = "unknown"
	}
	return &Result{
		ArchiveRoot:           m.ArchiveRoot,
		CreatedAt:             m.CreatedAt,
		RuntimeVersion:        rv,
		AssetCount:            len(m.Assets),
		EntryCount:            len(l.entries),
		SymlinkCount:          links,
		ExternalSymbolicLinks: external,
		Manifest:              m,
		Compression:           l.compression,
		Unportable:            portable,
	}, "", nil
}

// writtenByClawback reports whether the manifest bytes parse and carry
// clawback's section.
func writtenByClawback(data []byte) bool {
	m, err := manifest.Parse(data)
	return err == nil && m.Clawback != nil
}

// maxUnportable bounds the portability objections one verification
// reports.
const maxUnportable = 5

// collisions finds names that differ but share a portable key: the first
// pair, or with all the first few.
func collisions(entries []entry, all bool) []string {
	seen := make(map[string]string, len(entries))
	var out []string
	for _, e := range entries {
		key := portableKey(e.norm)
		if first, ok := seen[key]; ok && first != e.norm {
			out = append(out, "Archive contains a portable path collision: "+
				first+" and "+e.norm)
			if !all || len(out) == maxUnportable {
				return out
			}
			continue
		}
		seen[key] = e.norm
	}
	return out
}

// checkLayout checks the manifest's archive root and assets against the
// member names and returns the normalised root and asset paths.
func checkLayout(m *manifest.Manifest, entries []entry,
	names map[string]struct{}) (string, []string, string) {
	root, reason := normalizePath(m.ArchiveRoot, "Backup manifest archiveRoot")
	if reason != "" {
		return "", nil, reason
	}
	if strings.Contains(root, "/") {
		return "", nil, "Backup manifest archiveRoot must be a single " +
			"path segment: " + m.ArchiveRoot
	}
	if _, ok := names[root+"/manifest.json"]; !ok {
		return "", nil, "Archive is missing manifest entry: " + root +
			"/manifest.json"
	}
	for _, e := range entries {
		if !within(e.norm, root) {
			return "", nil, "Archive entry is outside the declared " +
				"archive root: " + e.norm
		}
	}
	payload := root + "/payload"
	assets := make([]string, 0, len(m.Assets))
	for _, a := range m.Assets {
		p, reason := normalizePath(a.ArchivePath, "Backup manifest asset path")
		if reason != "" {
			return "", nil, reason
		}
		if !within(p, payload) {
			return "", nil, "Manifest asset path is outside payload root: " +
				a.ArchivePath
		}
		if !present(p, entries, names) {
			return "", nil, "Archive is missing payload for manifest " +
				"asset: " + p
		}
		assets = append(assets, p)
	}
	return root, assets, ""
}

// present reports whether p is a member or has one below it.
func present(p string, entries []entry, names map[string]struct{}) bool {
	if _, ok := names[p]; ok {
		return true
	}
	for _, e := range entries {
		if strings.HasPrefix(e.norm, p+"/") {
			return true
		}
	}
	return false
}

// boundary is the state directory against which OpenClaw decides whether a
// symbolic link is external: its source path for absolute targets and its
// member path for relative ones.
type boundary struct{ source, member string }

// stateBoundary finds the state directory: the first asset of kind
// "state", or else paths.stateDir.
func stateBoundary(m *manifest.Manifest) *boundary {
	for _, a := range m.Assets {
		if a.Kind == "state" {
			return &boundary{a.SourcePath, a.ArchivePath}
		}
	}
	if m.Paths.StateDir != "" {
		return &boundary{m.Paths.StateDir,
			archive.MemberPath(m.ArchiveRoot, m.Paths.StateDir)}
	}
	return nil
}
