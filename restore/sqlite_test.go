package restore

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/backup"
	"github.com/clawback/clawback/filter"
	bplan "github.com/clawback/clawback/plan"
	sq "github.com/clawback/clawback/snapshot"
)

// writerEnv names the database the writer process commits to.
const writerEnv = "CLAWBACK_TEST_SQLITE_WRITER"

// chain is the checksum row n carries: the SHA-256 of n and the previous
// row's checksum.
func chain(n int, prev string) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(n) + ":" + prev))
	return hex.EncodeToString(sum[:])
}

// TestSQLiteWriterProcess is not a test: run by TestRestore_SQLiteUnderWrites
// as a child process, it commits numbered transactions to a WAL database as
// fast as it can, printing each number once it is committed, until its
// standard input closes.
func TestSQLiteWriterProcess(t *testing.T) {
	path := os.Getenv(writerEnv)
	if path == "" {
		t.Skip("only run as the writer process")
	}
	db, err := sql.Open("sqlite", sq.URI(path,
		"_pragma=journal_mode(wal)", "_pragma=synchronous(normal)",
		"_pragma=busy_timeout(10000)"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS tx
		(n INTEGER PRIMARY KEY, sum TEXT NOT NULL, pad BLOB)`); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	go func() {
		bufio.NewReader(os.Stdin).ReadString('\n')
		stop.Store(true)
	}()
	out := bufio.NewWriter(os.Stdout)
	prev := ""
	for n := 1; !stop.Load(); n++ {
		sum := chain(n, prev)
		if _, err := db.Exec("INSERT INTO tx VALUES (?, ?, randomblob(300))",
			n, sum); err != nil {
			t.Fatal(err)
		}
		prev = sum
		fmt.Fprintln(out, n)
		out.Flush()
	}
}

// dbWriter is the running writer process.
type dbWriter struct {
	cmd       *exec.Cmd
	stdin     interface{ Close() error }
	committed atomic.Int64
	done      chan struct{}
}

func startWriter(t testing.TB, db string) *dbWriter {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteWriterProcess$")
	cmd.Env = append(os.Environ(), writerEnv+"="+db)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &dbWriter{cmd: cmd, stdin: in, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				w.committed.Store(int64(n))
			}
		}
	}()
	t.Cleanup(func() { w.stop(t) })
	return w
}

// waitFor waits until n transactions are committed.
func (w *dbWriter) waitFor(t testing.TB, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for w.committed.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("writer committed only %d transactions", w.committed.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop ends the writer and returns the number of its last commit.
func (w *dbWriter) stop(t testing.TB) int64 {
	if w.stdin != nil {
		w.stdin.Close()
		w.stdin = nil
		<-w.done
		if err := w.cmd.Wait(); err != nil {
			t.Errorf("writer: %v", err)
		}
	}
	return w.committed.Load()
}

// backupDir backs up the state directory dir with small backup steps, so
// that writers restart the copy, and returns the archive and the result.
func backupDir(t testing.TB, dir string) (string, *backup.Result) {
	t.Helper()
	now := time.Now()
	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	p := &bplan.Plan{CreatedAt: now, ArchiveRoot: bplan.ArchiveRootName(now),
		OutputPath: out, StateDir: dir, StateAsset: dir}
	p.Assets = []bplan.Asset{{Kind: "state", SourcePath: dir, DisplayPath: dir,
		ArchivePath: archive.MemberPath(p.ArchiveRoot, dir), IsDir: true}}
	rules, _ := filter.New(nil)
	o := backup.Options{Version: "test", Rules: rules, Jobs: 1, Verify: true}
	o.SQLite.StepPages = 4
	res, err := backup.Create(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

// checkRestored restores archive under a new target and checks the
// database dbPath there: integrity_check passes, no sidecar lies beside
// it, and its rows are 1..m with an unbroken checksum chain. It returns m.
func checkRestored(t testing.TB, arch, dbPath string) int64 {
	t.Helper()
	target := filepath.Join(t.TempDir(), "target")
	if _, err := Archive(context.Background(), arch, Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	got := restored(target, dbPath)
	for _, s := range sq.Sidecars {
		mustNotExist(t, got+s)
	}
	db, err := sql.Open("sqlite", sq.URI(got, "mode=ro", "immutable=1"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
	rows, err := db.Query("SELECT n, sum FROM tx ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var m int64
	prev := ""
	for rows.Next() {
		var n int64
		var sum string
		if err := rows.Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n != m+1 || sum != chain(int(n), prev) {
			t.Fatalf("row %d (after %d) breaks the chain", n, m)
		}
		m, prev = n, sum
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func names(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func TestRestore_SQLiteUnderWrites(t *testing.T) {
	state := t.TempDir()
	dbDir := filepath.Join(state, "state")
	os.Mkdir(dbDir, 0o700)
	dbPath := filepath.Join(dbDir, "openclaw.sqlite")
	w := startWriter(t, dbPath)
	w.waitFor(t, 1000)

	for round := range 2 {
		before := names(t, dbDir)
		started := w.committed.Load()
		arch, res := backupDir(t, state)
		if diff := cmp.Diff(before, names(t, dbDir)); diff != "" {
			t.Errorf("round %d: database directory changed (-before +after):\n%s", round, diff)
		}
		if res.Incomplete || res.Verdicts[backup.VerdictSnapshot] != 1 {
			t.Fatalf("round %d: verdicts %v, files %+v", round, res.Verdicts, res.Files)
		}
		if n := res.Rules[filter.RuleSQLiteSidecar]; n != 2 {
			t.Errorf("round %d: %d sidecars left out, want 2 (-wal, -shm)", round, n)
		}
		m := checkRestored(t, arch, dbPath)
		after := w.committed.Load()
		if m < started || m > after+1 {
			t.Errorf("round %d: restored %d transactions; %d were committed before the backup, %d after",
				round, m, started, after)
		}
		t.Logf("round %d: %d committed before, %d restored, %d after; %s",
			round, started, m, after, res.Files[0].Detail)
	}

	// Stopped, the writer leaves no -wal: the idle path.
	last := w.stop(t)
	before := names(t, dbDir)
	if slices.ContainsFunc(before, func(n string) bool { return strings.HasSuffix(n, "-wal") }) {
		t.Fatalf("writer left a -wal: %v", before)
	}
	arch, res := backupDir(t, state)
	if diff := cmp.Diff(before, names(t, dbDir)); diff != "" {
		t.Errorf("idle: database directory changed (-before +after):\n%s", diff)
	}
	if m := checkRestored(t, arch, dbPath); m != last {
		t.Errorf("idle: restored %d transactions, want all %d", m, last)
	}
	if d := res.Files[0].Detail; !strings.Contains(d, "idle") {
		t.Errorf("idle: detail %q", d)
	}
}

// TestRestore_SQLiteInPlaceMovesSidecarsAside restores one database in
// place over a live copy that left a -wal with later transactions: the
// -wal and -shm are moved aside with the database, so the restored
// snapshot is not replayed into.
func TestRestore_SQLiteInPlaceMovesSidecarsAside(t *testing.T) {
	state := t.TempDir()
	dbPath := filepath.Join(state, "app.sqlite")
	db := walDB(t, dbPath)
	arch, res := backupDir(t, state)
	if res.Verdicts[backup.VerdictSnapshot] != 1 {
		t.Fatalf("verdicts %v", res.Verdicts)
	}

	// A crash after more commits: the -wal holds them, the file does not.
	if _, err := db.Exec("INSERT INTO t VALUES (4), (5)"); err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(dbPath + "-wal")
	shm, _ := os.ReadFile(dbPath + "-shm")
	db.Close()
	os.WriteFile(dbPath+"-wal", wal, 0o644)
	os.WriteFile(dbPath+"-shm", shm, 0o644)

	rr, err := Archive(context.Background(), arch,
		Options{InPlace: true, Only: []string{"app.sqlite"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"-wal", "-shm"} {
		mustNotExist(t, dbPath+s)
	}
	// A moved-aside sidecar is named by its own name in the result.
	for _, mv := range rr.MovedAside {
		if strings.HasPrefix(filepath.Base(mv.Path), "app.sqlite-") &&
			!slices.Equal(mv.Examples, []string{filepath.Base(mv.Path)}) {
			t.Errorf("moved-aside %s is named %q in the result", mv.Path, mv.Examples)
		}
	}
	got, err := sql.Open("sqlite", sq.URI(dbPath, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	var n int
	if err := got.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 3 {
		t.Errorf("restored database has %d rows (%v), want the 3 archived", n, err)
	}
	asides := 0
	for _, name := range names(t, state) {
		if strings.Contains(name, ".before-restore-") {
			asides++
		}
	}
	if asides != 3 {
		t.Errorf("%d paths moved aside, want 3 (database, -wal, -shm): %v",
			asides, names(t, state))
	}
}

// TestRestore_SQLiteOpaqueWhenLocked backs up a WAL database that its
// writer holds in exclusive locking mode, with commits only in its -wal:
// it is archived as opaque bytes with the reason, and the backup is
// incomplete (exit 3), since the copy lacks those commits.
func TestRestore_SQLiteOpaqueWhenLocked(t *testing.T) {
	state := t.TempDir()
	dbPath := filepath.Join(state, "plugin.db")
	walDB(t, dbPath, "PRAGMA locking_mode = EXCLUSIVE") // held until the test ends
	now := time.Now()
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	p := &bplan.Plan{CreatedAt: now, ArchiveRoot: bplan.ArchiveRootName(now),
		OutputPath: out, StateDir: state, StateAsset: state}
	p.Assets = []bplan.Asset{{Kind: "state", SourcePath: state, DisplayPath: state,
		ArchivePath: archive.MemberPath(p.ArchiveRoot, state), IsDir: true}}
	o := backup.Options{Version: "test", Jobs: 1, Verify: true}
	o.SQLite.LockWait = 100 * time.Millisecond
	res, err := backup.Create(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].SQLite != "opaque" ||
		res.Files[0].Verdict != backup.VerdictOpaque || !res.Incomplete {
		t.Fatalf("files %+v, incomplete %v", res.Files, res.Incomplete)
	}
	if !strings.Contains(res.Files[0].Detail, "locked by another process for longer than clawback waits") {
		t.Errorf("detail %q gives no reason", res.Files[0].Detail)
	}
}

// walDB opens a WAL database at path on one connection, closed at the end
// of the test, runs first (pragmas, say), turns automatic checkpoints off
// and commits rows 1 to 3 of table t, so that they stay in the -wal.
func walDB(t *testing.T, path string, first ...string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sq.URI(path, "_pragma=journal_mode(wal)"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	for _, q := range append(first,
		"PRAGMA wal_autocheckpoint = 0",
		"CREATE TABLE t (n INTEGER PRIMARY KEY)",
		"INSERT INTO t VALUES (1), (2), (3)") {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}
