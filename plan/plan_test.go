package plan

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/manifest"
)

type makeCase struct {
	name  string
	setup func(tb testing.TB, h string)
	vars  map[string]string // nil means HOME=$H
	cwd   string            // relative to the home; "" is the home
	opts  Options
	want  func(h string) *Plan
}

var withWorkspace = Options{IncludeWorkspace: true}

// runMake builds the case's tree in a fresh home and plans in it.
func runMake(t *testing.T, c makeCase) (string, *Plan, error) {
	t.Helper()
	h := filepath.Join(tempRoot(t), "home")
	build(t, h, "./")
	if c.setup != nil {
		c.setup(t, h)
	}
	vars := c.vars
	if vars == nil {
		vars = map[string]string{"HOME": "$H"}
	}
	opts := c.opts
	opts.Now = testNow
	p, err := Make(testEnv(h, filepath.Join(h, c.cwd), vars), opts)
	return h, p, err
}

func TestMake(t *testing.T) {
	reference := func(style string) func(testing.TB, string) {
		return func(tb testing.TB, h string) { openclawHome(tb, h, style) }
	}
	cases := []makeCase{{
		name:  "agents.entries config gives the reference plan",
		setup: reference("entries"),
		opts:  withWorkspace,
		want:  referencePlan,
	}, {
		name:  "agents.list config gives the reference plan",
		setup: reference("list"),
		opts:  withWorkspace,
		want:  referencePlan,
	}, {
		name:  "no-include-workspace prunes the workspace inside the state",
		setup: reference("entries"),
		want: func(h string) *Plan {
			p := referencePlan(h)
			s := p.StateDir
			p.Options.IncludeWorkspace = false
			p.WorkspaceDirs = []string{}
			p.Assets = p.Assets[:1]
			p.Skipped = p.Skipped[1:]
			p.Prune = []string{s + "/agents/main/agent/tmp", s + "/tmp",
				s + "/workspace"}
			return p
		},
	}, {
		name:  "only-config backs up the config alone",
		setup: reference("entries"),
		opts:  Options{IncludeWorkspace: true, OnlyConfig: true},
		want:  onlyConfigPlan,
	}, {
		name: "only-config keeps a config that does not parse",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={ agents: [ }",
				".openclaw/workspace/")
		},
		opts: Options{OnlyConfig: true},
		want: onlyConfigPlan,
	}, {
		name: "state without agents has the default agent root only",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={ gateway: { mode: 'local' } }",
				".openclaw/workspace/AGENTS.md",
				".openclaw/agents/main/sessions/sessions.json={}")
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s + "/workspace"}
			p.Skipped = []Skipped{covered(KindWorkspace, s+"/workspace",
				"~/.openclaw/workspace", "~/.openclaw")}
			return p
		},
	}, {
		name: "JSON5 comments, bare keys, single quotes and ~ paths",
		setup: func(tb testing.TB, h string) {
			build(tb, h, `.openclaw/openclaw.json=// leading comment
{
  agents: {
    /* shared */ defaults: { workspace: '~/.openclaw/workspace', },
    entries: {
      ops: { workspace: '~/projects/ops-ws', agentDir: "~/agents-ops", },
      main: { default: true, }, // the agent dir stays default
    },
  },
}`,
				".openclaw/workspace/",
				"projects/ops-ws/",
				"agents-ops/models.json={}")
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			ops := filepath.Join(h, "projects", "ops-ws")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{ops, s + "/workspace"}
			p.AgentRoots = []manifest.AgentRoot{
				{AgentID: "ops", SourcePath: h + "/agents-ops"},
				{AgentID: "main", SourcePath: s + "/agents/main/agent"},
			}
			p.Assets = []Asset{
				dirAsset(KindState, s, "~/.openclaw"),
				dirAsset(KindAgent, h+"/agents-ops", "~/agents-ops"),
				dirAsset(KindWorkspace, ops, "~/projects/ops-ws"),
			}
			p.Skipped = []Skipped{covered(KindWorkspace, s+"/workspace",
				"~/.openclaw/workspace", "~/.openclaw")}
			return p
		},
	}, {
		name: "symlinked state directory is backed up at its real path",
		setup: func(tb testing.TB, h string) {
			build(tb, filepath.Dir(h), "data/oc/openclaw.json={}",
				"data/oc/workspace/")
			build(tb, h, ".openclaw -> ../data/oc")
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			real := filepath.Join(filepath.Dir(h), "data", "oc")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s + "/workspace"}
			p.AgentRoots[0].SourcePath = real + "/agents/main/agent"
			p.Assets = []Asset{dirAsset(KindState, real, real)}
			p.Skipped = []Skipped{covered(KindWorkspace, real+"/workspace",
				real+"/workspace", real)}
			p.StateAsset = real
			return p
		},
	}, {
		name: "short external workspace sorts before the state directory",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={agents: {entries: "+
				"{main: {workspace: '~/.openclaw/workspace'}}}}",
				".openclaw/workspace -> ../ws", "ws/notes.md")
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s + "/workspace"}
			p.Assets = []Asset{
				dirAsset(KindWorkspace, h+"/ws", "~/ws"),
				dirAsset(KindState, s, "~/.openclaw"),
			}
			return p
		},
	}, {
		name: "no-include-workspace prunes a workspace link, not its target",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={agents: {entries: "+
				"{main: {workspace: '~/.openclaw/workspace'}}}}",
				".openclaw/workspace -> ../ws", "ws/notes.md")
		},
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.Options.IncludeWorkspace = false
			p.Prune = []string{s + "/workspace"}
			return p
		},
	}, {
		name: "no-include-workspace keeps a workspace holding the state",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={agents: {defaults: "+
				"{workspace: '~'}}}", "notes.md")
		},
		want: func(h string) *Plan {
			p := statePlan(h, filepath.Join(h, ".openclaw"))
			p.Options.IncludeWorkspace = false
			return p
		},
	}, {
		name: "workspace equal to the state directory is dropped silently",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={agents: {defaults: "+
				"{workspace: '~/.openclaw/'}}}")
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s}
			return p
		},
	}, {
		name: "OPENCLAW variables move state, config and credentials",
		setup: func(tb testing.TB, h string) {
			build(tb, h, "state/", "etc/oc.json5={}", "creds/token.json={}")
		},
		vars: map[string]string{
			"HOME":                 "$H",
			"OPENCLAW_STATE_DIR":   " $H/state ",
			"OPENCLAW_CONFIG_PATH": "~/etc/oc.json5",
			"OPENCLAW_OAUTH_DIR":   "$H/creds",
			"OPENCLAW_PROFILE":     "work",
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, "state")
			p := statePlan(h, s)
			p.ConfigPath = h + "/etc/oc.json5"
			p.OAuthDir = h + "/creds"
			p.WorkspaceDirs = []string{s + "/workspace-work"}
			p.Assets = []Asset{
				dirAsset(KindState, s, "~/state"),
				dirAsset(KindCredentials, h+"/creds", "~/creds"),
				fileAsset(KindConfig, h+"/etc/oc.json5", "~/etc/oc.json5"),
			}
			p.Skipped = []Skipped{skipped(KindWorkspace,
				s+"/workspace-work", "~/state/workspace-work", ReasonMissing)}
			return p
		},
	}, {
		name: "OPENCLAW_HOME sets the home and its display label",
		setup: func(tb testing.TB, h string) {
			build(tb, h, "os/oc/.openclaw/openclaw.json={}",
				"os/oc/.openclaw/workspace/")
		},
		vars: map[string]string{"HOME": "$H/os", "OPENCLAW_HOME": "~/oc"},
		opts: withWorkspace,
		want: func(h string) *Plan {
			oc := filepath.Join(h, "os", "oc")
			s := filepath.Join(oc, ".openclaw")
			p := statePlan(oc, s)
			p.HomeLabel = "$OPENCLAW_HOME"
			p.OutputPath = filepath.Join(h, testRoot+".tar.gz")
			p.WorkspaceDirs = []string{s + "/workspace"}
			p.Assets[0].DisplayPath = "$OPENCLAW_HOME/.openclaw"
			p.Skipped = []Skipped{covered(KindWorkspace, s+"/workspace",
				"$OPENCLAW_HOME/.openclaw/workspace",
				"$OPENCLAW_HOME/.openclaw")}
			return p
		},
	}, {
		name: "legacy .clawdbot directory and config name",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".clawdbot/clawdbot.json={agents: {list: "+
				"[{id: 'Main Bot'}, 'not an agent']}}")
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".clawdbot")
			p := statePlan(h, s)
			p.ConfigPath = s + "/clawdbot.json"
			p.WorkspaceDirs = []string{h + "/.openclaw/workspace"}
			p.AgentRoots[0] = manifest.AgentRoot{AgentID: "main-bot",
				SourcePath: s + "/agents/main-bot/agent"}
			p.Assets[0].DisplayPath = "~/.clawdbot"
			p.Skipped = []Skipped{skipped(KindWorkspace,
				h+"/.openclaw/workspace", "~/.openclaw/workspace",
				ReasonMissing)}
			return p
		},
	}, {
		name: "config link in the state keeps its target too",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json -> ../store/oc.json",
				"store/oc.json={}", ".openclaw/workspace/")
		},
		vars: map[string]string{"USERPROFILE": "$H"},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s + "/workspace"}
			p.Assets = append(p.Assets, fileAsset(KindConfig,
				h+"/store/oc.json", "~/store/oc.json"))
			p.Skipped = []Skipped{
				covered(KindWorkspace, s+"/workspace",
					"~/.openclaw/workspace", "~/.openclaw"),
				covered(KindConfig, s+"/openclaw.json",
					"~/.openclaw/openclaw.json", "~/.openclaw"),
			}
			return p
		},
	}}
	cases = append(cases, regenerableCases()...)
	cases = append(cases, sourceCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, got, err := runMake(t, c)
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			if diff := cmp.Diff(c.want(h), got); diff != "" {
				t.Errorf("plan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// statePlan is the plan of a state directory s with no config agents: the
// state is the only asset and "main" the only agent.
func statePlan(h, s string) *Plan {
	return &Plan{
		CreatedAt:     testNow,
		ArchiveRoot:   testRoot,
		OutputPath:    filepath.Join(h, testRoot+".tar.gz"),
		Home:          h,
		HomeLabel:     "~",
		StateDir:      s,
		ConfigPath:    s + "/openclaw.json",
		OAuthDir:      s + "/credentials",
		WorkspaceDirs: []string{},
		AgentRoots: []manifest.AgentRoot{
			{AgentID: "main", SourcePath: s + "/agents/main/agent"},
		},
		Options:    manifest.Options{IncludeWorkspace: true},
		Assets:     []Asset{dirAsset(KindState, s, "~/"+filepath.Base(s))},
		StateAsset: s,
	}
}

func onlyConfigPlan(h string) *Plan {
	s := filepath.Join(h, ".openclaw")
	return &Plan{
		CreatedAt:     testNow,
		ArchiveRoot:   testRoot,
		OutputPath:    filepath.Join(h, testRoot+".tar.gz"),
		Home:          h,
		HomeLabel:     "~",
		StateDir:      s,
		ConfigPath:    s + "/openclaw.json",
		OAuthDir:      s + "/credentials",
		WorkspaceDirs: []string{},
		Options:       manifest.Options{OnlyConfig: true},
		Assets: []Asset{fileAsset(KindConfig, s+"/openclaw.json",
			"~/.openclaw/openclaw.json")},
	}
}
