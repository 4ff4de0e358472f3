package restore

import (
	"errors"
	"path"
	"path/filepath"
	"strings"

	"github.com/clawback/clawback/archive"
)

// The functions here turn archive names into destinations. They are pure,
// so that the rules can be fuzzed on their own: every name they accept
// gives a destination that is local to its root directory (relative, no
// ".." segment, not empty), which os.Root then enforces again on disk.

// placeAsset decides where the asset stored below <root>/payload/<encoded>
// goes. encoded must have passed cleanName. dir is the directory opened as
// the asset's os.Root; base is the asset root below it, slash-separated
// and local.
//
// Under the absolute directory target, a POSIX path /a/b goes to
// target/a/b, a Windows path C:\a to target/windows/C/a and a relative
// path p to target/relative/p. In place (target ignored), only an absolute
// POSIX path can be restored: /a/b goes to /a with base b. An asset that
// is a whole file system root is refused either way: nothing could be
// moved aside for it, and under a target it would have no name of its own.
func placeAsset(encoded, target string, inPlace bool) (dir, base string,
	err error) {
	orig, ok := archive.DecodePath(encoded)
	kind, rest, _ := strings.Cut(encoded, "/")
	switch {
	case !ok:
		return "", "", errors.New("its archive path encodes no source path")
	case rest == "" || (kind == "windows" && !strings.Contains(rest, "/")):
		return "", "", errors.New("it is a whole file system root, which " +
			"restore does not write")
	case inPlace && kind != "posix":
		return "", "", errors.New("it was not backed up from an absolute " +
			"POSIX path, so it cannot be restored in place; use --target DIR")
	case inPlace:
		dir, base = path.Dir(orig), path.Base(orig)
	default:
		dir, base = target, encoded
		if kind == "posix" {
			base = rest
		}
	}
	if !filepath.IsLocal(base) || base != path.Clean(base) {
		return "", "", errors.New("its destination is not a plain " +
			"relative path")
	}
	return filepath.FromSlash(dir), base, nil
}

// relToAsset returns the path of the cleaned member name below the asset
// whose cleaned archive path is asset, "" for the asset root itself, and
// whether name lies in the asset at all.
func relToAsset(name, asset string) (rel string, ok bool) {
	if name == asset {
		return "", true
	}
	rel, ok = strings.CutPrefix(name, asset+"/")
	return rel, ok && rel != ""
}

// destOf is where the member at rel below its asset goes, relative to the
// asset's root directory: base and rel, both local, joined.
func destOf(base, rel string) string {
	return path.Join(base, rel)
}
