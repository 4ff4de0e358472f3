package manifest

import (
	"bytes"
	"encoding/json"
)

// SchemaVersion is the only manifest schema OpenClaw and clawback read.
const SchemaVersion = 1

// MaxSize is the largest manifest that a reader accepts, in bytes.
const MaxSize = 1 << 20

// Manifest is the content of <archiveRoot>/manifest.json.
type Manifest struct {
	SchemaVersion  int    `json:"schemaVersion"`
	CreatedAt      string `json:"createdAt"`
	ArchiveRoot    string `json:"archiveRoot"`
	RuntimeVersion string `json:"runtimeVersion,omitempty"`
	Platform       string `json:"platform,omitempty"`
	NodeVersion    string `json:"nodeVersion,omitempty"`

	Options Options `json:"options"`
	Paths   Paths   `json:"paths"`

	Assets                []Asset        `json:"assets"`
	Skipped               []Skipped      `json:"skipped"`
	ExternalSymbolicLinks []ExternalLink `json:"externalSymbolicLinks"`

	// Clawback is absent from archives that OpenClaw wrote.
	Clawback *Clawback `json:"clawback,omitempty"`
}

// Options records the planning options a backup was made with.
type Options struct {
	IncludeWorkspace bool `json:"includeWorkspace"`
	OnlyConfig       bool `json:"onlyConfig"`
}

// Paths records the resolved, non-canonical OpenClaw locations.
// AgentRoots is nil with --only-config, as OpenClaw writes it.
type Paths struct {
	StateDir      string      `json:"stateDir,omitempty"`
	ConfigPath    string      `json:"configPath"`
	OAuthDir      string      `json:"oauthDir"`
	WorkspaceDirs []string    `json:"workspaceDirs"`
	AgentRoots    []AgentRoot `json:"agentRoots,omitempty"`
}

// AgentRoot names one agent's directory.
type AgentRoot struct {
	AgentID    string `json:"agentId"`
	SourcePath string `json:"sourcePath"`
}

// Asset is one backed-up root: a directory or a single file.
type Asset struct {
	Kind        string `json:"kind"`
	SourcePath  string `json:"sourcePath"`
	ArchivePath string `json:"archivePath"`
}

// Skipped is a planned root that was not backed up, with the reason.
// CoveredBy is the display path of the asset that holds it when Reason is
// "covered".
type Skipped struct {
	Kind       string `json:"kind"`
	SourcePath string `json:"sourcePath"`
	Reason     string `json:"reason"`
	CoveredBy  string `json:"coveredBy,omitempty"`
}

// ExternalLink is a symbolic link stored in the archive whose target is
// absolute or leaves the backed-up assets. EntryPath is the link's archive
// member name; Linkpath is its target exactly as stored.
type ExternalLink struct {
	EntryPath string `json:"entryPath"`
	Linkpath  string `json:"linkpath"`
}

// Clawback is clawback's own section of the manifest.
type Clawback struct {
	Version string `json:"version"`

	// Checksums names the checksum list member, relative to the archive
	// root, and its SHA-256 in hex.
	Checksums *Member `json:"checksums,omitempty"`

	// Record names the capture record member and its SHA-256.
	Record *Member `json:"record,omitempty"`

	// Files counts payload members by kind.
	Files Counts `json:"files"`

	// Verdicts counts files that were not captured cleanly, by verdict.
	Verdicts map[string]int `json:"verdicts,omitempty"`

	// Rules counts entries left out by each exclusion rule.
	Rules map[string]int `json:"rules,omitempty"`

	// Examples holds a few files per verdict, for a reader in a hurry.
	Examples map[string][]string `json:"examples,omitempty"`

	// Warnings repeats the warnings that create reported.
	Warnings []string `json:"warnings,omitempty"`
}

// Member names one archive member and its SHA-256 digest.
type Member struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Counts counts payload members by type.
type Counts struct {
	Regular  int   `json:"regular"`
	Dirs     int   `json:"dirs"`
	Symlinks int   `json:"symlinks"`
	Bytes    int64 `json:"bytes"`
}

// Marshal encodes m as OpenClaw does: two-space indentation and a final
// newline. Nil slices are written as empty arrays.
func Marshal(m *Manifest) ([]byte, error) {
	c := *m
	if c.Assets == nil {
		c.Assets = []Asset{}
	}
	if c.Skipped == nil {
		c.Skipped = []Skipped{}
	}
	if c.ExternalSymbolicLinks == nil {
		c.ExternalSymbolicLinks = []ExternalLink{}
	}
	if c.Paths.WorkspaceDirs == nil {
		c.Paths.WorkspaceDirs = []string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
