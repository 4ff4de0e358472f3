package archive

import (
	"path"
	"regexp"
	"strings"
)

var drivePath = regexp.MustCompile(`^([A-Za-z]):/(.*)$`)

// EncodePath maps a source path to its place below <archiveRoot>/payload:
// "/a/b" becomes "posix/a/b", `C:\Users\me` becomes "windows/C/Users/me",
// and anything else "relative/<path>". Backslashes are read as separators.
func EncodePath(source string) string {
	p := strings.ReplaceAll(source, `\`, "/")
	if m := drivePath.FindStringSubmatch(p); m != nil {
		return path.Join("windows", strings.ToUpper(m[1]), m[2])
	}
	if strings.HasPrefix(p, "/") {
		return path.Join("posix", p[1:])
	}
	return path.Join("relative", p)
}

// MemberPath is the archive member name of a source path in an archive whose
// root directory is root.
func MemberPath(root, source string) string {
	return path.Join(root, "payload", EncodePath(source))
}

// DecodePath maps a member name relative to <archiveRoot>/payload back to a
// source path, the inverse of EncodePath. ok is false for a name outside the
// three encodings.
func DecodePath(encoded string) (source string, ok bool) {
	first, rest, _ := strings.Cut(encoded, "/")
	switch first {
	case "posix":
		return "/" + rest, true
	case "windows":
		drive, tail, _ := strings.Cut(rest, "/")
		if len(drive) != 1 {
			return "", false
		}
		return drive + ":/" + tail, true
	case "relative":
		return rest, rest != ""
	}
	return "", false
}
