// Package filter decides which entries of a backed-up tree are left out,
// and names the rule that left each one out so that it can be counted.
//
// Built-in rules follow OpenClaw 2026.9.6's volatile and regenerable lists
// with one deliberate difference: session transcripts are kept. Rules that
// OpenClaw anchors to the state directory apply only inside the state asset;
// pid, socket and temporary-file rules apply in every asset. A directory
// holding a valid CACHEDIR.TAG keeps only the tag. User rules (--exclude and
// --include, doublestar globs matched against the path relative to the asset
// root) are applied after the built-in ones in command-line order, and the
// last match wins, so a user can override any built-in rule. Excluding a
// directory prunes its subtree, unless a later --include could match a path
// below it: then the walk goes on inside, every entry there that no rule
// includes again is left out by the directory's rule, and the directory
// itself is kept only as the parent of what comes back: when nothing below
// it does, it is left out and counted too.
package filter

import (
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Rule names reported in counts.
const (
	RuleLogs         = "logs"
	RuleCronRuns     = "cron run logs"
	RuleQueues       = "delivery queues"
	RuleBrowser      = "browser singleton files"
	RuleSandbox      = "sandbox skill workspaces"
	RuleCaches       = "runtime caches"
	RuleRuntimeFiles = "pid, socket and temporary files"
	RuleNodeModules  = "plugin node_modules"
	RuleCacheDirTag  = "CACHEDIR.TAG directories"
	// RuleSQLiteSidecar leaves out the -wal, -shm and -journal files of a
	// file recognised as a SQLite database; --include does not override it.
	RuleSQLiteSidecar = "SQLite sidecars"
)

// User is one --exclude or --include rule.
type User struct {
	Glob    string
	Include bool
}

// Name is how the rule is reported.
func (u User) Name() string {
	if u.Include {
		return "--include " + u.Glob
	}
	return "--exclude " + u.Glob
}

// Set is the rules of one run. It is safe for concurrent use once made.
type Set struct {
	user []User
}

// New checks the user rules' syntax and returns a Set.
func New(user []User) (*Set, error) {
	for _, u := range user {
		if !doublestar.ValidatePattern(u.Glob) {
			return nil, fmt.Errorf("invalid glob %q in %s", u.Glob, u.Name())
		}
	}
	return &Set{user: user}, nil
}

// Match reports whether the entry at rel (slash-separated, relative to its
// asset root, never empty) is left out, and by which rule. state says whether
// the asset is OpenClaw's state directory.
func (s *Set) Match(rel string, isDir, state bool) (rule string, out bool) {
	rule, out, _ = s.decide(rel, isDir, state)
	return rule, out
}

// MatchWithin is Match for an entry below a directory that the rule within
// left out: an entry that no --include matches is left out by that rule.
func (s *Set) MatchWithin(rel string, isDir, state bool, within string) (rule string, out bool) {
	rule, out, included := s.decide(rel, isDir, state)
	if within != "" && !out && !included {
		return within, true
	}
	return rule, out
}

// decide applies the rules to rel; included reports that the deciding rule
// is an --include.
func (s *Set) decide(rel string, isDir, state bool) (rule string, out, included bool) {
	rule = builtin(rel, isDir, state)
	out = rule != ""
	for _, u := range s.user {
		ok, _ := doublestar.Match(u.Glob, rel)
		if !ok && isDir {
			ok, _ = doublestar.Match(u.Glob, rel+"/")
		}
		if ok {
			rule, out, included = u.Name(), !u.Include, u.Include
		}
	}
	if !out {
		rule = ""
	}
	return rule, out, included
}

// MayIncludeBelow reports whether an --include rule could match a path
// below the directory rel, judged by the literal start of its glob: a glob
// whose literal start lies inside rel, or that begins with a wildcard
// before reaching below rel, might. It is for deciding whether a left-out
// directory must still be walked; it errs towards yes.
func (s *Set) MayIncludeBelow(rel string) bool {
	dir := rel + "/"
	for _, u := range s.user {
		if !u.Include {
			continue
		}
		lit := literalPrefix(u.Glob)
		if strings.HasPrefix(lit, dir) || strings.HasPrefix(dir, lit) {
			return true
		}
	}
	return false
}

// literalPrefix is the start of a glob before its first special character.
func literalPrefix(glob string) string {
	if i := strings.IndexAny(glob, "*?[{\\"); i >= 0 {
		return glob[:i]
	}
	return glob
}

func builtin(rel string, isDir, state bool) string {
	base := path.Base(rel)
	if !isDir && runtimeFile(base) {
		return RuleRuntimeFiles
	}
	if !state {
		return ""
	}
	first, rest, _ := strings.Cut(rel, "/")
	ext := strings.ToLower(path.Ext(base))
	logLike := !isDir && (ext == ".jsonl" || ext == ".log")
	switch {
	case first == "logs" && logLike:
		return RuleLogs
	case first == "cron" && strings.HasPrefix(rest, "runs/") && logLike:
		return RuleCronRuns
	case (first == "delivery-queue" || first == "session-delivery-queue") && !isDir &&
		(ext == ".json" || ext == ".delivered" || ext == ".tmp"):
		return RuleQueues
	case strings.HasPrefix(base, "Singleton"):
		return RuleBrowser
	case rel == "sandbox/skills-workspaces":
		return RuleSandbox
	case rel == "cache/control-ui-assets" || rel == "tmp/plugin-captures":
		return RuleCaches
	case first == "extensions" && isDir && base == "node_modules":
		return RuleNodeModules
	}
	return ""
}

// runtimeFile reports whether a file name is a pid file, a socket name or a
// temporary file: *.pid, *.sock, *.tmp and *.tmp.*.
func runtimeFile(base string) bool {
	lower := strings.ToLower(base)
	if strings.HasPrefix(lower, ".") && strings.Count(lower, ".") == 1 {
		return false // ".tmp" alone has no extension
	}
	for _, ext := range []string{".pid", ".sock", ".tmp"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return strings.Contains(lower, ".tmp.")
}

// CacheDirSignature starts a valid CACHEDIR.TAG file.
const CacheDirSignature = "Signature: 8a477f597d28d172789f06886806bc55"
