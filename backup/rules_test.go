package backup

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/filter"
)

// TestCreate_IncludeBelowExcludedDirectory checks that an --include after
// an --exclude of a directory brings back what it matches below it, and
// only that: the last matching rule wins for every path, and what no rule
// includes again is counted under the directory's rule.
func TestCreate_IncludeBelowExcludedDirectory(t *testing.T) {
	tests := []struct {
		name  string
		rules []filter.User
		want  []string // archived regular files, relative to the source
		count map[string]int
	}{
		{"exclude alone prunes the directory",
			[]filter.User{{Glob: "agents/**"}},
			[]string{"keep.txt", "logs/gateway.log", "logs/other.log"},
			map[string]int{"--exclude agents/**": 1}},
		{"include a subtree again",
			[]filter.User{{Glob: "agents/**"}, {Glob: "agents/main/**", Include: true}},
			[]string{"agents/main/a.json", "agents/main/sub/b.json", "keep.txt",
				"logs/gateway.log", "logs/other.log"},
			map[string]int{"--exclude agents/**": 1}}, // agents/ops, whole
		{"include one file again",
			[]filter.User{{Glob: "logs/**"}, {Glob: "logs/gateway.log", Include: true}},
			[]string{"agents/main/a.json", "agents/main/sub/b.json",
				"agents/ops/c.json", "keep.txt", "logs/gateway.log"},
			map[string]int{"--exclude logs/**": 1}},
		{"an earlier include does not win",
			[]filter.User{{Glob: "logs/gateway.log", Include: true}, {Glob: "logs/**"}},
			[]string{"agents/main/a.json", "agents/main/sub/b.json",
				"agents/ops/c.json", "keep.txt"},
			map[string]int{"--exclude logs/**": 3}}, // both logs and their directory
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			src := filepath.Join(base, "src")
			for _, f := range []string{"keep.txt", "agents/main/a.json",
				"agents/main/sub/b.json", "agents/ops/c.json",
				"logs/gateway.log", "logs/other.log"} {
				mkfile(t, filepath.Join(src, f), f, 0o644)
			}
			res, members, prefix := createWithRules(t, src, tt.rules)
			var got []string
			for _, m := range members {
				if m.Type == tar.TypeReg && strings.HasPrefix(m.Name, prefix) {
					got = append(got, strings.TrimPrefix(m.Name, prefix))
				}
			}
			slices.Sort(got)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("archived files (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.count, res.Rules); d != "" {
				t.Errorf("rule counts (-want +got):\n%s", d)
			}
		})
	}
}

// TestCreate_ExcludedDirectoryStaysOutUnlessSomethingBelowComesBack checks
// that a left-out directory walked for an --include is archived only as the
// parent of what the include brings back: the left-out directories with
// nothing included below them stay out, and are counted under their rule.
func TestCreate_ExcludedDirectoryStaysOutUnlessSomethingBelowComesBack(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	for _, f := range []string{"agents/main/sessions/a.jsonl",
		"agents/ops/sessions/deep/b.jsonl", "secret/projects/x/c.txt",
		"secret/projects/y/notes.keep", "top.txt"} {
		mkfile(t, filepath.Join(src, f), f, 0o644)
	}
	if err := os.MkdirAll(filepath.Join(src, "agents/empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, members, prefix := createWithRules(t, src, []filter.User{{Glob: "agents/**"},
		{Glob: "agents/main/**", Include: true}, {Glob: "secret"},
		{Glob: "**/*.keep", Include: true}})
	var got []string
	for _, m := range members {
		if strings.HasPrefix(m.Name, prefix) && m.Name != prefix {
			got = append(got, strings.TrimPrefix(m.Name, prefix))
		}
	}
	want := []string{"agents/", "agents/main/", "agents/main/sessions/",
		"agents/main/sessions/a.jsonl", "secret/", "secret/projects/",
		"secret/projects/y/", "secret/projects/y/notes.keep", "top.txt"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("archived members (-want +got):\n%s", d)
	}
	// Every left-out directory is walked for *.keep: agents/empty, and
	// agents/ops with its two directories and one file, are left out one by
	// one, as are secret/projects/x and its file.
	wantCount := map[string]int{"--exclude agents/**": 5, "--exclude secret": 2}
	if d := cmp.Diff(wantCount, res.Rules); d != "" {
		t.Errorf("rule counts (-want +got):\n%s", d)
	}
}

// TestCreate_ProgressMovesWithinALargeFile checks that progress is
// reported while one large file is archived, not only after it, and that
// the last report counts every file and byte.
func TestCreate_ProgressMovesWithinALargeFile(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src")
	mkfile(t, filepath.Join(src, "big.bin"), strings.Repeat("0123456789abcdef", 1<<20), 0o644)
	mkfile(t, filepath.Join(src, "small.txt"), "small", 0o644)
	var seen []Progress
	res, err := Create(context.Background(), testPlan(t, filepath.Join(base, "out.tar.gz"), src),
		Options{Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	within := slices.IndexFunc(seen, func(p Progress) bool { return p.Files == 0 && p.Bytes > 0 })
	if within < 0 {
		t.Errorf("no progress while big.bin was archived: %+v", seen)
	}
	last := seen[len(seen)-1]
	if last.Files != 2 || last.Bytes != res.Counts.Bytes || last.Bytes != 16<<20+5 {
		t.Errorf("last progress %+v, want 2 files and %d bytes", last, 16<<20+5)
	}
}

// createWithRules backs up src with the user rules and returns the result,
// the archive's members and the prefix of the asset's members.
func createWithRules(t *testing.T, src string, user []filter.User) (*Result, []member, string) {
	t.Helper()
	rules, err := filter.New(user)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.tar.gz")
	p := testPlan(t, out, src)
	res, err := Create(context.Background(), p, Options{Rules: rules, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	return res, readArchive(t, out), p.Assets[0].ArchivePath + "/"
}
