package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		defaults string
		agents   []agent
	}{{
		name:   "no agents means main",
		text:   `{}`,
		agents: []agent{{id: "main"}},
	}, {
		name: "entries keep the key order of the file",
		text: `{agents: {entries: {
			zeta: {workspace: " /z "}, // "}" in a comment
			'alpha': {agentDir: '/a}'},
			"mid\u0064le": {default: true},
		}}}`,
		agents: []agent{
			{id: "zeta", workspace: "/z"},
			{id: "alpha", agentDir: "/a}"},
			{id: "middle", isDefault: true},
		},
	}, {
		name: "index-like keys come first, as in JavaScript",
		text: `{agents: {entries: {b: {}, "10": {}, a: {}, "2": {}, "01": {}}}}`,
		agents: []agent{
			{id: "2"}, {id: "10"}, {id: "b"}, {id: "a"}, {id: "01"},
		},
	}, {
		name: "a repeated key keeps its first place and last value",
		text: `{agents: {entries: {a: {workspace: "/1"}, b: {},
			a: {workspace: "/2"}}}}`,
		agents: []agent{{id: "a", workspace: "/2"}, {id: "b"}},
	}, {
		name: "entries come before list; list items need an object",
		text: `{agents: {
			defaults: {workspace: "~/ws"},
			list: [{id: "ops", workspace: "/ops"}, null, "x",
				{workspace: "/main"}, {id: "Ops"}],
			entries: {ops: {agentDir: "/o"}},
		}}`,
		defaults: "~/ws",
		agents: []agent{
			{id: "ops", agentDir: "/o"},
			{id: "main", workspace: "/main"},
		},
	}, {
		name: "values of other types are ignored",
		text: `{agents: {defaults: [], list: {}, entries: {a: 7,
			b: {workspace: 1, agentDir: null, default: "yes"}}}}`,
		agents: []agent{{id: "a"}, {id: "b"}},
	}, {
		name:   "a byte order mark is allowed",
		text:   "\ufeff{agents: {list: [{id: 'x'}]}}",
		agents: []agent{{id: "x"}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(c.text))
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if cfg.defaultsWorkspace != c.defaults {
				t.Errorf("defaults workspace %q, want %q",
					cfg.defaultsWorkspace, c.defaults)
			}
			if diff := cmp.Diff(c.agents, cfg.agents,
				cmp.AllowUnexported(agent{})); diff != "" {
				t.Errorf("agents (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigRejectsBadSyntax(t *testing.T) {
	for _, text := range []string{"", "{", "{a:1,,}", "{a: 'x}"} {
		if _, err := parseConfig([]byte(text)); err == nil {
			t.Errorf("parseConfig(%q) succeeded", text)
		}
	}
}

func TestWorkspaces(t *testing.T) {
	r := &resolver{getenv: func(string) string { return "" },
		cwd: "/cwd", home: "/home/u", label: "~"}
	cfg := &config{defaultsWorkspace: "~/shared", agents: []agent{
		{id: "ops"},
		{id: "main", isDefault: true},
		{id: "dev", workspace: "rel/dev"},
		{id: "qa", workspace: "~/shared"},
	}}
	want := []string{"/home/u/shared/ops", "/home/u/shared", "/cwd/rel/dev"}
	if got := r.workspaces(cfg, "/state"); !cmp.Equal(got, want) {
		t.Errorf("workspaces = %q, want %q", got, want)
	}

	cfg.defaultsWorkspace = ""
	want = []string{"/state/workspace-ops", "/home/u/.openclaw/workspace",
		"/cwd/rel/dev", "/home/u/shared"}
	if got := r.workspaces(cfg, "/state"); !cmp.Equal(got, want) {
		t.Errorf("without defaults, workspaces = %q, want %q", got, want)
	}
}

func TestNormalizeAgentID(t *testing.T) {
	long := strings.Repeat("x", 63)
	cases := []struct{ in, want string }{
		{"main", "main"},
		{"  Ops ", "ops"},
		{"Main Bot", "main-bot"},
		{"--x__y--", "x__y"},
		{`a/b\c`, "a-b-c"},
		{"", "main"},
		{"!!!", "main"},
		{"_lead", "_lead"},
		{"été", "t"},
		{"0123456789", "0123456789"},
		{long + " y", long + "-"}, // cut at 64, as OpenClaw cuts
	}
	for _, c := range cases {
		if got := normalizeAgentID(c.in); got != c.want {
			t.Errorf("normalizeAgentID(%q) = %q, want %q", c.in, got,
				c.want)
		}
	}
}

func TestLocaleCompare(t *testing.T) {
	// Each list is in the order JavaScript's localeCompare sorts it.
	ordered := [][]string{
		{"/s/agents/main/agent/tmp", "/s/tmp"},
		{"/a/_x", "/a/-x", "/a/.x", "/a/1", "/a/a", "/a/B", "/a/c"},
		{"/a/b", "/a/B", "/a/ba"},
		{"/a/z", "/a/é"},
	}
	for _, list := range ordered {
		for i := 0; i+1 < len(list); i++ {
			a, b := list[i], list[i+1]
			if localeCompare(a, b) >= 0 || localeCompare(b, a) <= 0 {
				t.Errorf("want %q before %q", a, b)
			}
		}
	}
	if localeCompare("/x", "/x") != 0 {
		t.Errorf("equal strings do not compare equal")
	}
}

func TestEffectiveHome(t *testing.T) {
	cases := []struct {
		vars        map[string]string
		osHome      string
		home, label string
	}{
		{vars: map[string]string{"HOME": " /h/ "}, home: "/h", label: "~"},
		{vars: map[string]string{"USERPROFILE": "/u"}, osHome: "/os",
			home: "/u", label: "~"},
		{osHome: "/os", home: "/os", label: "~"},
		{vars: map[string]string{"OPENCLAW_HOME": "~/oc", "HOME": "/h"},
			home: "/h/oc", label: "$OPENCLAW_HOME"},
		{vars: map[string]string{"OPENCLAW_HOME": "~"},
			home: "", label: "$OPENCLAW_HOME"},
		{vars: map[string]string{"OPENCLAW_HOME": "rel", "HOME": "/h"},
			home: "/cwd/rel", label: "$OPENCLAW_HOME"},
		{vars: map[string]string{"OPENCLAW_HOME": "undefined", "HOME": "/h"},
			home: "/h", label: "~"},
	}
	for _, c := range cases {
		r, err := newResolver(Env{
			Getenv: func(k string) string { return c.vars[k] },
			Home:   c.osHome,
			Cwd:    "/cwd",
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.home != c.home || r.label != c.label {
			t.Errorf("%v, OS home %q: home %q label %q, want %q %q",
				c.vars, c.osHome, r.home, r.label, c.home, c.label)
		}
	}
}

func TestUserPath(t *testing.T) {
	r := &resolver{cwd: "/cwd", home: "/h"}
	cases := map[string]string{
		" ~ ":      "/h",
		"~/a/../b": "/h/b",
		"~user/x":  "/cwd/~user/x",
		"rel/":     "/cwd/rel",
		"/abs//x/": "/abs/x",
		"  ":       "",
	}
	for in, want := range cases {
		if got := r.userPath(in); got != want {
			t.Errorf("userPath(%q) = %q, want %q", in, got, want)
		}
	}
	r.home = ""
	if got := r.userPath("~/x"); got != "/cwd/x" {
		t.Errorf("without a home, userPath(~/x) = %q, want /cwd/x", got)
	}
}
