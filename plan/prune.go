package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// managedStateRoots are the directories below the state directory that
// OpenClaw recreates (dev checkouts, package caches, scratch space).
var managedStateRoots = []string{"dev", "git", "npm", "npm-runtime", "tmp",
	"tools"}

// regenRoot is a directory the backup leaves out because OpenClaw can
// rebuild it.
type regenRoot struct{ kind, path string }

// prune lists the regenerable roots that exist inside the assets as
// "regenerable" skips, and fills Prune with them and with the workspaces
// that --no-include-workspace leaves out. A root that holds a path the
// backup must keep is left alone.
func (b *builder) prune(sources []string) error {
	p := b.p
	roots, err := b.regenerableRoots()
	if err != nil {
		return err
	}
	// TODO: OpenClaw prunes such a root except for the kept paths inside
	// it; Prune cannot say "except", so the whole root is kept instead.
	keep := b.protectedPaths(sources)
	prunable := func(root string) bool {
		if p.covering(root) == nil {
			return false
		}
		for _, k := range keep {
			if within(k, root) {
				return false
			}
		}
		_, err := os.Lstat(root)
		return err == nil
	}

	for _, root := range roots {
		if !prunable(root.path) {
			continue
		}
		p.Prune = append(p.Prune, root.path)
		if exists(root.path) {
			p.Skipped = append(p.Skipped, Skipped{
				Kind: root.kind, SourcePath: root.path,
				DisplayPath: p.Display(root.path), Reason: ReasonRegenerable,
			})
		}
	}

	// An excluded workspace is pruned where the walk meets it: at its
	// real path and, when it is a link, at the link. One that is or holds
	// the state directory stays.
	for _, w := range b.excluded {
		link := filepath.Join(canonicalTail(filepath.Dir(w)), filepath.Base(w))
		for _, path := range []string{canonicalTail(w), link} {
			if !within(b.canonState, path) && prunable(path) {
				p.Prune = append(p.Prune, path)
			}
		}
	}
	slices.Sort(p.Prune)
	p.Prune = slices.Compact(p.Prune)
	return nil
}

// protectedPaths are the paths the backup must keep even inside a
// regenerable root: the config, the credentials, the included workspaces,
// the agent directories and their databases, the state database and the
// --source paths.
func (b *builder) protectedPaths(sources []string) []string {
	p := b.p
	keep := []string{
		p.ConfigPath, canonicalTail(p.ConfigPath),
		p.OAuthDir, canonicalTail(p.OAuthDir),
		filepath.Join(b.canonState, "state", "openclaw.sqlite"),
	}
	for _, w := range p.WorkspaceDirs {
		keep = append(keep, canonicalTail(w))
	}
	for _, a := range p.AgentRoots {
		keep = append(keep, a.SourcePath,
			filepath.Join(a.SourcePath, "openclaw-agent.sqlite"))
	}
	return append(keep, sources...)
}

// regenerableRoots lists OpenClaw's regenerable roots, existing or not,
// sorted by path in locale order.
func (b *builder) regenerableRoots() ([]regenRoot, error) {
	var roots []regenRoot
	for _, name := range managedStateRoots {
		roots = append(roots, regenRoot{KindManagedState,
			filepath.Join(b.canonState, name)})
	}
	tmp, err := b.agentTemporaryRoots()
	if err != nil {
		return nil, err
	}
	roots = append(roots, tmp...)
	roots = append(roots, regenRoot{KindPluginSkills,
		filepath.Join(b.canonState, "plugin-skills")})
	deps, err := b.pluginDependencies()
	if err != nil {
		return nil, err
	}
	roots = append(roots, deps...)

	slices.SortFunc(roots, func(x, y regenRoot) int {
		if d := localeCompare(x.path, y.path); d != 0 {
			return d
		}
		return localeCompare(x.kind, y.kind)
	})
	return slices.Compact(roots), nil
}

// agentTemporaryRoots finds the tmp and .tmp directories below each default
// agent directory, <state>/agents/<name>/agent, without entering them,
// symbolic links or custom agent directories.
func (b *builder) agentTemporaryRoots() ([]regenRoot, error) {
	var custom []string
	for _, a := range b.p.AgentRoots {
		if a.SourcePath != defaultAgentDir(b.canonState, a.AgentID) {
			custom = append(custom, a.SourcePath)
		}
	}
	isCustom := func(path string) bool {
		return slices.ContainsFunc(custom, func(c string) bool {
			return within(path, c)
		})
	}

	agents := filepath.Join(b.canonState, "agents")
	entries, err := os.ReadDir(agents)
	if err != nil {
		if gone(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("find agent temporary files: %w", err)
	}
	var roots []regenRoot
	for _, e := range entries {
		root := filepath.Join(agents, e.Name(), "agent")
		if !e.IsDir() || isCustom(root) {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry,
			err error) error {
			if err != nil {
				if gone(err) {
					return nil
				}
				return err
			}
			if path == root || !d.IsDir() {
				return nil
			}
			if name := d.Name(); name == "tmp" || name == ".tmp" {
				if !isCustom(path) {
					roots = append(roots, regenRoot{KindAgentTemporary, path})
				}
				return filepath.SkipDir
			}
			if isCustom(path) {
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find agent temporary files: %w", err)
		}
	}
	return roots, nil
}

// pluginDependencies lists the node_modules directory of each plugin
// installed in <state>/extensions.
func (b *builder) pluginDependencies() ([]regenRoot, error) {
	dir := filepath.Join(b.canonState, "extensions")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if gone(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list plugins: %w", err)
	}
	var roots []regenRoot
	for _, e := range entries {
		if e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			roots = append(roots, regenRoot{KindPluginDependencies,
				filepath.Join(dir, e.Name(), "node_modules")})
		}
	}
	return roots, nil
}

// gone reports whether err means that a path does not exist (or runs
// through a file).
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || isNotDir(err)
}
