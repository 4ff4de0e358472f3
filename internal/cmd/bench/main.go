// Command bench measures clawback against tar on the seeded benchmark tree,
// in one run on one machine, and prints Markdown tables.
//
// Usage:
//
//	go run ./internal/cmd/bench [-work DIR] [-runs N] [-openclaw]
//		[-only main,files,memory] [-bin CLAWBACK] [-small]
//
// It builds clawback, generates the trees it needs under DIR (kept for the
// next run), warms the page cache, then runs each command -runs times and
// reports the median wall time, the CPU time and peak resident memory of
// that run, the archive size and the ratio of wall time to `tar czf`.
// Peak memory is the largest single process: for a pipeline such as
// `tar cf - | pigz`, the larger of the two.
//
// Sections:
//
//	main    the 20,005-file tree (530 MB): clawback create (gzip, zstd),
//	        clawback verify, and the same check done with standard tools
//	        on the same archive (tar -xzf, then sha256sum -c of its
//	        checksum list), tar czf, tar | pigz -p2, tar | zstd -T2, and
//	        with -openclaw the real `openclaw backup create` and verify
//
// -small runs the main section on a tree of about 210 files (4 MB), to
// check that the benchmark works in seconds; its numbers mean little.
//
//	files   100,000 empty files: files per second
//	memory  peak memory on one 2 GiB file and on 20,000 small files
//
// Disk: about 8 GiB under DIR with every section (the main tree 0.55 GB,
// 100,000 empty files about 0.4 GB of inodes and directories, the 2 GiB
// file, its spool copy and its archive, one archive at a time otherwise).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/internal/fixture"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type bench struct {
	small    bool
	work     string
	runs     int
	bin      string
	openclaw string
	log      io.Writer
	out      io.Writer
}

// measure is one timed run.
type measure struct {
	wall, cpu time.Duration
	rss       int64 // bytes
	size      int64 // archive bytes, 0 when none
}

// job is one command to time: a shell line run in dir with env added.
type job struct {
	name   string
	script string
	output string // archive the script writes, removed after each run
	env    []string
	// scratch is a directory the script creates, removed before each
	// run and after the last, outside the time measured.
	scratch string
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	work := fl.String("work", filepath.Join(os.TempDir(), "clawback-bench"),
		"directory for the trees, the binary and the archives")
	runs := fl.Int("runs", 3, "runs of each command")
	withOC := fl.Bool("openclaw", false,
		"also time the real OpenClaw (about a minute a run); see scripts/install-openclaw.sh")
	only := fl.String("only", "main,files,memory", "sections to run")
	bin := fl.String("bin", "", "clawback binary to time (default: build ./cmd/clawback)")
	small := fl.Bool("small", false, "run the main section on a tree of about 210 files, to check the benchmark quickly")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *runs < 1 || fl.NArg() != 0 {
		fmt.Fprintln(stderr, "bench: -runs must be at least 1 and no arguments are taken")
		return 2
	}
	b := &bench{small: *small, work: *work, runs: *runs, bin: *bin, log: stderr, out: stdout}
	if *small {
		*only = "main"
	}
	if *withOC {
		b.openclaw = os.Getenv("CLAWBACK_OPENCLAW")
		if b.openclaw == "" {
			home, _ := os.UserHomeDir()
			b.openclaw = filepath.Join(home, ".cache/clawback/openclaw/oc")
		}
		if _, err := os.Stat(b.openclaw); err != nil {
			fmt.Fprintf(stderr, "bench: OpenClaw is not installed at %s; run scripts/install-openclaw.sh or set CLAWBACK_OPENCLAW\n", b.openclaw)
			return 1
		}
	}
	for _, tool := range []string{"tar", "pigz", "zstd", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			fmt.Fprintf(stderr, "bench: %s is not installed (scripts/bench.sh installs pigz and zstd)\n", tool)
			return 1
		}
	}
	if err := b.setup(); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	sections := map[string]func() error{
		"main": b.mainTree, "files": b.manyFiles, "memory": b.memory,
	}
	of := fmt.Sprintf("median of %d runs", b.runs)
	if b.runs == 1 {
		of = "one run"
	}
	fmt.Fprintf(stdout, "clawback benchmark, %s, %d CPUs, %s/%s, %s\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.GOOS,
		runtime.GOARCH, of)
	if b.small {
		fmt.Fprintln(stdout, "(-small: a tree too small for the targets, which are not checked)")
	}
	for _, s := range strings.Split(*only, ",") {
		f, ok := sections[strings.TrimSpace(s)]
		if !ok {
			fmt.Fprintf(stderr, "bench: unknown section %q (want main, files or memory)\n", s)
			return 2
		}
		if err := f(); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
	}
	return 0
}

