package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/filter"
	"github.com/clawback/clawback/manifest"
	"github.com/clawback/clawback/plan"
	"github.com/clawback/clawback/publish"
	"github.com/clawback/clawback/snapshot"
	"github.com/clawback/clawback/verify"
)

// RecordName is the capture record member, relative to the archive root.
const RecordName = "capture-record.jsonl"

// Options tunes Create. The zero value is usable.
type Options struct {
	Compression archive.Compression
	Level       int
	// Jobs is the number of compressor threads; 0 means one per core.
	Jobs int
	// Rules are the exclusion rules; nil means the built-in ones only.
	Rules *filter.Set
	// Verify checks the finished archive before it is published.
	Verify bool
	// Version is written to the manifest as runtimeVersion.
	Version string
	// Progress, if set, is called from the writer after each member.
	Progress func(Progress)

	// MemWindow bounds file content held in memory (default 16 MiB);
	// MemLimit is the largest file held in memory rather than spooled.
	// Readers is the number of concurrent file readers.
	MemWindow, MemLimit int64
	Readers             int
	// RetryBudget bounds the time spent waiting to re-read changing files.
	RetryBudget time.Duration
	// SQLite tunes database snapshots; its TempDir is always the spool
	// directory.
	SQLite snapshot.Options
	// Capture overrides retry attempts and backoff, for tests.
	Attempts int
	Backoff  []time.Duration
}

// Progress is a running count of what has been archived.
type Progress struct {
	Files int64
	Bytes int64
}

// Create writes the archive that p describes to p.OutputPath. On success the
// archive is published; on error nothing is left at the output path and no
// temporary file remains. A Result with Incomplete set is a success whose
// archive lacks a consistent copy of some file.
func Create(ctx context.Context, p *plan.Plan, o Options) (*Result, error) {
	if o.Rules == nil {
		o.Rules, _ = filter.New(nil)
	}
	spoolDir, err := spoolDir(p)
	if err != nil {
		return nil, err
	}
	tmp, err := publish.Create(p.OutputPath)
	if err != nil {
		return nil, err
	}
	defer tmp.Abort()

	res, err := write(ctx, p, o, tmp.File(), spoolDir)
	if err != nil {
		return nil, err
	}
	if o.Verify {
		if _, err := verify.Archive(ctx, tmp.File().Name(), verify.Options{TempDir: spoolDir}); err != nil {
			return nil, fmt.Errorf("verify archive before publishing: %w", err)
		}
		res.Verified = true
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := tmp.Commit(); err != nil {
		if errors.Is(err, publish.ErrExists) {
			return nil, &plan.Error{Err: plan.ErrOutputExists,
				Msg: "Refusing to overwrite existing backup archive: " + p.OutputPath}
		}
		return nil, err
	}
	return res, nil
}

// spoolDir picks the directory for spooled content: the system's temporary
// directory unless it lies inside an asset, else the output's directory. A
// relative or missing candidate is judged by where it would be made, and
// the directory returned is absolute.
func spoolDir(p *plan.Plan) (string, error) {
	candidates := []string{os.TempDir(), filepath.Dir(p.OutputPath)}
	for _, c := range candidates {
		abs, err := filepath.Abs(c)
		if err != nil || p.Covering(abs) != nil {
			continue
		}
		if err := os.MkdirAll(abs, 0o700); err == nil {
			return abs, nil
		}
	}
	return "", fmt.Errorf("choose a temporary directory: %s and %s both lie inside a backed-up path; set TMPDIR elsewhere",
		candidates[0], candidates[1])
}

// write runs the pipeline into f.
func write(ctx context.Context, p *plan.Plan, o Options, f *os.File, spool string) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cfg := &capture.Config{
		MemLimit:     orDefault(o.MemLimit, 4<<20),
		SpoolDir:     spool,
		Attempts:     o.Attempts,
		Backoff:      o.Backoff,
		Budget:       capture.NewBudget(orDefaultDur(o.RetryBudget, 30*time.Second)),
		LineOriented: capture.LineOriented,
		Divert:       snapshot.IsDatabase,
		DivertLen:    len(snapshot.Magic),
	}
	sq := o.SQLite
	sq.TempDir = spool
	win := newWindow(ctx, max(orDefault(o.MemWindow, 16<<20), cfg.MemLimit))
	readers := o.Readers
	if readers <= 0 {
		readers = max(4, runtime.NumCPU())
	}

	ordered := make(chan *entry, 4096)
	jobs := make(chan *entry, 4096)
	w := &walker{ctx: ctx, prune: map[string]bool{}, rules: o.Rules,
		ordered: ordered, jobs: jobs, stats: walkStats{rules: map[string]int{}}}
	for _, pr := range p.Prune {
		w.prune[pr] = true
	}
	for _, a := range p.Assets {
		w.assets = append(w.assets, walkAsset{src: a.SourcePath,
			member: a.ArchivePath, isDir: a.IsDir,
			state: a.SourcePath == p.StateAsset && p.StateAsset != ""})
	}

	var wg sync.WaitGroup
	var walkErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		walkErr = w.run()
		if walkErr != nil {
			cancel()
		}
	}()
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range jobs {
				read(ctx, e, cfg, sq, win)
			}
		}()
	}

	aw, err := archive.NewWriter(f, archive.WriterOptions{
		Compression: o.Compression, Level: o.Level, Jobs: o.Jobs})
	if err != nil {
		cancel()
		wg.Wait()
		return nil, err
	}
	wr, err := newWriteState(p, o, aw, spool)
	if err != nil {
		cancel()
		wg.Wait()
		return nil, err
	}
	defer wr.close()
	loopErr := wr.consume(ctx, ordered, win)
	if loopErr != nil {
		cancel()
	}
	// Drain what the walker and readers still hold, so spools are closed.
	for e := range ordered {
		<-e.done
		if e.res != nil {
			e.res.Close()
		}
	}
	wg.Wait()
	switch {
	case walkErr != nil && !errors.Is(walkErr, context.Canceled):
		return nil, walkErr
	case loopErr != nil:
		return nil, loopErr
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	wr.stats = w.stats
	return wr.finish()
}

