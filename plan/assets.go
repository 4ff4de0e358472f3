package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
)

// builder carries the state of one Make call.
type builder struct {
	r *resolver
	p *Plan

	// canonState is the state directory with symbolic links resolved in
	// its existing part.
	canonState string

	// excluded lists the workspaces left out by --no-include-workspace.
	excluded []string

	opts Options
}

// candidate is a root that may become an asset.
type candidate struct {
	kind      string
	source    string // absolute, as configured
	canonical string // realpath when it exists, else source
	exists    bool
}

// discover reads the config and lists the OpenClaw candidates: the state
// directory, the config and credentials outside it, the workspaces and the
// agent directories. It fills the plan's WorkspaceDirs and AgentRoots.
func (b *builder) discover(includeWorkspace bool) ([]*candidate, error) {
	r, p := b.r, b.p
	cfg, issue := readConfig(p.ConfigPath)
	if issue != "" {
		return nil, &Error{Err: ErrDiscovery, Msg: fmt.Sprintf(
			"Backup discovery failed at %s: %s. Agent and plugin "+
				"ownership could not be resolved. Resolve the reported "+
				"error and retry backup, or use --only-config to save "+
				"the config alone.", p.Display(p.ConfigPath), issue)}
	}

	workspaces := r.workspaces(cfg, p.StateDir)
	if includeWorkspace {
		p.WorkspaceDirs = workspaces
	} else {
		b.excluded = workspaces
		if cfg.defaultsWorkspace != "" {
			b.excluded = append(b.excluded, r.userPath(cfg.defaultsWorkspace))
		}
	}
	p.AgentRoots = []manifest.AgentRoot{}
	for _, a := range cfg.agents {
		p.AgentRoots = append(p.AgentRoots, manifest.AgentRoot{
			AgentID:    a.id,
			SourcePath: canonicalTail(r.agentDir(a, p.StateDir)),
		})
	}

	// The config and the credentials are separate candidates only when
	// they lie outside the state directory.
	// TODO: OpenClaw also makes them candidates when a volatile path leads
	// to them inside the state, adds the config's $include files and the
	// targets of symlinked managed skills; clawback reads none of these.
	cands := []*candidate{{kind: KindState, source: p.StateDir}}
	if !within(canonicalTail(p.ConfigPath), b.canonState) {
		cands = append(cands,
			&candidate{kind: KindConfig, source: p.ConfigPath})
	}
	if !within(canonicalTail(p.OAuthDir), b.canonState) {
		cands = append(cands,
			&candidate{kind: KindCredentials, source: p.OAuthDir})
	}
	for _, w := range p.WorkspaceDirs {
		cands = append(cands, &candidate{kind: KindWorkspace, source: w})
	}
	for _, a := range p.AgentRoots {
		cands = append(cands,
			&candidate{kind: KindAgent, source: a.SourcePath})
	}

	// A config or credentials path that is itself a symbolic link is kept
	// as a link too, besides its target.
	for _, c := range []*candidate{
		{kind: KindConfig, source: p.ConfigPath},
		{kind: KindCredentials, source: p.OAuthDir},
	} {
		if fi, err := os.Lstat(c.source); err == nil &&
			fi.Mode()&fs.ModeSymlink != 0 {
			c.canonical, c.exists = c.source, true
			cands = append(cands, c)
		}
	}
	return cands, nil
}

// place canonicalises, sorts and deduplicates the candidates, then decides
// for each whether it is an asset or a skip.
func (b *builder) place(cands []*candidate) {
	p := b.p
	for _, c := range cands {
		if c.canonical != "" {
			continue
		}
		c.canonical = c.source
		if exists(c.source) {
			c.exists, c.canonical = true, canonical(c.source)
		}
	}
	slices.SortStableFunc(cands, compareCandidates)

	seen := make(map[string]bool)
	for _, c := range cands {
		if seen[c.canonical] {
			continue
		}
		seen[c.canonical] = true
		if !c.exists {
			if c.kind == KindAgent && b.isDefaultAgentRoot(c.canonical) {
				continue
			}
			p.Skipped = append(p.Skipped, Skipped{
				Kind: c.kind, SourcePath: c.source,
				DisplayPath: p.Display(c.source), Reason: ReasonMissing,
			})
			continue
		}
		if a := p.covering(c.canonical); a != nil {
			p.Skipped = append(p.Skipped, Skipped{
				Kind: c.kind, SourcePath: c.canonical,
				DisplayPath: p.Display(c.canonical), Reason: ReasonCovered,
				CoveredBy: a.DisplayPath,
			})
			continue
		}
		fi, err := os.Lstat(c.canonical)
		p.Assets = append(p.Assets, Asset{
			Kind:        c.kind,
			SourcePath:  c.canonical,
			DisplayPath: p.Display(c.canonical),
			ArchivePath: archive.MemberPath(p.ArchiveRoot, c.canonical),
			IsDir:       err == nil && fi.IsDir(),
		})
	}

	if exists(p.StateDir) {
		if c := canonical(p.StateDir); p.covering(c) != nil {
			p.StateAsset = c
		}
	}
}

