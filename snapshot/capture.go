package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/publish"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// racyWindow is how recent a modification time must be for a change in the
// same clock tick to go unseen; an idle database modified this recently is
// copied only after the clock has moved on.
const racyWindow = 20 * time.Millisecond

// Options tunes Capture and Check. The zero value of every field has a
// default.
type Options struct {
	// TempDir receives the snapshot while it is made and checked. It must
	// lie outside every backed-up path. Empty means os.TempDir().
	TempDir string
	// StepPages is the number of pages copied per backup step (default
	// 256). Between steps the source is not locked.
	StepPages int
	// Restarts is how often writers may restart the copy before the rest
	// is copied in one read transaction (default 3).
	Restarts int
	// Attempts bounds the copies of an idle database that changed while it
	// was copied (default 3).
	Attempts int
	// LockWait bounds the time spent waiting for a lock the application
	// holds (default 5 s).
	LockWait time.Duration
	// CheckTimeout bounds one quick_check (default 5 min); CacheKiB is the
	// page cache it may use (default 16 MiB).
	CheckTimeout time.Duration
	CacheKiB     int
}

func (o *Options) stepPages() int32 { return int32(orInt(o.StepPages, 256)) }
func (o *Options) restarts() int    { return orInt(o.Restarts, 3) }
func (o *Options) attempts() int    { return orInt(o.Attempts, 3) }

func (o *Options) lockWait() time.Duration {
	if o.LockWait > 0 {
		return o.LockWait
	}
	return 5 * time.Second
}

func orInt(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

// Snapshot is a consistent copy of a database in an unlinked temporary
// file. Close releases it.
type Snapshot struct {
	// File holds the snapshot; it is unlinked, so nothing is left behind
	// once it is closed.
	File *os.File
	Size int64
	// Mode and ModTime are the live database file's, as listed.
	Mode    fs.FileMode
	ModTime time.Time

	Pages    int  // pages copied
	Restarts int  // copies restarted by writers
	Held     bool // the copy finished in one held read transaction
	Idle     bool // nothing was pending in a -wal: read without locks
	Attempts int  // copies of an idle database
}

// Close closes the snapshot file.
func (s *Snapshot) Close() error {
	if s.File == nil {
		return nil
	}
	err := s.File.Close()
	s.File = nil
	return err
}

// Detail describes how the snapshot was made, for the capture record.
func (s *Snapshot) Detail() string {
	how := "online backup"
	switch {
	case s.Idle:
		how = "online backup of the idle database, read without locks"
	case s.Held:
		how = fmt.Sprintf("online backup, finished in one read transaction after %d restarts",
			s.Restarts)
	case s.Restarts > 0:
		how = fmt.Sprintf("online backup, restarted %d times by writers", s.Restarts)
	}
	return fmt.Sprintf("%s; %d pages; quick_check ok", how, s.Pages)
}

var ofdOnce sync.Once

// useOFD switches SQLite to open file description locks, so that closing
// any other descriptor of a database file in this process (one that read
// its header, say) cannot drop the locks of a connection to it. Where OFD
// locks are not available, clawback still closes every other descriptor
// before it connects.
func useOFD() {
	ofdOnce.Do(func() { sqlite.OFDLocking(true) })
}

// Capture makes a snapshot of the live database at src with SQLite's online
// backup API, checks it with PRAGMA quick_check and returns it. It never
// writes to src or creates a file next to it: it connects read-only, never
// checkpoints, and a WAL database without a -wal file (no connection is
// open) is read without locks, as immutable, and copied again if its
// status changed meanwhile. Writers that keep restarting the copy get a
// bounded number of restarts; then the rest is copied in one read
// transaction, which holds back a rollback-journal writer for as long as
// the copy takes and a WAL writer not at all.
//
// An error means no snapshot: the database could not be opened (locked,
// corrupt, not a database), did not pass quick_check, or ctx ended. No
// temporary file remains.
func Capture(ctx context.Context, src string, o Options) (*Snapshot, error) {
	useOFD()
	for attempt := 1; ; attempt++ {
		s, changed, err := captureOnce(ctx, src, o)
		if err != nil {
			return nil, err
		}
		if !changed {
			s.Attempts = attempt
			return s, nil
		}
		s.Close()
		if attempt >= o.attempts() {
			return nil, fmt.Errorf("copy database: changed on each of %d copies", attempt)
		}
	}
}

// captureOnce makes one snapshot. changed reports an idle database whose
// file changed while it was copied.
func captureOnce(ctx context.Context, src string, o Options) (s *Snapshot, changed bool, err error) {
	// The header is read, and its descriptor closed, before SQLite opens
	// the file: closing it later would drop the connection's POSIX locks.
	before, head, err := statHead(src)
	if err != nil {
		return nil, false, err
	}
	if !IsDatabase(head) {
		return nil, false, errors.New("open database: not a SQLite database")
	}
	// A WAL database is idle when nothing is pending in a -wal and no
	// connection keeps a -shm: no -wal at all, or an empty one without a
	// -shm (as a crash after a truncating checkpoint leaves it), which a
	// read-only connection could not open without creating the -shm.
	wal := isWAL(head)
	walSize, walThere := size(src + "-wal")
	shmThere := exists(src + "-shm")
	idle := wal && (!walThere || walSize == 0 && !shmThere)

	params := []string{"mode=ro"}
	switch {
	case idle:
		params = append(params, "immutable=1")
		if since := time.Since(before.ModTime()); since < racyWindow {
			time.Sleep(racyWindow - since)
		}
	case wal && !shmThere:
		params = append(params, "readonly_shm=1")
	}

	// The scratch file stays locked, through tmp, until it is removed, so
	// that a run killed meanwhile leaves it for the next run to sweep.
	// tmp is closed only once no connection to the file is open.
	tmp, err := publish.Scratch(o.TempDir, "sqlite")
	if err != nil {
		return nil, false, fmt.Errorf("create snapshot file: %w", err)
	}
	name := tmp.Name()
	defer func() {
		removeAll(name)
		tmp.Close()
	}()

	s = &Snapshot{Mode: before.Mode(), ModTime: before.ModTime(), Idle: idle}
	if beforeOpen != nil {
		beforeOpen()
	}
	if err := backup(ctx, URI(src, params...), name, before, o, s); err != nil {
		return nil, false, err
	}
	if idle {
		after, _, err := statHead(src)
		if err != nil {
			return nil, false, err
		}
		if !sameFile(before, after) {
			return s, true, nil
		}
	}

	if err := toRollback(name); err != nil {
		return nil, false, err
	}
	if err := Check(ctx, name, o); err != nil {
		return nil, false, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, false, fmt.Errorf("open snapshot file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("open snapshot file: %w", err)
	}
	s.File, s.Size = f, fi.Size()
	return s, false, nil
}

// beforeOpen, in tests, runs between the header read and SQLite's open.
var beforeOpen func()

// backup copies the database that srcURI names into the file dst. SQLite
// opens the file by name and follows symbolic links, so once it is open
// the file it holds must be the one listed, without links, as want.
func backup(ctx context.Context, srcURI, dst string, want fs.FileInfo,
	o Options, s *Snapshot) error {
	db, err := sql.Open("sqlite", srcURI)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open database: %w", explain(err))
	}
	defer conn.Close()
	if !holding(want) {
		return errors.New("open database: a symbolic link on its path " +
			"led to another file")
	}

	return conn.Raw(func(dc any) error {
		bk, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("open database: driver has no backup API")
		}
		b, err := bk.NewBackup(URI(dst, "_pragma=journal_mode(off)",
			"_pragma=synchronous(off)"))
		if err != nil {
			return fmt.Errorf("create snapshot: %w", err)
		}
		err = step(ctx, b, o, s)
		if ferr := b.Finish(); err == nil && ferr != nil {
			err = fmt.Errorf("copy database: %w", ferr)
		}
		return err
	})
}

