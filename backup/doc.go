// Package backup makes an OpenClaw-format archive of a planned set of
// assets while the application that owns them keeps writing.
//
// One walker lists the assets depth first, children in byte order, and
// applies the exclusion rules by name before anything is opened. A small
// pool of readers captures files ahead of the writer (see package capture):
// each file is read whole and checked before its header is written, because
// a header already in the compressed stream cannot be taken back. Reads
// overlap compression, and the archive order stays the walker's order. The
// content held in memory is bounded by a window of bytes granted in archive
// order; larger files are spooled to unlinked temporary files outside every
// asset.
//
// After the payload come the checksum list (SHA-256 of every payload file,
// computed as it is written), the capture record (every file that was not
// captured cleanly, with its verdict) and, last, manifest.json. The archive
// is written under a temporary name in the destination directory and
// published without replacing anything (see package publish); a run that
// fails or is cancelled leaves nothing behind.
//
// A file that starts with the SQLite header is copied with the online backup
// API instead (see package snapshot) and archived as a checked snapshot, or,
// when it cannot be, as opaque bytes with the reason; the -wal, -shm and
// -journal files of a recognised database are left out by a rule.
//
// Consistency is per file: each file is captured at its own instant, not the
// whole tree at one instant.
package backup
