// Package snapshot copies live SQLite databases consistently and checks
// copies, for backups taken while the application keeps writing.
//
// # Algorithm
//
// A database is recognised by its 16-byte header, never by its name.
// Capture reads the first 100 bytes through a descriptor that it closes
// before SQLite opens the file, and switches SQLite to open file
// description locks for the process, because POSIX record locks belong to
// the process: closing any descriptor of the file would drop the
// connection's locks under the application.
//
// The copy is made with SQLite's online backup API (modernc.org/sqlite,
// no cgo) from a read-only connection into a temporary file outside every
// backed-up path. It is copied a few pages per step, unlocked between
// steps; a writer that commits between steps restarts it, and after a
// bounded number of restarts the rest is copied in one read transaction.
// In WAL mode that transaction never blocks writers; in rollback-journal
// mode it holds them back for as long as the copy takes.
//
// Nothing is created beside the live database and nothing there is
// changed: the connection is read-only, so it never checkpoints and never
// deletes or truncates the -wal. A WAL database without a -wal has no open
// connection; a read-only connection would create a -wal and -shm and
// could not remove them, so such an idle database is read as immutable,
// without locks, and its status is compared before and after: a change
// (a checkpoint of a writer that started meanwhile) means the copy is made
// again. An empty -wal without a -shm holds nothing either and is read the
// same way: readonly_shm cannot open a database whose -shm is missing. A
// WAL database with a non-empty -wal but no -shm is read with a private
// wal-index (readonly_shm), so no -shm is created either.
//
// The snapshot's file format versions are set to legacy (1), as
// `PRAGMA journal_mode=DELETE` leaves them, so that opening it creates no
// -wal or -shm; the application switches it back to WAL when it opens it.
// It is then checked (Check): the header shape that OpenClaw's verifier
// requires and PRAGMA quick_check, with a bounded page cache and time.
//
// # OpenClaw 2026.9.6
//
// OpenClaw's `backup verify` checks <state>/state/openclaw.sqlite and the
// agent databases its registry lists: the archive entry must be a
// non-empty regular file with a 100-byte header starting with the magic
// string; the page size must be a power of two from 512 to 65536 dividing
// the file size; when the header's page count is valid (non-zero, change
// counter equal to version-valid-for) it must match the file size. The
// database is then opened read-only with the sqlite-vec extension loaded
// and must pass integrity_check and foreign_key_check, and its schema_meta
// row 'primary' must have role 'global' (agent databases: their owner).
// No -wal, -shm or -journal entry may lie beside it. A page-exact snapshot
// meets all of this: the content is the application's own, and the header
// is the one SQLite writes.
//
// # Limits
//
//   - If the application closes the database (deleting its -wal and -shm)
//     between the look for a -wal and the connection, the read-only
//     connection creates both and leaves them behind. Run as root, SQLite
//     gives the files it creates to the database's owner, so the
//     application can still open its database; the files stay. TODO:
//     close that window, for example by opening immutable and checking
//     afterwards that no -wal appeared.
//   - A database locked exclusively, encrypted with a readable header, or
//     corrupt fails Capture; the caller archives its bytes instead.
//   - The snapshot needs free space for one copy of the database in the
//     temporary directory at a time per concurrent capture.
package snapshot
