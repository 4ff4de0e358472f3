package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// resolver answers OpenClaw's location questions (home, state directory,
// config file, credentials, default workspace) for one environment.
type resolver struct {
	getenv func(string) string
	osHome string
	cwd    string

	// home is the effective home, "" when none can be found; label is
	// what Display puts in its place.
	home  string
	label string
}

func newResolver(env Env) (*resolver, error) {
	r := &resolver{getenv: env.Getenv, osHome: env.Home, cwd: env.Cwd}
	if r.getenv == nil {
		r.getenv = func(string) string { return "" }
	}
	if r.cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		r.cwd = wd
	}
	if !filepath.IsAbs(r.cwd) {
		abs, err := filepath.Abs(r.cwd)
		if err != nil {
			return nil, err
		}
		r.cwd = abs
	}
	r.cwd = filepath.Clean(r.cwd)

	r.label = "~"
	if r.env("OPENCLAW_HOME") != "" {
		r.label = "$OPENCLAW_HOME"
	}
	if h := r.effectiveHome(); h != "" {
		r.home = r.abs(h)
	}
	return r, nil
}

// env returns a trimmed variable. OpenClaw ignores the literal strings
// "undefined" and "null" that shells sometimes export.
func (r *resolver) env(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "undefined" || v == "null" {
		return ""
	}
	return v
}

// effectiveHome follows OPENCLAW_HOME, then HOME, then USERPROFILE, then the
// operating system's home. A leading ~ in OPENCLAW_HOME means the home that
// the other sources give.
func (r *resolver) effectiveHome() string {
	osHome := r.env("HOME")
	if osHome == "" {
		osHome = r.env("USERPROFILE")
	}
	if osHome == "" {
		osHome = strings.TrimSpace(r.osHome)
	}
	explicit := r.env("OPENCLAW_HOME")
	if explicit == "" {
		return osHome
	}
	if rest, ok := tildeRest(explicit); ok {
		if osHome == "" {
			return ""
		}
		return osHome + rest
	}
	return explicit
}

// tildeRest reports whether p starts with a ~ that names the home (alone or
// followed by a separator) and returns what follows it.
func tildeRest(p string) (string, bool) {
	if p == "~" {
		return "", true
	}
	if strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		return p[1:], true
	}
	return "", false
}

// abs makes p absolute against the working directory and cleans it.
func (r *resolver) abs(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.cwd, p)
	}
	return filepath.Clean(p)
}

// requiredHome is the effective home, or the working directory when there
// is none, as OpenClaw falls back.
func (r *resolver) requiredHome() string {
	if r.home != "" {
		return r.home
	}
	return r.cwd
}

// userPath trims p, expands a leading ~ against the effective home and makes
// the result absolute. An empty p stays empty.
func (r *resolver) userPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	if rest, ok := tildeRest(p); ok {
		p = r.requiredHome() + rest
	}
	return r.abs(p)
}

// stateDir is OPENCLAW_STATE_DIR, else ~/.openclaw, else the legacy
// ~/.clawdbot when only that one exists.
func (r *resolver) stateDir() string {
	if v := r.env("OPENCLAW_STATE_DIR"); v != "" {
		return r.userPath(v)
	}
	current := filepath.Join(r.requiredHome(), ".openclaw")
	if exists(current) {
		return current
	}
	if legacy := filepath.Join(r.requiredHome(), ".clawdbot"); exists(legacy) {
		return legacy
	}
	return current
}

var configNames = []string{"openclaw.json", "clawdbot.json"}

// configPath is OPENCLAW_CONFIG_PATH, else the first existing config name in
// the state directory. Without an explicit state directory OpenClaw also
// looks in ~/.openclaw and ~/.clawdbot before settling on
// <state>/openclaw.json.
func (r *resolver) configPath(state string) string {
	if v := r.env("OPENCLAW_CONFIG_PATH"); v != "" {
		return r.userPath(v)
	}
	if p := firstExisting(state, configNames); p != "" {
		return p
	}
	if r.env("OPENCLAW_STATE_DIR") == "" {
		for _, dir := range []string{".openclaw", ".clawdbot"} {
			base := filepath.Join(r.requiredHome(), dir)
			if p := firstExisting(base, configNames); p != "" {
				return p
			}
		}
	}
	return filepath.Join(state, configNames[0])
}

func firstExisting(dir string, names []string) string {
	for _, name := range names {
		if p := filepath.Join(dir, name); exists(p) {
			return p
		}
	}
	return ""
}

// oauthDir is OPENCLAW_OAUTH_DIR, else <state>/credentials.
func (r *resolver) oauthDir(state string) string {
	if v := r.env("OPENCLAW_OAUTH_DIR"); v != "" {
		return r.userPath(v)
	}
	return filepath.Join(state, "credentials")
}

// defaultWorkspace is the default agent's workspace when the config names
// none: workspace, or workspace-<profile> for an OPENCLAW_PROFILE other
// than "default", in the state directory when OPENCLAW_STATE_DIR is set and
// in ~/.openclaw otherwise.
func (r *resolver) defaultWorkspace(state string) string {
	name := "workspace"
	if p := r.env("OPENCLAW_PROFILE"); p != "" &&
		strings.ToLower(p) != "default" {
		name = "workspace-" + p
	}
	if r.env("OPENCLAW_STATE_DIR") != "" {
		return filepath.Join(state, name)
	}
	return filepath.Join(r.requiredHome(), ".openclaw", name)
}

// exists reports whether p exists, following symbolic links.
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// canonical is the realpath of an existing p, or p itself when it cannot be
// resolved.
func canonical(p string) string {
	if c, err := filepath.EvalSymlinks(p); err == nil {
		return c
	}
	return p
}

// canonicalTail resolves symbolic links in the longest existing prefix of
// the absolute path p and keeps the missing tail as it is.
func canonicalTail(p string) string {
	var tail []string
	probe := p
	for {
		if c, err := filepath.EvalSymlinks(probe); err == nil {
			return filepath.Join(append([]string{c}, tail...)...)
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return p
		}
		tail = append([]string{filepath.Base(probe)}, tail...)
		probe = parent
	}
}

// within reports whether p equals dir or lies below it. Both are clean
// absolute paths.
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return strings.HasPrefix(p, dir)
	}
	return strings.HasPrefix(p, dir+string(filepath.Separator))
}

// isNotDir reports whether err says that a path goes through a file.
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}
