package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Magic is the first 16 bytes of every SQLite 3 database file.
const Magic = "SQLite format 3\x00"

// HeaderSize is the size of the database header at the start of page 1.
const HeaderSize = 100

// Sidecars are the suffixes of the files SQLite keeps next to a database:
// the write-ahead log, its shared-memory index and the rollback journal.
// They are never archived.
var Sidecars = []string{"-wal", "-shm", "-journal"}

// IsDatabase reports whether head, the first bytes of a file, starts with
// the SQLite 3 magic string.
func IsDatabase(head []byte) bool {
	return len(head) >= len(Magic) && string(head[:len(Magic)]) == Magic
}

// SidecarOf returns the database name that name is a sidecar of, and
// whether it is one by its suffix.
func SidecarOf(name string) (string, bool) {
	for _, s := range Sidecars {
		if base, ok := strings.CutSuffix(name, s); ok && base != "" {
			return base, true
		}
	}
	return "", false
}

// isWAL reports whether the header marks the database as being in WAL
// mode (file format write and read versions 2).
func isWAL(h []byte) bool {
	return len(h) >= 20 && (h[18] == 2 || h[19] == 2)
}

// pageSize decodes the page size field; 1 means 65536.
func pageSize(h []byte) int64 {
	n := int64(binary.BigEndian.Uint16(h[16:18]))
	if n == 1 {
		return 65536
	}
	return n
}

// errShape is returned by CheckShape for a file that is not laid out as a
// database of its size.
var errShape = errors.New("invalid database file")

// CheckShape checks what OpenClaw 2026.9.6's verifier checks before it
// opens a snapshot: a full 100-byte header with the magic string, a page
// size that is a power of two from 512 to 65536 and divides the file size,
// and, when the header's page count is in use (non-zero, and the change
// counter equals the version-valid-for number), a page count that matches
// the file size.
func CheckShape(h []byte, size int64) error {
	switch {
	case size == 0:
		return fmt.Errorf("%w: empty", errShape)
	case len(h) < HeaderSize || !IsDatabase(h):
		return fmt.Errorf("%w: invalid database header", errShape)
	}
	ps := pageSize(h)
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 || size%ps != 0 {
		return fmt.Errorf("%w: invalid page layout", errShape)
	}
	change := binary.BigEndian.Uint32(h[24:28])
	pages := binary.BigEndian.Uint32(h[28:32])
	valid := binary.BigEndian.Uint32(h[92:96])
	if pages != 0 && change == valid && int64(pages) != size/ps {
		return fmt.Errorf("%w: invalid page layout", errShape)
	}
	return nil
}

// toRollback rewrites the file format versions of the database at path
// from WAL (2) to legacy (1), as `PRAGMA journal_mode=DELETE` leaves them,
// so that opening the snapshot creates no -wal or -shm file. The file must
// not be open in SQLite and have no -wal of its own.
func toRollback(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	h := make([]byte, HeaderSize)
	if _, err := f.ReadAt(h, 0); err != nil {
		f.Close()
		return fmt.Errorf("read snapshot header: %w", err)
	}
	if isWAL(h) {
		if _, err := f.WriteAt([]byte{1, 1}, 18); err != nil {
			f.Close()
			return fmt.Errorf("write snapshot header: %w", err)
		}
	}
	return f.Close()
}
