package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clawback/clawback/manifest"
)

// Asset kinds, as the manifest names them.
const (
	KindState        = "state"
	KindConfig       = "config"
	KindCredentials  = "credentials"
	KindWorkspace    = "workspace"
	KindAgent        = "agent"
	KindManagedSkill = "managed skill"
	KindPath         = "path" // a --source path; clawback only

	KindManagedState       = "managed state"
	KindAgentTemporary     = "agent temporary files"
	KindPluginSkills       = "plugin skills"
	KindPluginDependencies = "plugin dependencies"
)

// Skip reasons, as the manifest names them.
const (
	ReasonCovered     = "covered"
	ReasonMissing     = "missing"
	ReasonRegenerable = "regenerable"
)

// Env is the process environment that planning reads. Make does not touch
// the real environment, so tests can run in parallel.
type Env struct {
	Getenv func(string) string // os.Getenv in production; nil reads nothing
	Home   string              // OS home, used when HOME-like variables are unset
	Cwd    string              // working directory; "" means os.Getwd
}

// Options are the choices of `backup create` that shape the plan.
type Options struct {
	IncludeWorkspace bool     // back up workspaces (the CLI default)
	OnlyConfig       bool     // back up the config file alone
	Sources          []string // --source paths: extra files or directories
	Output           string   // raw --output value; "" for the default
	Now              time.Time
	DryRun           bool // skip the check that the output does not exist
	// Extension ends the default file name; "" means ".tar.gz".
	Extension string
}

// Asset is a root the backup includes. SourcePath is canonical (realpath);
// ArchivePath is its member name in the archive. IsDir is false for a file
// and for a symbolic link kept as a link (a symlinked config outside the
// state directory).
type Asset struct {
	Kind, SourcePath, DisplayPath, ArchivePath string
	IsDir                                      bool
}

// Skipped is a planned root that the backup leaves out. Reason is
// "covered" (CoveredBy is then the display path of the asset that holds
// it), "missing" (SourcePath is then the path as configured) or
// "regenerable".
type Skipped struct {
	Kind, SourcePath, DisplayPath, Reason, CoveredBy string
}

// Plan is what a backup contains and where it goes. It is plain data:
// reading it from several goroutines is safe.
type Plan struct {
	CreatedAt   time.Time
	ArchiveRoot string // <YYYY-MM-DDTHH-MM-SS.mmm+HH-MM>-openclaw-backup
	OutputPath  string // absolute
	// OutputMoved is set when no --output was given and the working
	// directory lies inside an asset, so OutputPath is in another
	// directory.
	OutputMoved bool
	Home        string // effective home, "" when none was found
	HomeLabel   string // what Display shows for Home: "~" or "$OPENCLAW_HOME"

	// StateDir, ConfigPath and OAuthDir are resolved but not canonical,
	// as the manifest records them.
	StateDir, ConfigPath, OAuthDir string
	WorkspaceDirs                  []string             // [] when excluded
	AgentRoots                     []manifest.AgentRoot // nil with OnlyConfig
	Options                        manifest.Options

	Assets  []Asset
	Skipped []Skipped // plan-level: covered, missing, regenerable

	// Prune lists canonical paths inside the assets that the walk must
	// not enter or store: regenerable roots and excluded workspaces.
	Prune []string

	// StateAsset is the canonical state directory when its content is
	// backed up (as an asset or inside one), "" otherwise. OpenClaw's
	// volatile-file rules are anchored there.
	StateAsset string
}

// Sentinel errors that Make wraps, for the CLI to choose an exit status.
// ErrUsage is a command-line mistake; the others are failures OpenClaw
// reports with the same message.
var (
	ErrUsage              = errors.New("usage")
	ErrNoState            = errors.New("no local OpenClaw state")
	ErrNoConfig           = errors.New("no OpenClaw config file")
	ErrDiscovery          = errors.New("backup discovery failed")
	ErrOutputInsideSource = errors.New("backup output inside a source path")
	ErrOutputExists       = errors.New("backup output exists")
)