// isDefaultAgentRoot reports whether path is an agent's default directory,
// <state>/agents/<id>/agent, which OpenClaw drops silently when missing.
func (b *builder) isDefaultAgentRoot(path string) bool {
	for _, a := range b.p.AgentRoots {
		if a.SourcePath == path &&
			path == defaultAgentDir(b.canonState, a.AgentID) {
			return true
		}
	}
	return false
}

// Covering returns the asset that holds path, or nil. path is made
// absolute against the working directory and judged by the real path of
// its longest existing prefix, so a missing directory below a symbolic
// link into an asset is found to lie in that asset.
func (p *Plan) Covering(path string) *Asset {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	return p.covering(canonicalTail(abs))
}

// covering returns the asset that holds path, or nil.
func (p *Plan) covering(path string) *Asset {
	for i := range p.Assets {
		if within(path, p.Assets[i].SourcePath) {
			return &p.Assets[i]
		}
	}
	return nil
}

// sources checks the --source paths and returns them canonical. A path that
// does not exist is a usage error.
func (r *resolver) sources(raw []string) ([]string, error) {
	var out []string
	for _, s := range raw {
		if strings.TrimSpace(s) == "" {
			return nil, &Error{Err: ErrUsage, Msg: "source path is empty: " +
				"pass an existing file or directory to --source"}
		}
		p := r.userPath(s)
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
				return nil, &Error{Err: ErrUsage, Msg: fmt.Sprintf(
					"source %s does not exist: pass an existing file "+
						"or directory to --source", s)}
			}
			return nil, fmt.Errorf("check source: %w", err)
		}
		out = append(out, canonical(p))
	}
	return out, nil
}

// kindPriority breaks ties between candidates of equal path length:
// OpenClaw's order, then clawback's --source paths last.
var kindPriority = map[string]int{
	KindState:        0,
	KindConfig:       1,
	KindCredentials:  2,
	KindWorkspace:    3,
	KindAgent:        4,
	KindManagedSkill: 5,
	KindPath:         6,
}

// jsLength is the length of s in UTF-16 code units, which is what a
// JavaScript string's length counts.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// compareCandidates orders candidates as OpenClaw's planner does: shorter
// canonical paths first, then by kind, then by locale order.
func compareCandidates(a, b *candidate) int {
	if d := jsLength(a.canonical) - jsLength(b.canonical); d != 0 {
		return d
	}
	if d := kindPriority[a.kind] - kindPriority[b.kind]; d != 0 {
		return d
	}
	return localeCompare(a.canonical, b.canonical)
}

// punctuation is the order of ASCII punctuation and symbols in the Unicode
// collation root (white space first), which JavaScript's localeCompare
// follows. All of them sort before digits, and digits before letters.
const punctuation = " \t\n\r_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"

// primaryWeight is the weight of r at the first comparison level, where
// case does not count.
func primaryWeight(r rune) int {
	if i := strings.IndexRune(punctuation, r); i >= 0 && r < 0x80 {
		return 1 + i
	}
	switch {
	case r >= '0' && r <= '9':
		return 100 + int(r-'0')
	case r >= 'a' && r <= 'z':
		return 200 + int(r-'a')
	case r >= 'A' && r <= 'Z':
		return 200 + int(r-'A')
	}
	return 1000 + int(unicode.ToLower(r))
}

// localeCompare approximates JavaScript's default String.localeCompare for
// paths: punctuation, then digits, then letters, ignoring case; then lower
// case before upper case; then byte order, so that distinct strings never
// compare equal. Characters outside ASCII sort after ASCII letters by code
// point.
func localeCompare(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if d := primaryWeight(ra[i]) - primaryWeight(rb[i]); d != 0 {
			return d
		}
	}
	if d := len(ra) - len(rb); d != 0 {
		return d
	}
	for i := range ra {
		la, lb := unicode.IsLower(ra[i]), unicode.IsLower(rb[i])
		if la != lb {
			if la {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}
