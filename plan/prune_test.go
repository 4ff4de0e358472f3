package plan

import (
	"path/filepath"
	"testing"

	"github.com/clawback/clawback/manifest"
)

func regenerableCases() []makeCase {
	return []makeCase{{
		name: "regenerable roots are listed in path order and pruned",
		setup: func(tb testing.TB, h string) {
			build(tb, h,
				// "opsx" keeps its agent directory in agents/ops/agent,
				// so that directory is custom and its tmp is kept.
				`.openclaw/openclaw.json={agents: {entries: {
  opsx: {agentDir: '~/.openclaw/agents/ops/agent'},
  main: {default: true},
}}}`,
				".openclaw/workspace/",
				".openclaw/npm/cache/x",
				".openclaw/dev=not a directory",
				".openclaw/tools -> /nonexistent/tools",
				".openclaw/plugin-skills/s/SKILL.md",
				".openclaw/extensions/demo/openclaw.plugin.json={}",
				".openclaw/extensions/demo/node_modules/dep/index.js",
				".openclaw/extensions/bare/openclaw.plugin.json={}",
				".openclaw/agents/main/agent/tmp/cache.bin",
				".openclaw/agents/main/agent/cache/.tmp/x",
				".openclaw/agents/main/agent/cache/.tmp/tmp/y",
				".openclaw/agents/main/agent/link -> tmp",
				".openclaw/agents/stray/agent/tmp/",
				".openclaw/agents/ops/agent/tmp/keep",
			)
		},
		opts: withWorkspace,
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s + "/workspace-opsx", s + "/workspace"}
			p.AgentRoots = []manifest.AgentRoot{
				{AgentID: "opsx", SourcePath: s + "/agents/ops/agent"},
				{AgentID: "main", SourcePath: s + "/agents/main/agent"},
			}
			regen := func(kind, rel string) Skipped {
				return skipped(kind, s+"/"+rel, "~/.openclaw/"+rel,
					ReasonRegenerable)
			}
			p.Skipped = []Skipped{
				covered(KindWorkspace, s+"/workspace",
					"~/.openclaw/workspace", "~/.openclaw"),
				skipped(KindWorkspace, s+"/workspace-opsx",
					"~/.openclaw/workspace-opsx", ReasonMissing),
				covered(KindAgent, s+"/agents/ops/agent",
					"~/.openclaw/agents/ops/agent", "~/.openclaw"),
				covered(KindAgent, s+"/agents/main/agent",
					"~/.openclaw/agents/main/agent", "~/.openclaw"),
				regen(KindAgentTemporary, "agents/main/agent/cache/.tmp"),
				regen(KindAgentTemporary, "agents/main/agent/tmp"),
				regen(KindAgentTemporary, "agents/stray/agent/tmp"),
				regen(KindManagedState, "dev"),
				regen(KindPluginDependencies,
					"extensions/demo/node_modules"),
				regen(KindManagedState, "npm"),
				regen(KindPluginSkills, "plugin-skills"),
			}
			p.Prune = []string{
				s + "/agents/main/agent/cache/.tmp",
				s + "/agents/main/agent/tmp",
				s + "/agents/stray/agent/tmp",
				s + "/dev",
				s + "/extensions/demo/node_modules",
				s + "/npm",
				s + "/plugin-skills",
				s + "/tools",
			}
			return p
		},
	}, {
		name: "a regenerable root holding the credentials is kept",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/openclaw.json={}",
				".openclaw/tmp/creds/token.json={}",
				".openclaw/git/repo/")
		},
		vars: map[string]string{
			"HOME":               "$H",
			"OPENCLAW_OAUTH_DIR": "~/.openclaw/tmp/creds",
		},
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.Options.IncludeWorkspace = false
			p.OAuthDir = s + "/tmp/creds"
			p.Skipped = []Skipped{skipped(KindManagedState, s+"/git",
				"~/.openclaw/git", ReasonRegenerable)}
			p.Prune = []string{s + "/git"}
			return p
		},
	}, {
		name: "regenerable roots outside every asset are ignored",
		setup: func(tb testing.TB, h string) {
			build(tb, h, "cfg/openclaw.json={}", "cfg/tmp/")
		},
		vars: map[string]string{
			"HOME":                 "$H",
			"OPENCLAW_STATE_DIR":   "$H/missing-state",
			"OPENCLAW_CONFIG_PATH": "$H/cfg/openclaw.json",
		},
		want: func(h string) *Plan {
			s := filepath.Join(h, "missing-state")
			p := statePlan(h, s)
			p.Options.IncludeWorkspace = false
			p.ConfigPath = h + "/cfg/openclaw.json"
			p.Assets = []Asset{fileAsset(KindConfig, h+"/cfg/openclaw.json",
				"~/cfg/openclaw.json")}
			p.Skipped = []Skipped{skipped(KindState, s, "~/missing-state",
				ReasonMissing)}
			p.StateAsset = ""
			return p
		},
	}}
}

func sourceCases() []makeCase {
	return []makeCase{{
		name:  "source without OpenClaw state backs up the source",
		setup: func(tb testing.TB, h string) { build(tb, h, "data/report.txt=hi") },
		opts:  Options{IncludeWorkspace: true, Sources: []string{"data"}},
		want: func(h string) *Plan {
			s := filepath.Join(h, ".openclaw")
			p := statePlan(h, s)
			p.WorkspaceDirs = []string{s + "/workspace"}
			p.Assets = []Asset{dirAsset(KindPath, h+"/data", "~/data")}
			p.Skipped = []Skipped{
				skipped(KindState, s, "~/.openclaw", ReasonMissing),
				skipped(KindWorkspace, s+"/workspace",
					"~/.openclaw/workspace", ReasonMissing),
			}
			p.StateAsset = ""
			return p
		},
	}, {
		name: "sources are canonical; one inside the state is covered",
		setup: func(tb testing.TB, h string) {
			openclawHome(tb, h, "entries")
			build(tb, h, "notes.txt=n", "notes-link -> notes.txt")
		},
		opts: Options{IncludeWorkspace: true, Sources: []string{
			"~/.openclaw/credentials", " notes-link"}},
		want: func(h string) *Plan {
			p := referencePlan(h)
			s := p.StateDir
			// "/notes.txt" is as long as "/.openclaw": the state goes
			// first by kind.
			p.Assets = []Asset{p.Assets[0],
				fileAsset(KindPath, h+"/notes.txt", "~/notes.txt"),
				p.Assets[1]}
			p.Skipped = append(p.Skipped[:1:1], append([]Skipped{
				covered(KindPath, s+"/credentials",
					"~/.openclaw/credentials", "~/.openclaw"),
			}, p.Skipped[1:]...)...)
			return p
		},
	}}
}