func (b *bench) setup() error {
	if err := os.MkdirAll(filepath.Join(b.work, "out"), 0o755); err != nil {
		return err
	}
	if b.bin != "" {
		abs, err := filepath.Abs(b.bin)
		b.bin = abs
		return err
	}
	b.bin = filepath.Join(b.work, "clawback")
	b.logf("building clawback")
	build := exec.Command("go", "build", "-o", b.bin, "./cmd/clawback")
	build.Stderr = b.log
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build (run from the repository root): %w", err)
	}
	return nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

// tree makes a tree once: build runs when dir has no ".complete" marker.
func (b *bench) tree(name string, build func(dir string) error) (string, error) {
	dir := filepath.Join(b.work, name)
	mark := filepath.Join(dir, ".complete")
	if _, err := os.Stat(mark); err == nil {
		return dir, nil
	}
	b.logf("generating %s", dir)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := build(dir); err != nil {
		return "", err
	}
	return dir, os.WriteFile(mark, nil, 0o644)
}

// warm reads every file once so that all tools start from a warm cache.
func (b *bench) warm(dir string) error {
	return b.sh(dir, nil, "tar cf - . | cat >/dev/null")
}

func (b *bench) sh(dir string, env []string, script string) error {
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = b.log
	return cmd.Run()
}

// time runs j b.runs times and returns the run with the median wall time.
func (b *bench) time(dir string, j job) (measure, error) {
	var all []measure
	for i := range b.runs {
		b.logf("%s (run %d of %d)", j.name, i+1, b.runs)
		if j.output != "" {
			os.Remove(j.output)
		}
		if j.scratch != "" {
			if err := os.RemoveAll(j.scratch); err != nil {
				return measure{}, err
			}
		}
		cmd := exec.Command("sh", "-c", j.script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), j.env...)
		var stderr strings.Builder
		cmd.Stdout = io.Discard
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 3) {
			return measure{}, fmt.Errorf("%s: %v\n%s", j.name, err, stderr.String())
		}
		// The shell's usage includes the children it waited for; ru_maxrss
		// is the largest of them, in KiB.
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		m := measure{wall: wall,
			cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
			rss: ru.Maxrss << 10}
		if j.output != "" {
			fi, err := os.Stat(j.output)
			if err != nil {
				return measure{}, fmt.Errorf("%s wrote no archive: %v", j.name, err)
			}
			m.size = fi.Size()
		}
		all = append(all, m)
	}
	if j.scratch != "" {
		os.RemoveAll(j.scratch)
	}
	slices.SortFunc(all, func(x, y measure) int { return int(x.wall - y.wall) })
	return all[len(all)/2], nil
}

type row struct {
	name string
	m    measure
}

