package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Check checks the database file at path, which no one else may be
// writing: its shape (CheckShape) and PRAGMA quick_check, within
// Options.CheckTimeout and a page cache of Options.CacheKiB. It opens the
// file read-only and immutable, so it writes nothing and creates no file.
// A nil error means the database passed.
func Check(ctx context.Context, path string, o Options) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open snapshot: %w", err)
	}
	h := make([]byte, HeaderSize)
	n, rerr := f.ReadAt(h, 0)
	fi, serr := f.Stat()
	f.Close()
	if rerr != nil && rerr != io.EOF {
		return fmt.Errorf("read snapshot: %w", rerr)
	}
	if serr != nil {
		return fmt.Errorf("read snapshot: %w", serr)
	}
	if err := CheckShape(h[:n], fi.Size()); err != nil {
		return err
	}

	timeout := o.CheckTimeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, err := sql.Open("sqlite", URI(path, "mode=ro", "immutable=1"))
	if err != nil {
		return fmt.Errorf("open snapshot: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open snapshot: %w", err)
	}
	defer conn.Close()
	cache := orInt(o.CacheKiB, 16<<10)
	if _, err := conn.ExecContext(ctx,
		fmt.Sprintf("PRAGMA cache_size = -%d", cache)); err != nil {
		return fmt.Errorf("open snapshot: %w", err)
	}

	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return fmt.Errorf("quick_check: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("quick_check: timed out after %s", timeout)
		}
		return fmt.Errorf("quick_check: %w", err)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		msg := strings.Join(msgs, "; ")
		return fmt.Errorf("quick_check: %s", strings.ReplaceAll(msg, "\n", "; "))
	}
	return nil
}
