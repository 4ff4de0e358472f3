package filter

import "testing"

func TestSet_Match(t *testing.T) {
	for _, tc := range []struct {
		name  string
		user  []User
		rel   string
		dir   bool
		state bool
		rule  string
	}{
		{"transcripts are kept", nil, "agents/main/sessions/abc.jsonl", false, true, ""},
		{"legacy transcripts are kept", nil, "sessions/abc.jsonl", false, true, ""},
		{"sessions index kept", nil, "agents/main/sessions/sessions.json", false, true, ""},
		{"gateway log", nil, "logs/gateway.log", false, true, RuleLogs},
		{"nested jsonl log", nil, "logs/a/b.jsonl", false, true, RuleLogs},
		{"logs health json kept", nil, "logs/config-health.json", false, true, ""},
		{"logs dir itself kept", nil, "logs", true, true, ""},
		{"cron run log", nil, "cron/runs/job-1.jsonl", false, true, RuleCronRuns},
		{"cron jobs kept", nil, "cron/jobs.json", false, true, ""},
		{"delivery queue", nil, "delivery-queue/msg-1.json", false, true, RuleQueues},
		{"session delivery queue", nil, "session-delivery-queue/x.delivered", false, true, RuleQueues},
		{"pid anywhere", nil, "gateway.pid", false, true, RuleRuntimeFiles},
		{"tmp in workspace", nil, "notes.tmp", false, false, RuleRuntimeFiles},
		{"tmp.N", nil, "queue.json.tmp.123.4", false, false, RuleRuntimeFiles},
		{"socket name", nil, "run/gw.sock", false, true, RuleRuntimeFiles},
		{"dot tmp alone kept", nil, ".tmp", false, true, ""},
		{"lock kept", nil, "Cargo.lock", false, false, ""},
		{"singleton", nil, "browser/profile/SingletonLock", false, true, RuleBrowser},
		{"singleton outside state kept", nil, "SingletonLock", false, false, ""},
		{"sandbox skills", nil, "sandbox/skills-workspaces", true, true, RuleSandbox},
		{"ui cache", nil, "cache/control-ui-assets", true, true, RuleCaches},
		{"plugin node_modules", nil, "extensions/p/node_modules", true, true, RuleNodeModules},
		{"state node_modules kept", nil, "node_modules", true, true, ""},
		{"logs outside state kept", nil, "logs/app.log", false, false, ""},
		{"user exclude", []User{{Glob: "**/*.bin"}}, "data/blob.bin", false, false, "--exclude **/*.bin"},
		{"user include overrides builtin", []User{{Glob: "logs/**", Include: true}}, "logs/gateway.log", false, true, ""},
		{"last match wins", []User{{Glob: "a/**"}, {Glob: "a/keep.txt", Include: true}}, "a/keep.txt", false, false, ""},
		{"last match wins, exclude last", []User{{Glob: "a/keep.txt", Include: true}, {Glob: "a/**"}}, "a/keep.txt", false, false, "--exclude a/**"},
		{"exclude directory", []User{{Glob: "cache"}}, "cache", true, false, "--exclude cache"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.user)
			if err != nil {
				t.Fatal(err)
			}
			rule, out := s.Match(tc.rel, tc.dir, tc.state)
			if rule != tc.rule || out != (tc.rule != "") {
				t.Fatalf("Match(%q) = %q, %v; want %q", tc.rel, rule, out, tc.rule)
			}
		})
	}
}

func TestNew_RejectsBadGlob(t *testing.T) {
	if _, err := New([]User{{Glob: "a/[b"}}); err == nil {
		t.Fatal("accepted an unterminated class")
	}
}

func TestSet_MayIncludeBelow(t *testing.T) {
	tests := []struct {
		name  string
		rules []User
		dir   string
		want  bool
	}{
		{"no include", []User{{Glob: "agents/**"}}, "agents", false},
		{"include inside", []User{{Glob: "agents/main/**", Include: true}}, "agents", true},
		{"include of a sibling", []User{{Glob: "agents/main/**", Include: true}}, "agents/ops", false},
		{"include of the directory's own file", []User{{Glob: "logs/gateway.log", Include: true}}, "logs", true},
		{"include starting with a wildcard", []User{{Glob: "**/*.keep", Include: true}}, "logs", true},
		{"include of a name sharing the prefix", []User{{Glob: "logsarchive/**", Include: true}}, "logs", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.MayIncludeBelow(tt.dir); got != tt.want {
				t.Errorf("MayIncludeBelow(%q) = %v, want %v", tt.dir, got, tt.want)
			}
		})
	}
}

func TestSet_MatchWithin(t *testing.T) {
	s, err := New([]User{{Glob: "agents/**"}, {Glob: "agents/main/**", Include: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rel, within, rule string
		out               bool
	}{
		{"agents/main/a.json", "--exclude agents/**", "", false},
		{"agents/ops/c.json", "--exclude agents/**", "--exclude agents/**", true},
		{"agents/x.pid", "--exclude agents/**", "--exclude agents/**", true},
		{"other.txt", "", "", false},
	} {
		rule, out := s.MatchWithin(tt.rel, false, false, tt.within)
		if rule != tt.rule || out != tt.out {
			t.Errorf("MatchWithin(%q, within %q) = %q, %v; want %q, %v",
				tt.rel, tt.within, rule, out, tt.rule, tt.out)
		}
	}
}
