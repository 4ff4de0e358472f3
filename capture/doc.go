// Package capture reads one file of a live directory so that what it returns
// is a version of the file that really existed, and says what happened when
// it could not be.
//
// A regular file is opened without following symbolic links and without
// blocking, checked on its descriptor to be the file that was listed, and
// read to exactly the size it had when opened. It is stable when its size,
// modification time, change time, inode and device are the same before and
// after the read and the read was neither short nor long. A file whose
// timestamps fall within the file system's clock granularity of the read is
// read a second time and compared, since a write in the same clock tick
// leaves no trace in the timestamps.
//
// A file that only grew keeps the bytes it had when opened, once a second
// read shows that this prefix did not change; a line-oriented file is cut
// back to its last complete line. Any other change is retried, a bounded
// number of times with a short backoff, within a retry budget shared by the
// whole run. What is read is held in memory when it is small and a
// reservation is granted, and is otherwise spooled to an unlinked temporary
// file, so memory stays bounded whatever the file size; the spool costs one
// extra write and read of each large file.
//
// Special files (FIFOs, sockets, devices) are reported and never opened.
package capture
