package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/titanous/json5"
)

// defaultAgentID is the agent OpenClaw assumes when the config names none.
const defaultAgentID = "main"

// agent is one configured agent, with the raw strings of its config.
type agent struct {
	id        string
	workspace string // trimmed; "" when the config sets none
	agentDir  string // trimmed; "" when the config sets none
	isDefault bool
}

// config is the part of openclaw.json that planning needs.
type config struct {
	defaultsWorkspace string
	agents            []agent // never empty: "main" stands in for none
}

// readConfig loads the config at path. A missing file gives the empty
// config. A file that cannot be read or parsed gives issue, the problem in
// the words OpenClaw's config reader uses, and a nil config.
func readConfig(path string) (cfg *config, issue string) {
	if !exists(path) {
		return &config{agents: uniqueAgents(nil)}, ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "read failed: " + err.Error()
	}
	cfg, err = parseConfig(data)
	if err != nil {
		return nil, "JSON5 parse failed: " + err.Error()
	}
	return cfg, ""
}

var utf8BOM = []byte("\xef\xbb\xbf")

// parseConfig parses JSON5 config text. Only syntax is checked; values of
// unexpected types are ignored, as if they were absent.
func parseConfig(data []byte) (*config, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	var root any
	if err := json5.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	agents, _ := object(root)["agents"].(map[string]any)
	cfg := &config{
		defaultsWorkspace: stringField(object(agents["defaults"]),
			"workspace"),
	}

	// The agents of agents.entries (2026.9) come first, in the key order
	// of the file, which a Go map loses: the raw object text gives it.
	if entries, ok := agents["entries"].(map[string]any); ok {
		var raw struct {
			Agents struct {
				Entries json5.RawMessage `json:"entries"`
			} `json:"agents"`
		}
		_ = json5.Unmarshal(data, &raw)
		for _, key := range orderedKeys(raw.Agents.Entries, entries) {
			cfg.agents = append(cfg.agents,
				agentFrom(normalizeAgentID(key), object(entries[key])))
		}
	}

	// Then those of agents.list (2026.4); an id found in both keeps its
	// entries form.
	list, _ := agents["list"].([]any)
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		id, _ := m["id"].(string)
		cfg.agents = append(cfg.agents, agentFrom(normalizeAgentID(id), m))
	}
	cfg.agents = uniqueAgents(cfg.agents)
	return cfg, nil
}

func agentFrom(id string, m map[string]any) agent {
	isDefault, _ := m["default"].(bool)
	return agent{
		id:        id,
		workspace: stringField(m, "workspace"),
		agentDir:  stringField(m, "agentDir"),
		isDefault: isDefault,
	}
}

// uniqueAgents drops repeated ids (the first wins) and stands in the
// default agent for an empty list, as OpenClaw lists agent ids.
func uniqueAgents(agents []agent) []agent {
	seen := make(map[string]bool)
	var out []agent
	for _, a := range agents {
		if a.id == "" || seen[a.id] {
			continue
		}
		seen[a.id] = true
		out = append(out, a)
	}
	if len(out) == 0 {
		out = []agent{{id: defaultAgentID}}
	}
	return out
}

// defaultAgent is the id of the first agent marked default, else of the
// first agent.
func (c *config) defaultAgent() string {
	for _, a := range c.agents {
		if a.isDefault {
			return a.id
		}
	}
	return c.agents[0].id
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func stringField(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return strings.TrimSpace(s)
}

var (
	validAgentID   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	invalidIDChars = regexp.MustCompile(`[^a-z0-9_-]+`)
)

// normalizeAgentID maps a configured id to the directory-safe id OpenClaw
// uses: lower case, other characters collapsed to "-", at most 64
// characters, "main" when nothing is left.
func normalizeAgentID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return defaultAgentID
	}
	if validAgentID.MatchString(id) {
		return id
	}
	id = invalidIDChars.ReplaceAllString(id, "-")
	id = strings.Trim(id, "-")
	if len(id) > 64 {
		id = id[:64]
	}
	if id == "" {
		return defaultAgentID
	}
	return id
}

// workspaces lists each agent's workspace, without repeats, in agent
// order. An agent without one uses agents.defaults.workspace (the default
// agent) or a directory below it named for the agent; without that, the
// default workspace or <state>/workspace-<id>.
func (r *resolver) workspaces(cfg *config, state string) []string {
	defaultID := cfg.defaultAgent()
	var out []string
	seen := make(map[string]bool)
	for _, a := range cfg.agents {
		var dir string
		switch {
		case a.workspace != "":
			dir = r.userPath(a.workspace)
		case a.id == defaultID && cfg.defaultsWorkspace != "":
			dir = r.userPath(cfg.defaultsWorkspace)
		case a.id == defaultID:
			dir = r.defaultWorkspace(state)
		case cfg.defaultsWorkspace != "":
			dir = filepath.Join(r.userPath(cfg.defaultsWorkspace), a.id)
		default:
			dir = filepath.Join(state, "workspace-"+a.id)
		}
		if !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	return out
}

// agentDir is the configured agentDir, else <state>/agents/<id>/agent.
func (r *resolver) agentDir(a agent, state string) string {
	if a.agentDir != "" {
		return r.userPath(a.agentDir)
	}
	return defaultAgentDir(state, a.id)
}

func defaultAgentDir(state, id string) string {
	return filepath.Join(state, "agents", id, "agent")
}
