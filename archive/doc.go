// Package archive writes and reads the gzip-compressed tar archives that
// clawback and OpenClaw share.
//
// Every member lies under one directory, the archive root. Backed-up files
// sit at <root>/payload/<encoded source path>, where the encoding keeps the
// absolute source path (see EncodePath), and <root>/manifest.json, written
// last, describes the whole. Headers are POSIX ustar, with PAX records only
// for names or values that ustar cannot hold; owners are stored as 0 with no
// names, permission bits and modification times as they are on disk.
package archive
