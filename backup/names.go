package backup

import (
	"crypto/sha256"
	"strings"

	"github.com/clawback/clawback/verify"
)

// maxNameExamples bounds the names kept for each naming warning.
const maxNameExamples = 5

// nameKey is a digest of a member's portable key. The writer keeps one per
// member, so that memory per member stays small whatever its path length.
type nameKey [16]byte

// names finds member names that OpenClaw's verifier rejects although Linux
// allows them: a backslash, a segment that reads as a Windows drive, or two
// names equal but for case or Unicode normalisation. Members are unique, so two equal keys always mean two
// different names.
type names struct {
	keys map[nameKey]struct{}

	backslash, drive, collision    []string // the first few examples
	nBackslash, nDrive, nCollision int
}

func (n *names) check(member string) {
	if strings.Contains(member, `\`) {
		n.nBackslash++
		if len(n.backslash) < maxNameExamples {
			n.backslash = append(n.backslash, member)
		}
	}
	if verify.DriveLike(member) {
		n.nDrive++
		if len(n.drive) < maxNameExamples {
			n.drive = append(n.drive, member)
		}
	}
	sum := sha256.Sum256([]byte(verify.PortableKey(member)))
	key := nameKey(sum[:16])
	if n.keys == nil {
		n.keys = make(map[nameKey]struct{})
	}
	if _, ok := n.keys[key]; ok {
		n.nCollision++
		if len(n.collision) < maxNameExamples {
			n.collision = append(n.collision, member)
		}
		return
	}
	n.keys[key] = struct{}{}
}