// Error is a planning failure whose message is for the user: OpenClaw's own
// wording where OpenClaw has one. Err is one of the sentinel errors above.
type Error struct {
	Err error
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Make resolves OpenClaw's locations from env, reads the config and decides
// the assets, skips and output path of a backup made with opts. It only
// reads the file system. Errors that a user can act on are *Error values
// wrapping a sentinel; others come from the file system.
func Make(env Env, opts Options) (*Plan, error) {
	r, err := newResolver(env)
	if err != nil {
		return nil, fmt.Errorf("resolve working directory: %w", err)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	includeWorkspace := opts.IncludeWorkspace && !opts.OnlyConfig
	state := r.stateDir()
	p := &Plan{
		CreatedAt:     now,
		ArchiveRoot:   ArchiveRootName(now),
		Home:          r.home,
		HomeLabel:     r.label,
		StateDir:      state,
		ConfigPath:    r.configPath(state),
		OAuthDir:      r.oauthDir(state),
		WorkspaceDirs: []string{},
		Options: manifest.Options{
			IncludeWorkspace: includeWorkspace,
			OnlyConfig:       opts.OnlyConfig,
		},
	}
	sources, err := r.sources(opts.Sources)
	if err != nil {
		return nil, err
	}

	b := &builder{r: r, p: p, canonState: canonicalTail(state), opts: opts}
	var cands []*candidate
	if opts.OnlyConfig {
		cands = []*candidate{{kind: KindConfig, source: p.ConfigPath}}
	} else if cands, err = b.discover(includeWorkspace); err != nil {
		return nil, err
	}
	for _, s := range sources {
		cands = append(cands, &candidate{kind: KindPath, source: s})
	}
	b.place(cands)
	if !opts.OnlyConfig {
		if err := b.prune(sources); err != nil {
			return nil, err
		}
	}

	if p.OutputPath, err = b.outputPath(opts.Output); err != nil {
		return nil, err
	}
	if err := p.checkOutput(opts.DryRun); err != nil {
		return nil, err
	}
	return p, nil
}

// Display shortens path for people: the effective home becomes "~" (or
// "$OPENCLAW_HOME" when that variable sets the home), as OpenClaw prints
// paths.
func (p *Plan) Display(path string) string {
	label := p.HomeLabel
	if label == "" {
		label = "~"
	}
	home := p.Home
	if home == "" || path == "" {
		return path
	}
	if path == home {
		return label
	}
	if strings.HasPrefix(path, home+"/") || strings.HasPrefix(path, home+`\`) {
		return label + path[len(home):]
	}
	return path
}

// DefaultName is the file name OpenClaw gives a backup made at t:
// ArchiveRootName(t) + ".tar.gz".
func DefaultName(t time.Time) string {
	return ArchiveRootName(t) + ".tar.gz"
}

// ArchiveRootName is the archive's top directory for a backup made at t:
// t's wall clock in its own location, to the millisecond, with the UTC
// offset, as in "2026-03-14T09-02-03.456+08-00-openclaw-backup".
func ArchiveRootName(t time.Time) string {
	_, offset := t.Zone()
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	minutes := offset / 60
	return fmt.Sprintf("%04d-%02d-%02dT%02d-%02d-%02d.%03d%c%02d-%02d"+
		"-openclaw-backup",
		t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(),
		t.Nanosecond()/1e6, sign, minutes/60, minutes%60)
}

// outputPath applies OpenClaw's output rules to the raw --output value. An
// empty value gives the default name in the default directory. Otherwise
// the value is trimmed, a leading ~ is expanded and a relative path is
// taken from the working directory; a value ending in a separator, or
// naming an existing directory, gets the default name appended; anything
// else is the file name itself, used as given.
func (b *builder) outputPath(raw string) (string, error) {
	name := DefaultName(b.p.CreatedAt)
	if ext := b.opts.Extension; ext != "" {
		name = ArchiveRootName(b.p.CreatedAt) + ext
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return filepath.Join(b.defaultOutputDir(), name), nil
	}
	out := b.r.userPath(raw)
	if strings.HasSuffix(raw, "/") || strings.HasSuffix(raw, `\`) {
		return filepath.Join(out, name), nil
	}
	fi, err := os.Stat(out)
	switch {
	case err == nil && fi.IsDir():
		return filepath.Join(out, name), nil
	case err != nil && !gone(err):
		return "", fmt.Errorf("check backup output: %w", err)
	}
	return out, nil
}

// defaultOutputDir is where a backup goes without --output: the working
// directory, unless its real path lies inside an asset; then the home
// directory, or the state directory's parent when there is no home.
func (b *builder) defaultOutputDir() string {
	if b.p.covering(canonical(b.r.cwd)) == nil {
		return b.r.cwd
	}
	b.p.OutputMoved = true
	if b.r.home != "" {
		return b.r.home
	}
	return filepath.Dir(b.p.StateDir)
}

// checkOutput fails, in OpenClaw's order and words, when the plan includes
// nothing, when the output would land inside an asset (checked through the
// real path of its nearest existing parent) and, unless dryRun, when the
// output already exists.
func (p *Plan) checkOutput(dryRun bool) error {
	if len(p.Assets) == 0 {
		if p.Options.OnlyConfig {
			return &Error{Err: ErrNoConfig,
				Msg: "No OpenClaw config file was found to back up."}
		}
		return &Error{Err: ErrNoState,
			Msg: "No local OpenClaw state was found to back up."}
	}
	if a := p.covering(canonicalTail(p.OutputPath)); a != nil {
		return &Error{Err: ErrOutputInsideSource, Msg: fmt.Sprintf(
			"Backup output must not be written inside a source path: "+
				"%s is inside %s", p.OutputPath, a.SourcePath)}
	}
	if dryRun {
		return nil
	}
	_, err := os.Lstat(p.OutputPath)
	switch {
	case err == nil:
		return &Error{Err: ErrOutputExists, Msg: "Refusing to overwrite " +
			"existing backup archive: " + p.OutputPath}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("check backup output: %w", err)
	}
	return nil
}
