package verify

import "strings"

// PortableKey returns the key under which OpenClaw's verifier finds two
// member names colliding: the name without a trailing slash, in Unicode
// NFC and lower case as JavaScript folds it. Writers use it to warn about
// names that Linux allows but that verifier rejects.
func PortableKey(name string) string {
	return portableKey(strings.TrimSuffix(name, "/"))
}

// DriveLike reports whether a segment of the member name reads as a
// Windows drive to OpenClaw's verifier ("c:notes.txt"), which then refuses
// the name as absolute although Linux allows it.
func DriveLike(name string) bool {
	return driveSegment.MatchString(strings.ReplaceAll(name, `\`, "/"))
}
