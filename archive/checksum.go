package archive

import (
	"encoding/hex"
	"errors"
	"strings"
)

// ChecksumsName is the checksum list member, relative to the archive root.
const ChecksumsName = "checksums.sha256"

// ChecksumLine formats one line of a checksum list in the format that
// `sha256sum -c` reads: the hex digest, two spaces and the name. A name with
// a backslash, newline or carriage return is escaped as GNU sha256sum does:
// the line starts with a backslash and those characters are written as \\,
// \n and \r.
func ChecksumLine(sum []byte, name string) string {
	prefix := ""
	if strings.ContainsAny(name, "\\\n\r") {
		prefix = `\`
		name = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`).Replace(name)
	}
	return prefix + hex.EncodeToString(sum) + "  " + name + "\n"
}

// ParseChecksumLine is the inverse of ChecksumLine, for one line without its
// final newline. It accepts the binary-mode marker '*' in place of the second
// space.
func ParseChecksumLine(line string) (sum []byte, name string, err error) {
	escaped := strings.HasPrefix(line, `\`)
	if escaped {
		line = line[1:]
	}
	if len(line) < 66 || (line[64] != ' ') || (line[65] != ' ' && line[65] != '*') {
		return nil, "", errors.New("malformed checksum line")
	}
	sum, err = hex.DecodeString(line[:64])
	if err != nil {
		return nil, "", errors.New("malformed checksum digest")
	}
	name = line[66:]
	if escaped {
		var b strings.Builder
		for i := 0; i < len(name); i++ {
			if name[i] != '\\' {
				b.WriteByte(name[i])
				continue
			}
			if i+1 == len(name) {
				return nil, "", errors.New("malformed escape in checksum name")
			}
			i++
			switch name[i] {
			case '\\':
				b.WriteByte('\\')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			default:
				return nil, "", errors.New("malformed escape in checksum name")
			}
		}
		name = b.String()
	}
	if name == "" {
		return nil, "", errors.New("checksum line has no name")
	}
	return sum, name, nil
}
