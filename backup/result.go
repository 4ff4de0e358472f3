package backup

import (
	"time"

	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/manifest"
)

// Result is what Create did.
type Result struct {
	ArchivePath string
	ArchiveRoot string
	CreatedAt   time.Time
	Verified    bool

	// Files lists every file that was not captured cleanly.
	Files []FileReport
	// Verdicts counts Files by verdict.
	Verdicts map[string]int
	// Excluded lists every entry an exclusion rule left out; Rules counts
	// them by rule, and SkippedVolatileCount is their total.
	Excluded             []Excluded
	Rules                map[string]int
	SkippedVolatileCount int

	Counts        manifest.Counts
	ExternalLinks []manifest.ExternalLink
	Warnings      []string

	// Incomplete is set when a file that existed throughout the run could
	// not be read, or may be inconsistent because it kept changing.
	Incomplete bool
}

// FileReport is the verdict on one file that was not captured cleanly.
// Member is set when the file is in the archive.
type FileReport struct {
	Path     string `json:"path"`
	Member   string `json:"member,omitempty"`
	Verdict  string `json:"verdict"`
	Detail   string `json:"detail,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	// SQLite is "snapshot" or "opaque" for a file recognised as a SQLite
	// database; Partial marks a copy that may be inconsistent.
	SQLite  string `json:"sqlite,omitempty"`
	Partial bool   `json:"inconsistent,omitempty"`
}

// Inconsistent reports whether the verdict makes the backup incomplete.
func (f FileReport) Inconsistent() bool {
	return f.Partial || f.Verdict == capture.Unstable ||
		f.Verdict == capture.Unreadable
}

// Excluded is one entry left out by a rule.
type Excluded struct {
	Path string `json:"path"`
	Rule string `json:"rule"`
}

// examples returns up to n paths per verdict.
func (r *Result) examples(n int) map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Files {
		if len(out[f.Verdict]) < n {
			out[f.Verdict] = append(out[f.Verdict], f.Path)
		}
	}
	return out
}
