package snapshot

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// openDB opens the database at path for writing in the given journal mode
// and fails the test on error. The connection is closed at cleanup.
func openDB(tb testing.TB, path, mode string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", URI(path, "_pragma=journal_mode("+mode+")",
		"_pragma=busy_timeout(5000)"))
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	mustExec(tb, db, "CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY, v TEXT)")
	return db
}

func mustExec(tb testing.TB, db *sql.DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// insert adds rows from..to-1 to table t.
func insert(tb testing.TB, db *sql.DB, from, to int) {
	tb.Helper()
	for i := from; i < to; i++ {
		mustExec(tb, db, "INSERT INTO t VALUES (?, printf('%0100d', ?))", i, i)
	}
}

// rows returns the number of rows of t in the snapshot s.
func countRows(tb testing.TB, s *Snapshot) int {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "restored.sqlite")
	data, err := os.ReadFile("/proc/self/fd/" + itoa(int(s.File.Fd())))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", URI(p, "mode=ro"))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

// listing returns the sorted names in dir.
func listing(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func sameListing(tb testing.TB, dir string, want []string) {
	tb.Helper()
	if diff := cmp.Diff(want, listing(tb, dir)); diff != "" {
		tb.Errorf("directory changed (-before +after):\n%s", diff)
	}
}
