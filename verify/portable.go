package verify

import "strings"

// PortableKey returns the key under which OpenClaw's verifier finds two
// member names colliding: the name without a trailing slash, in Unicode
// NFC and lower case as JavaScript folds it. Writers use it to warn about
// names that Linux allows but that verifier rejects.
func PortableKey(name string) string {
	return portableKey(strings.TrimSuffix(name, "/"))
}
