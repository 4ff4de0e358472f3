package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// Kind is the type of thing found at a path.
type Kind int

// The kinds a capture can return.
// Gone, the zero value, means nothing is to be archived.
const (
	Gone Kind = iota
	Regular
	Symlink
	Dir
	Special
	// Diverted is a regular file whose first bytes Config.Divert claimed:
	// nothing was read past them, and the caller captures it otherwise.
	Diverted
)

// Verdicts name what happened to a file that was not captured cleanly.
const (
	Clean      = ""
	Grew       = "grew"
	Retried    = "changed-retried"
	Unstable   = "still-changing"
	Vanished   = "vanished"
	Unreadable = "unreadable"
	Replaced   = "replaced"
	Skipped    = "special"
)

// Config tunes a capture. The zero value of every field has a default.
type Config struct {
	// MemLimit is the largest file held in memory; larger ones are spooled.
	MemLimit int64
	// SpoolDir holds spooled files; it must lie outside every backed-up
	// path. Empty means os.TempDir().
	SpoolDir string
	// Attempts bounds the reads of one changing file.
	Attempts int
	// Backoff is the pause before each retry; the last value repeats.
	Backoff []time.Duration
	// Budget bounds the time all captures of a run spend waiting to retry.
	// Nil means no bound.
	Budget *Budget
	// LineOriented reports whether a grown file is cut at its last
	// newline. Nil means never.
	LineOriented func(path string) bool

	// Divert, if set, sees the first DivertLen bytes of every regular file
	// at least that long, read through the descriptor that captures it;
	// when it returns true the file is closed unread and returned as
	// Diverted. It is how a caller recognises files by their content (a
	// SQLite header) without opening each file twice.
	Divert    func(head []byte) bool
	DivertLen int

	// afterRead, in tests, runs between the read and the check after it;
	// beforeOpen runs between the lstat and the open.
	afterRead  func(f *os.File)
	beforeOpen func(path string)
}

func (c *Config) attempts() int {
	if c.Attempts <= 0 {
		return 5
	}
	return c.Attempts
}

func (c *Config) backoff(retry int) time.Duration {
	b := c.Backoff
	if len(b) == 0 {
		b = []time.Duration{10 * time.Millisecond, 50 * time.Millisecond,
			200 * time.Millisecond, 500 * time.Millisecond}
	}
	if retry >= len(b) {
		retry = len(b) - 1
	}
	return b[retry]
}

func (c *Config) memLimit() int64 {
	if c.MemLimit <= 0 {
		return 4 << 20
	}
	return c.MemLimit
}

// Budget is the retry time a run may spend, shared by concurrent captures.
type Budget struct {
	mu   sync.Mutex
	left time.Duration
}

// NewBudget returns a budget of d.
func NewBudget(d time.Duration) *Budget { return &Budget{left: d} }

// spend takes d from the budget and reports whether it was there.
func (b *Budget) spend(d time.Duration) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left < d {
		return false
	}
	b.left -= d
	return true
}

// Result is what a capture found. Close releases its spool file.
type Result struct {
	Kind     Kind
	Mode     fs.FileMode // permission and type bits from lstat
	ModTime  time.Time
	Size     int64 // bytes of content kept
	Linkname string

	// Verdict is Clean unless something happened; Detail says what, and
	// Err holds the error of an Unreadable file.
	Verdict  string
	Detail   string
	Err      error
	Attempts int

	// SQLite is "snapshot" for a database archived as an online-backup
	// snapshot, "opaque" for one archived as it is on disk, and empty for
	// every other file. Inconsistent marks a copy that may be inconsistent
	// although its verdict alone does not say so.
	SQLite       string
	Inconsistent bool

	data  []byte
	spool *os.File
}

// Spooled returns the Result of a regular file whose content is the first
// size bytes of f, which the Result then owns and closes.
func Spooled(f *os.File, size int64, mode fs.FileMode, mtime time.Time) *Result {
	return &Result{Kind: Regular, Mode: mode, ModTime: mtime, Size: size,
		Attempts: 1, spool: f}
}

// Content returns the kept bytes of a regular file.
func (r *Result) Content() io.Reader {
	if r.spool != nil {
		return io.NewSectionReader(r.spool, 0, r.Size)
	}
	return bytes.NewReader(r.data[:r.Size])
}

// InMemory reports whether the content is held in memory, and how much of
// it was reserved.
func (r *Result) InMemory() (bool, int64) {
	return r.spool == nil && r.Kind == Regular, int64(cap(r.data))
}

// Close removes the spool file, if any.
func (r *Result) Close() error {
	r.data = nil
	if r.spool == nil {
		return nil
	}
	err := r.spool.Close()
	r.spool = nil
	return err
}

// Reserve asks for n bytes of memory to hold a file's content; it reports
// whether they were granted. File calls it once an attempt knows the file's
// size, with n = 0 when the content is too large for memory and will be
// spooled. Granted bytes are the caller's to account for: File does not
// return them.
type Reserve func(n int64) bool

// File captures the entry at path, an absolute path with no symbolic link
// among its directories. reserve may be nil, meaning memory is never
// reserved and every file is spooled. File never fails: problems are
// reported in the Result.
func File(ctx context.Context, path string, cfg *Config, reserve Reserve) *Result {
	if reserve == nil {
		reserve = func(int64) bool { return false }
	}
	var last *Result
	for attempt := 1; ; attempt++ {
		r, changed := once(path, cfg, reserve, last)
		r.Attempts = attempt
		if !changed {
			if attempt > 1 && r.Verdict == Clean {
				r.Verdict = Retried
				r.Detail = fmt.Sprintf("changed while read; stable on attempt %d", attempt)
			}
			return r
		}
		last = r
		if attempt >= cfg.attempts() {
			r.Verdict = Unstable
			r.Detail = fmt.Sprintf("still changing after %d reads: %s", attempt, r.Detail)
			return r
		}
		wait := cfg.backoff(attempt - 1)
		if !cfg.Budget.spend(wait) {
			r.Verdict = Unstable
			r.Detail = fmt.Sprintf("still changing after %d reads (retry budget spent): %s",
				attempt, r.Detail)
			return r
		}
		select {
		case <-ctx.Done():
			r.Verdict = Unstable
			r.Detail = "interrupted while waiting to read again"
			return r
		case <-time.After(wait):
		}
	}
}

// isGone reports whether err means the path no longer exists as listed.
func isGone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir)
}

func hasSuffixFold(name string, exts ...string) bool {
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}

// LineOriented is the default test for files cut at their last newline when
// they grew: JSON Lines, NDJSON and logs.
func LineOriented(path string) bool {
	return hasSuffixFold(path, ".jsonl", ".ndjson", ".log")
}
