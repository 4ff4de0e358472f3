package verify

import (
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// driveSegment matches what OpenClaw reads as a Windows drive: a segment
// that starts with one letter and a colon, anywhere in the path once
// backslashes are read as slashes. So "a/c:notes.txt" counts as absolute.
var driveSegment = regexp.MustCompile(`(?:^|/)[a-zA-Z]:`)

// checkRelative fails when value is absolute or uses backslashes, with
// OpenClaw's messages. raw is the value named in the message.
func checkRelative(value, label, raw string) string {
	if strings.HasPrefix(value, "/") ||
		driveSegment.MatchString(strings.ReplaceAll(value, `\`, "/")) {
		return label + " must be relative: " + raw
	}
	if strings.Contains(value, `\`) {
		return label + " must use forward slashes: " + raw
	}
	return ""
}

// normalizePath applies OpenClaw's archive path rules to raw and returns
// the normalised path, or the reason it is refused. label starts the
// reason, for example "Archive entry".
func normalizePath(raw, label string) (string, string) {
	name := strings.TrimRight(raw, "/")
	if name == "" {
		return "", label + " is empty."
	}
	if reason := checkRelative(name, label, raw); reason != "" {
		return "", reason
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return "", label + " contains path traversal segments: " + raw
		}
	}
	clean := strings.TrimRight(path.Clean(name), "/")
	if clean == "" || clean == "." || clean == ".." ||
		strings.HasPrefix(clean, "../") {
		return "", label + " resolves outside the archive root: " + raw
	}
	return clean, ""
}

// normalizeLocal applies only the rules that keep a name inside its
// directory on a POSIX system: not absolute, no empty result, no "." or
// ".." segment. A backslash and a segment such as "c:notes" are ordinary
// characters there. It is for the names OpenClaw refuses for portability
// only, in archives that clawback wrote.
func normalizeLocal(raw string) (string, bool) {
	name := strings.TrimRight(raw, "/")
	if name == "" || strings.HasPrefix(name, "/") {
		return "", false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	return path.Clean(name), true
}

// within reports whether the clean slash path child equals parent or lies
// below it, as OpenClaw's path.posix.relative test does for paths that are
// both relative or both absolute.
func within(child, parent string) bool {
	if parent == "/" {
		return strings.HasPrefix(child, "/")
	}
	return child == parent || strings.HasPrefix(child, parent+"/")
}

// isRootManifest reports whether the normalised entry is <root>/manifest.json.
func isRootManifest(entry string) bool {
	return isRootMember(entry, "manifest.json")
}

// isRootMember reports whether the normalised entry is <root>/<name>.
func isRootMember(entry, name string) bool {
	root, rest, ok := strings.Cut(entry, "/")
	return ok && root != "" && rest == name
}

// portableKey is the key under which two paths collide on a case-folding,
// normalising file system: NFC, then JavaScript's toLowerCase, which
// OpenClaw uses. Go's unicode tables differ from it in two places that are
// handled here: U+0130 lowers to "i" plus a combining dot, and a capital
// sigma that ends a word lowers to the final form.
func portableKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	runes := []rune(norm.NFC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range runes {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && finalSigma(runes, i):
			b.WriteRune('ς')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma applies Unicode's Final_Sigma condition to runes[i]: a cased
// letter comes before it and none after it, skipping case-ignorable runes.
func finalSigma(runes []rune, i int) bool {
	before := false
	for j := i - 1; j >= 0; j-- {
		if caseIgnorable(runes[j]) {
			continue
		}
		before = cased(runes[j])
		break
	}
	if !before {
		return false
	}
	for j := i + 1; j < len(runes); j++ {
		if caseIgnorable(runes[j]) {
			continue
		}
		return !cased(runes[j])
	}
	return true
}

func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
}

// caseIgnorable approximates Unicode's Case_Ignorable property: marks,
// format characters, modifiers and the word-internal punctuation.
func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', '\u00b7', '\u0387', '\u2018', '\u2019',
		'\u2024', '\u2027':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm,
		unicode.Sk)
}