// step runs the backup to its end: StepPages at a time, unlocked between
// steps, until writers have restarted it Restarts times, then the rest at
// once. A lock the application holds is waited for up to LockWait.
func step(ctx context.Context, b *sqlite.Backup, o Options, s *Snapshot) error {
	n := o.stepPages()
	deadline := time.Now().Add(o.lockWait())
	prev := -1
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		more, err := b.Step(n)
		if err != nil {
			if busy(err) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return fmt.Errorf("copy database: %w", explain(err))
		}
		s.Pages = b.PageCount()
		if !more {
			return nil
		}
		// A restart begins again at page 1, so fewer pages are done.
		rem := b.Remaining()
		if prev >= 0 && rem >= prev {
			s.Restarts++
			if s.Restarts >= o.restarts() {
				n, s.Held = -1, true
			}
		}
		prev = rem
	}
}

// busy reports whether err is SQLITE_BUSY or SQLITE_LOCKED.
func busy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// sqliteError is a SQLite error said in words a user can act on, keeping
// the driver's error for errors.As.
type sqliteError struct {
	text string
	err  error
}

func (e *sqliteError) Error() string { return e.text }
func (e *sqliteError) Unwrap() error { return e.err }

// explain rewords the SQLite errors a live database gives most often; the
// driver's own text ("not an error (5)") says little.
func explain(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	var text string
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		text = "locked by another process for longer than clawback waits " +
			"(an exclusive lock or a long write) (SQLITE_BUSY)"
	case sqlite3.SQLITE_CANTOPEN:
		text = "cannot be opened read-only; a WAL database whose -wal has " +
			"no -shm beside it, as a writer in exclusive locking mode " +
			"leaves it, cannot be read without changing it (SQLITE_CANTOPEN)"
	case sqlite3.SQLITE_NOTADB:
		text = "not readable as a database: encrypted or corrupt (SQLITE_NOTADB)"
	case sqlite3.SQLITE_CORRUPT:
		text = "the database is corrupt (SQLITE_CORRUPT)"
	default:
		return err
	}
	return &sqliteError{text: text, err: err}
}

// URI is the SQLite file URI of path with the given query parameters.
func URI(path string, params ...string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	u := "file:" + r.Replace(path)
	if len(params) > 0 {
		u += "?" + strings.Join(params, "&")
	}
	return u
}

// statHead opens path without following a symbolic link in any component,
// stats it and reads its first HeaderSize bytes through that one
// descriptor, which is closed before it returns.
func statHead(path string) (fs.FileInfo, []byte, error) {
	f, err := capture.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("open database %s: not a regular file", path)
	}
	h := make([]byte, HeaderSize)
	n, _ := f.ReadAt(h, 0)
	return fi, h[:n], nil
}

// sameFile reports whether two looks at a file saw the same version.
func sameFile(a, b fs.FileInfo) bool {
	sa, oka := a.Sys().(*syscall.Stat_t)
	sb, okb := b.Sys().(*syscall.Stat_t)
	if !oka || !okb {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino && sa.Size == sb.Size &&
		sa.Mtim == sb.Mtim && sa.Ctim == sb.Ctim
}

// size returns the size of the file at path and whether there is one.
func size(path string) (int64, bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, false
	}
	return fi.Size(), true
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// removeAll removes a snapshot file and any sidecar SQLite made for it.
func removeAll(name string) {
	os.Remove(name)
	for _, s := range Sidecars {
		os.Remove(name + s)
	}
}
