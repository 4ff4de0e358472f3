package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clawback/clawback/internal/fixture"
)

// cmdTimeout bounds every command a test runs, so that nothing hangs.
const cmdTimeout = 3 * time.Minute

var (
	// clawback is the binary TestMain built, or "" with buildErr set.
	clawback string
	buildErr error
	// openclaw is the oc wrapper of scripts/install-openclaw.sh, or ""
	// with ocErr set.
	openclaw string
	ocErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // listing tests needs no binaries
	}
	dir, err := os.MkdirTemp("", "clawback-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clawback, buildErr = build(dir)
	openclaw, ocErr = findOpenClaw()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles cmd/clawback into dir and returns the binary's path.
func build(dir string) (string, error) {
	bin := filepath.Join(dir, "clawback")
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin,
		"github.com/clawback/clawback/cmd/clawback")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/clawback: %v\n%s", err, out)
	}
	return bin, nil
}

// findOpenClaw returns the oc wrapper named by CLAWBACK_OPENCLAW or, by
// default, the one scripts/install-openclaw.sh installs.
func findOpenClaw() (string, error) {
	oc := os.Getenv("CLAWBACK_OPENCLAW")
	if oc == "" {
		dir := os.Getenv("CLAWBACK_OPENCLAW_DIR")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			dir = filepath.Join(home, ".cache/clawback/openclaw")
		}
		oc = filepath.Join(dir, "oc")
	}
	info, err := os.Stat(oc)
	if err != nil {
		return "", err
	}
	if info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not executable", oc)
	}
	return oc, nil
}

// requireTools fails the test when the clawback binary or OpenClaw is
// missing: interop cannot be checked without both.
func requireTools(tb testing.TB) {
	tb.Helper()
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	if ocErr != nil {
		tb.Fatalf("OpenClaw 2026.9.6 is not installed (%v); run "+
			"scripts/install-openclaw.sh, or set CLAWBACK_OPENCLAW to "+
			"its oc wrapper", ocErr)
	}
}

// result is what a finished command left behind.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code,
		r.stdout, r.stderr)
}

// run runs name with args in dir with environment env and returns its
// exit code and output. A command that cannot start or outlives
// cmdTimeout fails the test.
func run(tb testing.TB, env []string, dir, name string,
	args ...string) result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, dir
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		tb.Fatalf("%s %s: no result after %v\n%s", filepath.Base(name),
			strings.Join(args, " "), cmdTimeout, r)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		tb.Fatalf("%s: %v", name, err)
	}
	return r
}

// baseEnv is the test's environment without the variables that select an
// OpenClaw home.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "HOME" && !strings.HasPrefix(k, "OPENCLAW_") {
			env = append(env, kv)
		}
	}
	return env
}

// clawbackEnv points clawback at the OpenClaw home home, the way the oc
// wrapper points OpenClaw at it.
func clawbackEnv(home string) []string {
	s := filepath.Join(home, fixture.StateDir)
	return append(baseEnv(), "HOME="+home, "OPENCLAW_STATE_DIR="+s,
		"OPENCLAW_CONFIG_PATH="+filepath.Join(s, "openclaw.json"))
}

// oc runs OpenClaw confined to the scratch home home.
func oc(tb testing.TB, home, dir string, args ...string) result {
	tb.Helper()
	env := append(os.Environ(), "OC_HOME="+home)
	return run(tb, env, dir, openclaw, args...)
}

// newState builds a fixture home with the given config style.
func newState(tb testing.TB, style string) string {
	tb.Helper()
	home := tb.TempDir()
	err := fixture.MakeState(home, fixture.StateOptions{ConfigStyle: style,
		Sessions: 4, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return home
}

// verified is the part of a `verify --json` result that clawback and
// OpenClaw must agree on.
type verified struct {
	OK           bool   `json:"ok"`
	ArchiveRoot  string `json:"archiveRoot"`
	AssetCount   int    `json:"assetCount"`
	EntryCount   int    `json:"entryCount"`
	SymlinkCount int    `json:"symlinkCount"`
}

// decodeVerified parses the JSON a successful `verify --json` printed.
func decodeVerified(tb testing.TB, who string, r result) verified {
	tb.Helper()
	if r.code != 0 {
		tb.Fatalf("%s verify --json failed:\n%s", who, r)
	}
	var v verified
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		tb.Fatalf("%s verify --json printed no JSON object: %v\n%s", who,
			err, r)
	}
	if !v.OK {
		tb.Fatalf("%s verify --json: ok is not true\n%s", who, r)
	}
	return v
}
