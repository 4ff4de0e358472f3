package backup

import (
	"archive/tar"
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/internal/fixture"
	"github.com/clawback/clawback/plan"
)

// churnRuns is how many backups TestCreate_UnderChurn makes per seed;
// CLAWBACK_CHURN_RUNS raises it for a longer run.
func churnRuns(t testing.TB) int {
	if s := os.Getenv("CLAWBACK_CHURN_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("CLAWBACK_CHURN_RUNS=%q is not a positive number", s)
		}
		return n
	}
	return 12
}

// TestCreate_UnderChurn backs up a state directory many times while a
// writer appends to transcripts (sometimes half a line at a time), creates
// and deletes them, rewrites workspace files in place and by rename, and
// truncates a log. Every line the writer writes carries its own checksum
// and sequence number, so a torn, padded or mixed capture is detectable.
func TestCreate_UnderChurn(t *testing.T) {
	seeds := []uint64{1, rand.Uint64()}
	for _, seed := range seeds {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			churnOnce(t, seed, churnRuns(t))
		})
	}
}

func churnOnce(t *testing.T, seed uint64, runs int) {
	home := t.TempDir()
	if err := fixture.MakeState(home, fixture.StateOptions{Sessions: 6, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(home, ".openclaw")
	// Make the workspace documents self-checking from the start.
	docs, _ := filepath.Glob(filepath.Join(state, "workspace", "*.md"))
	for i, d := range docs {
		line := fixture.Line(fixture.Record{Seq: int64(i + 1), Text: "start"})
		if err := os.WriteFile(d, line, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	churned := make(chan fixture.ChurnStats, 1)
	go func() {
		st, _ := fixture.Churn(ctx, state, fixture.ChurnOptions{Seed: seed, Rate: 3000})
		churned <- st
	}()
	defer func() {
		cancel()
		st := <-churned
		t.Logf("seed %d: %d backups under %d changes (%+v)", seed, runs, st.Ops(), st)
	}()

	env := plan.Env{Getenv: func(k string) string {
		if k == "HOME" {
			return home
		}
		return ""
	}, Home: home, Cwd: home}
	for run := range runs {
		out := filepath.Join(t.TempDir(), "backup.tar.gz")
		p, err := plan.Make(env, plan.Options{IncludeWorkspace: true,
			Output: out, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		before := regularFiles(t, state)
		res, err := Create(context.Background(), p, Options{
			Readers: 4, MemLimit: 8 << 10, Verify: true, RetryBudget: 10 * time.Second,
			Backoff: []time.Duration{time.Millisecond, 3 * time.Millisecond}})
		if err != nil {
			t.Fatalf("seed %d run %d: %v", seed, run, err)
		}
		after := regularFiles(t, state)
		checkChurnArchive(t, seed, run, p, res, out, before, after)
	}
}

// regularFiles lists the regular files below dir.
func regularFiles(t testing.TB, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out[p] = true
		}
		return nil
	})
	return out
}

func checkChurnArchive(t *testing.T, seed uint64, run int, p *plan.Plan, res *Result,
	out string, before, after map[string]bool) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d run %d: "+format, append([]any{seed, run}, args...)...)
	}
	verdict := map[string]string{}
	for _, f := range res.Files {
		verdict[f.Path] = f.Verdict
	}
	excluded := map[string]bool{}
	for _, e := range res.Excluded {
		excluded[e.Path] = true
	}
	prefix := p.ArchiveRoot + "/payload/"
	archived := map[string]bool{}
	for _, m := range readArchive(t, out) {
		if m.Type != tar.TypeReg || !strings.HasPrefix(m.Name, prefix) {
			continue
		}
		src, ok := archive.DecodePath(strings.TrimPrefix(m.Name, prefix))
		if !ok {
			fail("undecodable member %s", m.Name)
		}
		archived[src] = true
		if !selfChecking(src) {
			continue
		}
		lines, tail, err := fixture.CheckLines([]byte(m.Data))
		if err != nil {
			fail("%s (%s) is torn: %v", src, verdict[src], err)
		}
		// Only line-oriented files are cut at a newline: a document caught
		// in the middle of a rewrite keeps the bytes it had when opened.
		if tail > 0 && verdict[src] == capture.Grew && capture.LineOriented(src) {
			fail("%s grew but was kept with half a line (%d lines)", src, lines)
		}
	}

	// A file there before and after the run is archived, or reported with
	// a verdict, or left out by a rule.
	pruned := func(f string) bool {
		for _, d := range p.Prune {
			if archive.Within(f, d) {
				return true
			}
		}
		return false
	}
	for f := range before {
		if after[f] && !archived[f] && verdict[f] == "" && !excluded[f] && !pruned(f) {
			fail("%s existed throughout but is neither archived nor reported", f)
		}
	}
	incomplete := res.Verdicts[capture.Unstable]+res.Verdicts[capture.Unreadable] > 0
	if res.Incomplete != incomplete {
		fail("incomplete=%v with verdicts %v", res.Incomplete, res.Verdicts)
	}
	if !res.Verified {
		fail("archive was not verified")
	}
}

// selfChecking reports whether the churn writer owns src: the transcripts
// and the documents directly in the workspace.
func selfChecking(src string) bool {
	dir := filepath.Base(filepath.Dir(src))
	return dir == "sessions" && strings.HasSuffix(src, ".jsonl") ||
		dir == "workspace" && (strings.HasSuffix(src, ".md") ||
			strings.HasSuffix(src, ".md.churn"))
}
