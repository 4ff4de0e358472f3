package manifest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() *Manifest {
	return &Manifest{
		SchemaVersion:  1,
		CreatedAt:      "2026-12-03T18:52:59.476Z",
		ArchiveRoot:    "2026-12-03T18-52-59.476Z-openclaw-backup",
		RuntimeVersion: "clawback 0.1.0",
		Platform:       "linux",
		Options:        Options{IncludeWorkspace: true},
		Paths: Paths{StateDir: "/home/u/.openclaw", ConfigPath: "/home/u/.openclaw/openclaw.json",
			OAuthDir: "/home/u/.openclaw/credentials", WorkspaceDirs: []string{"/home/u/ws"},
			AgentRoots: []AgentRoot{{AgentID: "main", SourcePath: "/home/u/.openclaw/agents/main"}}},
		Assets: []Asset{{Kind: "state", SourcePath: "/home/u/.openclaw",
			ArchivePath: "2026-12-03T18-52-59.476Z-openclaw-backup/payload/posix/home/u/.openclaw"}},
		ExternalSymbolicLinks: []ExternalLink{{EntryPath: "r/payload/posix/x", Linkpath: "/etc"}},
		Clawback: &Clawback{Version: "0.1.0",
			Checksums: &Member{Path: "checksums.sha256", SHA256: strings.Repeat("ab", 32)},
			Files:     Counts{Regular: 3, Dirs: 2, Bytes: 10},
			Verdicts:  map[string]int{"grew": 1}},
	}
}

func TestMarshalParse_roundTrip(t *testing.T) {
	m := sample()
	data, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(data), "}\n") || !strings.Contains(string(data), "\n  \"createdAt\"") {
		t.Errorf("not two-space indented with a final newline:\n%s", data)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	m.Skipped = nil // Marshal writes [], Parse reads it back as empty
	got.Skipped = nil
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestMarshal_keyOrder checks that the keys come in the order OpenClaw
// 2026.9.6 writes them, and that empty lists are arrays, not null.
func TestMarshal_keyOrder(t *testing.T) {
	data, err := Marshal(&Manifest{SchemaVersion: 1, CreatedAt: "c", ArchiveRoot: "r"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	last := -1
	for _, k := range []string{"schemaVersion", "createdAt", "archiveRoot", "options",
		"paths", "assets", "skipped", "externalSymbolicLinks"} {
		i := strings.Index(s, `"`+k+`"`)
		if i < last {
			t.Errorf("key %s out of order in\n%s", k, s)
		}
		last = i
	}
	for _, k := range []string{`"assets": []`, `"skipped": []`, `"externalSymbolicLinks": []`} {
		if !strings.Contains(s, k) {
			t.Errorf("missing %s in\n%s", k, s)
		}
	}
	if strings.Contains(s, "clawback") {
		t.Errorf("empty clawback section written:\n%s", s)
	}
}

func TestParse_errors(t *testing.T) {
	for _, tc := range []struct{ data, msg string }{
		{`not json`, "Backup manifest is not valid JSON."},
		{`{} {}`, "Backup manifest is not valid JSON."},
		{`[]`, "Backup manifest must be an object."},
		{`{"schemaVersion": 2}`, "Unsupported backup manifest schemaVersion: 2"},
		{`{"schemaVersion": "1"}`, "Unsupported backup manifest schemaVersion: 1"},
		{`{"schemaVersion": 1, "createdAt": "c"}`, "Backup manifest is missing archiveRoot."},
		{`{"schemaVersion": 1, "archiveRoot": " "}`, "Backup manifest is missing archiveRoot."},
		{`{"schemaVersion": 1, "archiveRoot": "r"}`, "Backup manifest is missing createdAt."},
		{`{"schemaVersion": 1, "archiveRoot": "r", "createdAt": "c"}`, "Backup manifest is missing assets."},
		{`{"schemaVersion": 1, "archiveRoot": "r", "createdAt": "c", "assets": [1]}`,
			"Backup manifest contains a non-object asset."},
		{`{"schemaVersion": 1, "archiveRoot": "r", "createdAt": "c", "assets": [{"kind": "state", "sourcePath": "/s"}]}`,
			"Backup manifest asset is missing archivePath."},
		{`{"schemaVersion": 1, "archiveRoot": "r", "createdAt": "c", "assets": [{"kind": "", "sourcePath": "/s", "archivePath": "a"}]}`,
			"Backup manifest asset is missing kind."},
		{"{" + strings.Repeat(" ", MaxSize) + "}", "Backup manifest exceeds 1048576 byte limit."},
	} {
		_, err := Parse([]byte(tc.data))
		var me *Error
		if !errors.As(err, &me) || me.Msg != tc.msg {
			t.Errorf("Parse(%.60q): %v, want %q", tc.data, err, tc.msg)
		}
	}
}

// TestParse_lenient checks that informational fields of the wrong type are
// ignored, as OpenClaw ignores them, and that a missing
// externalSymbolicLinks key is told apart from an empty list.
func TestParse_lenient(t *testing.T) {
	m, err := Parse([]byte(`{"schemaVersion": 1, "archiveRoot": "r", "createdAt": "c",
		"assets": [], "options": "yes", "skipped": 5, "platform": 7}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.HasExternalLinks() || m.Platform != "" || m.Options != (Options{}) {
		t.Errorf("lenient fields read as %+v", m)
	}
	m, err = Parse([]byte(`{"schemaVersion": 1, "archiveRoot": "r", "createdAt": "c",
		"assets": [], "externalSymbolicLinks": []}`))
	if err != nil || !m.HasExternalLinks() {
		t.Errorf("empty externalSymbolicLinks not recorded: %v", err)
	}
}
