package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clawback/clawback/manifest"
)

// testNow is the creation time of the reference archive full-verified.
var testNow = time.Date(2026, 12, 3, 18, 52, 59, 476e6, time.UTC)

const testRoot = "2026-12-03T18-52-59.476+00-00-openclaw-backup"

// tempRoot is a fresh directory with its symbolic links resolved, so that
// expected paths are canonical.
func tempRoot(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.EvalSymlinks(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

// build creates entries below root. Each spec is "dir/" for a directory,
// "name -> target" for a symbolic link, "name=content" for a file with
// that content, or "name" for an empty file. Parents are created.
func build(tb testing.TB, root string, specs ...string) {
	tb.Helper()
	for _, spec := range specs {
		var err error
		switch {
		case strings.Contains(spec, " -> "):
			name, target, _ := strings.Cut(spec, " -> ")
			p := filepath.Join(root, name)
			err = os.MkdirAll(filepath.Dir(p), 0o755)
			if err == nil {
				err = os.Symlink(target, p)
			}
		case strings.HasSuffix(spec, "/"):
			err = os.MkdirAll(filepath.Join(root, spec), 0o755)
		default:
			name, content, _ := strings.Cut(spec, "=")
			p := filepath.Join(root, name)
			err = os.MkdirAll(filepath.Dir(p), 0o755)
			if err == nil {
				err = os.WriteFile(p, []byte(content), 0o644)
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// openclawHome builds, in home h, the layout of the reference state: two
// agents, "main" with its workspace in the state directory and "ops" with
// one in ~/projects/ops-ws, credentials, sessions, a managed tmp directory
// and a tmp directory in the main agent, as the reference tool mkstate.sh
// does. style is "entries" (2026.9 config) or "list" (2026.4 config).
func openclawHome(tb testing.TB, h, style string) {
	tb.Helper()
	s := filepath.Join(h, ".openclaw")
	ops := filepath.Join(h, "projects", "ops-ws")
	text, err := os.ReadFile(filepath.Join("testdata",
		"openclaw-"+style+".json5"))
	if err != nil {
		tb.Fatal(err)
	}
	config := strings.NewReplacer("@STATE@", s, "@OPS@", ops).
		Replace(string(text))
	build(tb, h,
		".openclaw/openclaw.json="+config,
		".openclaw/credentials/oauth.json={}",
		".openclaw/identity/device.json={}",
		".openclaw/agents/main/agent/models.json={}",
		".openclaw/agents/main/agent/tmp/cache.bin=x",
		".openclaw/agents/main/sessions/s1.jsonl={}",
		".openclaw/agents/ops/agent/models.json={}",
		".openclaw/agents/ops/sessions/sessions.json={}",
		".openclaw/workspace/AGENTS.md=# AGENTS",
		".openclaw/workspace/notes.tmp=scratch",
		".openclaw/workspace/hostname-link -> /etc/hostname",
		".openclaw/tmp/scratch.txt=managed tmp root",
		".openclaw/gateway.pid=4242",
		"projects/ops-ws/AGENTS.md=# ops workspace",
		"projects/ops-ws/notes/todo.md=- [ ] rotate keys",
	)
}

// member is the archive member name of an absolute POSIX path.
func member(p string) string {
	return testRoot + "/payload/posix" + p
}

func dirAsset(kind, p, display string) Asset {
	return Asset{Kind: kind, SourcePath: p, DisplayPath: display,
		ArchivePath: member(p), IsDir: true}
}

func fileAsset(kind, p, display string) Asset {
	return Asset{Kind: kind, SourcePath: p, DisplayPath: display,
		ArchivePath: member(p)}
}

func covered(kind, p, display, by string) Skipped {
	return Skipped{Kind: kind, SourcePath: p, DisplayPath: display,
		Reason: ReasonCovered, CoveredBy: by}
}

func skipped(kind, p, display, reason string) Skipped {
	return Skipped{Kind: kind, SourcePath: p, DisplayPath: display,
		Reason: reason}
}

// referencePlan is the plan of the reference archive full-verified for the
// state openclawHome builds in h, with the default output in h.
func referencePlan(h string) *Plan {
	s := filepath.Join(h, ".openclaw")
	ops := filepath.Join(h, "projects", "ops-ws")
	return &Plan{
		CreatedAt:     testNow,
		ArchiveRoot:   testRoot,
		OutputPath:    filepath.Join(h, testRoot+".tar.gz"),
		Home:          h,
		HomeLabel:     "~",
		StateDir:      s,
		ConfigPath:    s + "/openclaw.json",
		OAuthDir:      s + "/credentials",
		WorkspaceDirs: []string{s + "/workspace", ops},
		AgentRoots: []manifest.AgentRoot{
			{AgentID: "main", SourcePath: s + "/agents/main/agent"},
			{AgentID: "ops", SourcePath: s + "/agents/ops/agent"},
		},
		Options: manifest.Options{IncludeWorkspace: true},
		Assets: []Asset{
			dirAsset(KindState, s, "~/.openclaw"),
			dirAsset(KindWorkspace, ops, "~/projects/ops-ws"),
		},
		Skipped: []Skipped{
			covered(KindWorkspace, s+"/workspace", "~/.openclaw/workspace",
				"~/.openclaw"),
			covered(KindAgent, s+"/agents/ops/agent",
				"~/.openclaw/agents/ops/agent", "~/.openclaw"),
			covered(KindAgent, s+"/agents/main/agent",
				"~/.openclaw/agents/main/agent", "~/.openclaw"),
			skipped(KindAgentTemporary, s+"/agents/main/agent/tmp",
				"~/.openclaw/agents/main/agent/tmp", ReasonRegenerable),
			skipped(KindManagedState, s+"/tmp", "~/.openclaw/tmp",
				ReasonRegenerable),
		},
		Prune:      []string{s + "/agents/main/agent/tmp", s + "/tmp"},
		StateAsset: s,
	}
}

// testEnv is an environment whose variables are vars, with every "$H" in
// a value replaced by h.
func testEnv(h, cwd string, vars map[string]string) Env {
	env := make(map[string]string, len(vars))
	for k, v := range vars {
		env[k] = strings.ReplaceAll(v, "$H", h)
	}
	return Env{
		Getenv: func(k string) string { return env[k] },
		Cwd:    cwd,
	}
}