// table prints rows with their ratio to the row named base, if any.
func (b *bench) table(title, base string, rows []row) {
	var ref measure
	for _, r := range rows {
		if r.name == base {
			ref = r.m
		}
	}
	fmt.Fprintf(b.out, "\n%s\n\n", title)
	fmt.Fprintln(b.out, "| command | wall | CPU | peak memory | archive | wall vs `tar czf` | size vs `tar czf` |")
	fmt.Fprintln(b.out, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		wr, sr := "", ""
		if ref.wall > 0 {
			wr = fmt.Sprintf("%.2f", r.m.wall.Seconds()/ref.wall.Seconds())
		}
		if ref.size > 0 && r.m.size > 0 {
			sr = fmt.Sprintf("%+.1f %%", 100*(float64(r.m.size)/float64(ref.size)-1))
		}
		size := ""
		if r.m.size > 0 {
			size = fmt.Sprintf("%.1f MB", float64(r.m.size)/1e6)
		}
		fmt.Fprintf(b.out, "| %s | %.2f s | %.2f s | %.0f MiB | %s | %s | %s |\n",
			r.name, r.m.wall.Seconds(), r.m.cpu.Seconds(),
			float64(r.m.rss)/(1<<20), size, wr, sr)
	}
}

func (b *bench) runAll(dir string, jobs []job) ([]row, error) {
	var rows []row
	for _, j := range jobs {
		m, err := b.time(dir, j)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{j.name, m})
	}
	return rows, nil
}

// mainTree times every tool on the 20,005-file OpenClaw tree.
func (b *bench) mainTree() error {
	name, opts := "tree", fixture.DefaultTree()
	title := "Benchmark tree: 20,005 files, 530 MB (19,800 JSONL transcripts, 100 random and 100 half-zero files), warm cache"
	if b.small {
		name, opts = "tree-small", fixture.TreeOptions{NText: 200, NRand: 2, NSemi: 2, Seed: 7}
		title = "Small tree: about 210 files, 4 MB (a check of the benchmark, not a measurement)"
	}
	home, err := b.tree(name, func(dir string) error {
		return fixture.MakeTree(dir, opts)
	})
	if err != nil {
		return err
	}
	if err := b.warm(home); err != nil {
		return err
	}
	out := filepath.Join(b.work, "out")
	gz := filepath.Join(out, "clawback.tar.gz")
	env := []string{"HOME=" + home}
	jobs := []job{
		{name: "`tar czf`", script: "tar czf " + q(filepath.Join(out, "tar.tar.gz")) + " .openclaw",
			output: filepath.Join(out, "tar.tar.gz")},
		{name: "`tar cf - | pigz -p2 -6`", script: "tar cf - .openclaw | pigz -p2 -6 > " + q(filepath.Join(out, "pigz.tar.gz")),
			output: filepath.Join(out, "pigz.tar.gz")},
		{name: "`tar cf - | zstd -T2 -3`", script: "tar cf - .openclaw | zstd -q -T2 -3 > " + q(filepath.Join(out, "tar.tar.zst")),
			output: filepath.Join(out, "tar.tar.zst")},
		{name: "`clawback create` (gzip)", script: q(b.bin) + " create --output " + q(gz),
			output: gz, env: env},
		{name: "`clawback create --compression zstd`", script: q(b.bin) + " create --compression zstd --output " + q(filepath.Join(out, "clawback.tar.zst")),
			output: filepath.Join(out, "clawback.tar.zst"), env: env},
	}
	rows, err := b.runAll(home, jobs)
	if err != nil {
		return err
	}
	// The gzip archive of the last run stays for verify.
	// The same check with standard tools: extract the same archive, then
	// check every payload file against its checksum list.
	x := filepath.Join(out, "extracted")
	more := []job{
		{name: "`clawback verify` (gzip)", script: q(b.bin) + " verify " + q(gz), env: env},
		{name: "`tar -xzf` + `sha256sum -c` (same archive)", scratch: x,
			script: "mkdir " + q(x) + " && tar -xzf " + q(gz) + " -C " + q(x) +
				" && cd " + q(x) + "/* && sha256sum -c --quiet --strict " +
				archive.ChecksumsName},
	}
	if b.openclaw != "" {
		oc := filepath.Join(out, "openclaw.tar.gz")
		ocEnv := []string{"OC_HOME=" + home, "HOME=" + home}
		more = append(more,
			job{name: "`openclaw backup create` 2026.9.6", script: q(b.openclaw) + " backup create --output " + q(oc),
				output: oc, env: ocEnv},
			job{name: "`openclaw backup verify` 2026.9.6", script: q(b.openclaw) + " backup verify " + q(oc),
				env: ocEnv})
	}
	extra, err := b.runAll(home, more)
	if err != nil {
		return err
	}
	rows = append(rows, extra...)
	b.table(title, "`tar czf`", rows)
	if !b.small {
		b.checkTargets(rows, "`tar czf`", treeTargets)
	}
	return nil
}

