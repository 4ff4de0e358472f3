package interop

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSQLite_baselineBothVerify backs up the state that `openclaw setup
// --baseline` makes, with its state/openclaw.sqlite, and has both tools
// verify the archive. The database is archived as a checked snapshot, its
// directory is left as it was, and OpenClaw's verifier (header, page
// layout, integrity_check, foreign keys, schema_meta role) accepts it.
func TestSQLite_baselineBothVerify(t *testing.T) {
	requireTools(t)
	home := t.TempDir()
	if r := oc(t, home, home, "setup", "--baseline"); r.code != 0 {
		t.Fatalf("openclaw setup --baseline:\n%s", r)
	}
	dbDir := filepath.Join(home, ".openclaw", "state")
	before := dirNames(t, dbDir)
	if !slices.Contains(before, "openclaw.sqlite") {
		t.Fatalf("setup made no state/openclaw.sqlite: %v", before)
	}

	out := t.TempDir()
	a := filepath.Join(out, "a.tar.gz")
	env := append(baseEnv(), "HOME="+home,
		"OPENCLAW_STATE_DIR="+filepath.Join(home, ".openclaw"),
		"OPENCLAW_CONFIG_PATH="+filepath.Join(home, ".openclaw", "openclaw.json"))
	r := run(t, env, out, clawback, "create", "--verify", "--output", a)
	if r.code != 0 {
		t.Fatalf("clawback create --verify:\n%s", r)
	}
	if !strings.Contains(r.stdout, "openclaw.sqlite: online backup") {
		t.Errorf("create did not report a snapshot:\n%s", r)
	}
	if d := cmp.Diff(before, dirNames(t, dbDir)); d != "" {
		t.Errorf("database directory changed (-before +after):\n%s", d)
	}

	ocv := decodeVerified(t, "openclaw",
		oc(t, t.TempDir(), out, "backup", "verify", "--json", a))
	cbv := decodeVerified(t, "clawback",
		run(t, env, out, clawback, "verify", a, "--json"))
	if d := cmp.Diff(ocv, cbv); d != "" {
		t.Errorf("verify results differ (-openclaw +clawback):\n%s", d)
	}
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
