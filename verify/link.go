package verify

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/clawback/clawback/manifest"
)

const errLinksDiffer = "Backup manifest external symbolic links do not " +
	"match archive entries."

// checkLinks applies OpenClaw's symbolic link policy: no member lies below
// a symbolic link (compared by portable key), every link lies inside a
// declared asset, and the links whose target leaves the state directory
// are exactly those the manifest lists. A manifest without an
// externalSymbolicLinks key (written before 2026.8) instead requires every
// link to be relative and to resolve inside an asset. It returns the number
// of links, the external ones, and the reason for a failure.
func checkLinks(m *manifest.Manifest, root string, assets []string,
	entries []entry) (int, []manifest.ExternalLink, string) {
	keys := make(map[string]struct{})
	for _, e := range entries {
		if e.kind == tar.TypeSymlink {
			keys[portableKey(e.norm)] = struct{}{}
		}
	}
	if len(keys) > 0 {
		for _, e := range entries {
			if below(portableKey(e.norm), keys) {
				return 0, nil, "Archive entry is beneath a symbolic link: " +
					e.raw
			}
		}
	}

	state := stateBoundary(m)
	count := 0
	var external []manifest.ExternalLink
	for _, e := range entries {
		if e.kind != tar.TypeSymlink {
			continue
		}
		count++
		if e.link == "" || strings.Contains(e.link, "\x00") {
			return 0, nil, "Archive symbolic link is missing its target: " +
				e.raw
		}
		if !inAny(e.norm, assets) || !within(e.norm, root) {
			return 0, nil, "Archive symbolic link is outside the declared " +
				"backup assets: " + e.raw + " -> " + e.link
		}
		switch {
		case !m.HasExternalLinks():
			reason := checkRelative(e.link, "Archive symbolic link target",
				e.link)
			if reason != "" {
				return 0, nil, reason
			}
			if !inAny(path.Join(path.Dir(e.norm), e.link), assets) {
				return 0, nil, errLinksDiffer
			}
		case state == nil:
			return 0, nil, "Backup manifest is missing the symbolic-link " +
				"state boundary."
		}
		if state != nil && state.outside(e, m.Platform) {
			external = append(external,
				manifest.ExternalLink{EntryPath: e.raw, Linkpath: e.link})
		}
	}

	if m.HasExternalLinks() {
		listed := make(map[string]string, len(m.ExternalSymbolicLinks))
		for _, l := range m.ExternalSymbolicLinks {
			listed[l.EntryPath] = l.Linkpath
		}
		if len(listed) != len(external) {
			return 0, nil, errLinksDiffer
		}
		for _, l := range external {
			if target, ok := listed[l.EntryPath]; !ok || target != l.Linkpath {
				return 0, nil, errLinksDiffer
			}
		}
	}
	return count, external, ""
}

// below reports whether a proper ancestor of key is in keys. Portable keys
// are computed segment by segment, so an ancestor's key is a prefix of the
// key ending before a slash.
func below(key string, keys map[string]struct{}) bool {
	for i := len(key) - 1; i > 0; i-- {
		if key[i] != '/' {
			continue
		}
		if _, ok := keys[key[:i]]; ok {
			return true
		}
	}
	return false
}

func inAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if within(p, d) {
			return true
		}
	}
	return false
}

// outside reports whether link member e points outside the state
// directory, as OpenClaw decides it: an absolute target is compared with
// the state's source path, a relative one, resolved from the link's
// directory, with the state's member path. Targets are not resolved any
// further. A relative state source path, which OpenClaw would resolve
// against its working directory, is taken as relative to "/".
func (b *boundary) outside(e entry, platform string) bool {
	if platform == "win32" {
		return b.outsideWindows(e)
	}
	if strings.HasPrefix(e.link, "/") {
		return !within(path.Clean(e.link), path.Clean("/"+b.source))
	}
	target := path.Join(path.Dir(e.norm), e.link)
	return !within(target, path.Clean(b.member))
}

// outsideWindows is outside for archives made on Windows: absolute targets
// (a drive, or a leading slash or backslash) are compared without regard
// to case or separator; relative ones have their backslashes read as
// slashes.
func (b *boundary) outsideWindows(e entry) bool {
	fold := func(p string) string {
		return path.Clean(strings.ToLower(strings.ReplaceAll(p, `\`, "/")))
	}
	link := strings.ReplaceAll(e.link, `\`, "/")
	drive := len(link) >= 3 && link[1] == ':' && link[2] == '/' &&
		('a' <= link[0]|0x20 && link[0]|0x20 <= 'z')
	if drive || strings.HasPrefix(link, "/") {
		return !within(fold(e.link), fold(b.source))
	}
	target := path.Join(path.Dir(e.norm), link)
	return !within(target, path.Clean(b.member))
}

// linkListShape checks the shape of the manifest's externalSymbolicLinks as
// OpenClaw's manifest reader does: an array of objects whose entryPath and
// linkpath are strings.
//
// TODO: move into manifest.Parse, which reads a malformed list as an empty
// one; OpenClaw checks it before paths.stateDir.
func linkListShape(data []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return ""
	}
	raw, ok := top["externalSymbolicLinks"]
	if !ok {
		return ""
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || items == nil {
		return "Backup manifest externalSymbolicLinks must be an array."
	}
	for _, item := range items {
		var link map[string]json.RawMessage
		if json.Unmarshal(item, &link) != nil || link == nil ||
			!isString(link["entryPath"]) || !isString(link["linkpath"]) {
			return "Backup manifest contains an invalid external symbolic " +
				"link."
		}
	}
	return ""
}

func isString(raw json.RawMessage) bool {
	var s string
	return bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) &&
		json.Unmarshal(raw, &s) == nil
}

// ExternalLink reports whether a symbolic link stored at member name member
// with target linkname is external under OpenClaw 2026.9.6's rule for the
// archive that m describes, and must therefore be listed in the manifest's
// externalSymbolicLinks: its target leaves the state directory (the first
// asset of kind "state", or else paths.stateDir). Without a state directory
// every link counts as external. Writers use it so that what they list is
// exactly what verification expects.
func ExternalLink(m *manifest.Manifest, member, linkname string) bool {
	b := stateBoundary(m)
	if b == nil {
		return true
	}
	return b.outside(entry{norm: member, raw: member, link: linkname}, m.Platform)
}
