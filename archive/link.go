package archive

import (
	"path"
	"strings"
)

// IsExternalLink reports whether a symbolic link stored at member name entry
// with target linkname points outside the backed-up assets: its target is
// absolute (or a drive path, or uses backslashes), or, resolved lexically
// from the link's directory, it lands outside every asset member path in
// assets. Such links are listed in the manifest's externalSymbolicLinks and
// are never followed, at backup or at restore.
func IsExternalLink(entry, linkname string, assets []string) bool {
	if linkname == "" || strings.HasPrefix(linkname, "/") ||
		strings.Contains(linkname, `\`) || drivePath.MatchString(linkname) {
		return true
	}
	target := path.Join(path.Dir(entry), linkname)
	for _, a := range assets {
		if Within(target, a) {
			return false
		}
	}
	return true
}

// Within reports whether slash-separated path p equals dir or lies below it.
func Within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/") || dir == "/"
}
