package backup

import "strings"

// portableKey folds a member name the way OpenClaw compares names for
// portable collisions.
// TODO: fold Unicode normalisation (NFC) too, as OpenClaw does; only case is
// folded now.
func portableKey(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "/"))
}