// manyFiles measures the per-file cost on 100,000 empty files.
func (b *bench) manyFiles() error {
	dir, err := b.tree("empty", func(dir string) error {
		for d := range 100 {
			sub := filepath.Join(dir, "src", fmt.Sprintf("d%03d", d))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
			for f := range 1000 {
				name := filepath.Join(sub, fmt.Sprintf("f%04d", f))
				if err := os.WriteFile(name, nil, 0o644); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := b.warm(dir); err != nil {
		return err
	}
	cb := filepath.Join(b.work, "out", "empty.tar.gz")
	tz := filepath.Join(b.work, "out", "empty-tar.tar.gz")
	rows, err := b.runAll(dir, []job{
		{name: "`tar czf`", script: "tar czf " + q(tz) + " src", output: tz},
		{name: "`clawback create --source`", script: q(b.bin) + " create --source src --output " + q(cb),
			output: cb, env: []string{"HOME=" + dir}},
	})
	if err != nil {
		return err
	}
	b.table("100,000 empty files in 100 directories", "`tar czf`", rows)
	fmt.Fprintln(b.out)
	for _, r := range rows {
		fmt.Fprintf(b.out, "- %s: %.0f files/s\n", r.name, 1e5/r.m.wall.Seconds())
	}
	b.checkTargets(rows, "`tar czf`", fileTargets)
	return nil
}

// memory measures peak memory on one 2 GiB file and on 20,000 small files.
func (b *bench) memory() error {
	big, err := b.tree("big", func(dir string) error {
		return bigFile(filepath.Join(dir, "src", "big.bin"), 2<<30)
	})
	if err != nil {
		return err
	}
	small, err := b.tree("small", func(dir string) error {
		return fixture.MakeTree(dir, fixture.TreeOptions{NText: 20000, Seed: 7})
	})
	if err != nil {
		return err
	}
	for _, c := range []struct{ title, dir, src string }{
		{"One 2 GiB file (half random, half zero blocks)", big, "src"},
		{"20,000 small JSONL files (1 to 80 KiB)", small, ".openclaw"},
	} {
		if err := b.warm(c.dir); err != nil {
			return err
		}
		gz := filepath.Join(b.work, "out", "mem.tar.gz")
		zs := filepath.Join(b.work, "out", "mem.tar.zst")
		env := []string{"HOME=" + c.dir}
		rows, err := b.runAll(c.dir, []job{
			{name: "`clawback create` (gzip)", script: q(b.bin) + " create --source " + q(c.src) + " --output " + q(gz),
				output: gz, env: env},
			{name: "`clawback create --compression zstd`", script: q(b.bin) + " create --compression zstd --source " + q(c.src) + " --output " + q(zs),
				output: zs, env: env},
			{name: "`clawback verify` (gzip)", script: q(b.bin) + " verify " + q(gz), env: env},
		})
		if err != nil {
			return err
		}
		os.Remove(gz)
		os.Remove(zs)
		b.table(c.title, "", rows)
	}
	return nil
}

// bigFile writes size bytes in 1 MiB blocks, alternately random and zero.
func bigFile(name string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	zero := make([]byte, 1<<20)
	for i := int64(0); i < size>>20; i++ {
		block := zero
		if i%2 == 0 {
			rng.Read(buf)
			block = buf
		}
		if _, err := f.Write(block); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// q quotes s for sh.
func q(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
