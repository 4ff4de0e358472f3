package archive

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

// FuzzChecksumLine checks the checksum list codec from both ends.
//
// From a digest and a name: ChecksumLine must give exactly one line,
// ending in its only newline, with no carriage return left unescaped, and
// ParseChecksumLine must give the digest and the name back.
//
// From an arbitrary line: whatever ParseChecksumLine accepts has a 32-byte
// digest and a non-empty name, and formatting it again and parsing that
// gives the same digest and name (the canonical form is a fixed point).
func FuzzChecksumLine(f *testing.F) {
	sum := sha256.Sum256([]byte("x"))
	for _, name := range []string{
		"payload/posix/home/you/.openclaw/openclaw.json",
		`payload/posix/back\slash.md`,
		"payload/posix/new\nline.md",
		"payload/posix/carriage\rreturn",
		`payload/posix/\n literally`,
		"payload/posix/ü space/ß",
		"payload/posix/*star",
	} {
		f.Add(sum[:], name, strings.TrimSuffix(ChecksumLine(sum[:], name), "\n"))
	}
	hex64 := strings.Repeat("ab", 32)
	for _, line := range []string{
		hex64 + " *binary-mode",
		`\` + hex64 + `  trailing\`,
		`\` + hex64 + `  bad\escape`,
		strings.ToUpper(hex64) + "  upper",
		hex64 + "  ",
		hex64 + " x",
		"",
	} {
		f.Add(sum[:], "n", line)
	}

	f.Fuzz(func(t *testing.T, digest []byte, name, line string) {
		if len(digest) >= sha256.Size && name != "" {
			digest = digest[:sha256.Size]
			out := ChecksumLine(digest, name)
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("ChecksumLine(%q) = %q: not one line", name, out)
			}
			if strings.Contains(out, "\r") {
				t.Fatalf("ChecksumLine(%q) = %q: raw carriage return", name, out)
			}
			gotSum, gotName, err := ParseChecksumLine(strings.TrimSuffix(out, "\n"))
			if err != nil || !bytes.Equal(gotSum, digest) || gotName != name {
				t.Fatalf("round trip of %q via %q: %x %q %v", name, out,
					gotSum, gotName, err)
			}
		}

		s, n, err := ParseChecksumLine(line)
		if err != nil {
			return
		}
		if len(s) != sha256.Size || n == "" {
			t.Fatalf("ParseChecksumLine(%q) accepted digest %x, name %q", line, s, n)
		}
		again := strings.TrimSuffix(ChecksumLine(s, n), "\n")
		s2, n2, err := ParseChecksumLine(again)
		if err != nil || !bytes.Equal(s, s2) || n != n2 {
			t.Fatalf("%q parsed to %q, formatted %q, parsed to %q, %v",
				line, n, again, n2, err)
		}
	})
}