// read captures one entry, reserving memory in ticket order.
func read(ctx context.Context, e *entry, cfg *capture.Config,
	sq snapshot.Options, win *window) {
	defer close(e.done)
	took := false
	reserve := func(n int64) bool {
		if !took {
			took = true
			if !win.take(e.ticket, n) {
				return false
			}
			e.held += n
			return true
		}
		if win.tryTake(n) {
			e.held += n
			return true
		}
		return false
	}
	// A SQLite database is diverted by its header, through the descriptor
	// that would have read it, and snapshotted instead; that descriptor is
	// closed before any connection opens.
	e.res = capture.File(ctx, e.src, cfg, reserve)
	if e.res.Kind == capture.Diverted {
		e.res = captureDatabase(ctx, e.src, cfg, sq, reserve)
	}
	if !took {
		win.take(e.ticket, 0)
	}
}

func orDefault(v, d int64) int64 {
	if v > 0 {
		return v
	}
	return d
}

func orDefaultDur(v, d time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return d
}

// manifestOf builds the manifest of a finished archive.
func manifestOf(p *plan.Plan, version string) *manifest.Manifest {
	m := &manifest.Manifest{
		SchemaVersion:  manifest.SchemaVersion,
		CreatedAt:      p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		ArchiveRoot:    p.ArchiveRoot,
		RuntimeVersion: version,
		Platform:       runtime.GOOS,
		Options:        p.Options,
		Paths: manifest.Paths{
			StateDir:      p.StateDir,
			ConfigPath:    p.ConfigPath,
			OAuthDir:      p.OAuthDir,
			WorkspaceDirs: p.WorkspaceDirs,
			AgentRoots:    p.AgentRoots,
		},
	}
	for _, a := range p.Assets {
		m.Assets = append(m.Assets, manifest.Asset{Kind: a.Kind,
			SourcePath: a.SourcePath, ArchivePath: a.ArchivePath})
	}
	for _, s := range p.Skipped {
		m.Skipped = append(m.Skipped, manifest.Skipped{Kind: s.Kind,
			SourcePath: s.SourcePath, Reason: s.Reason, CoveredBy: s.CoveredBy})
	}
	return m
}
