// Package restore writes the files of a backup archive back to disk: under
// a fresh target directory, at each file's original absolute path, or in
// place of the live files.
//
// # Algorithm
//
// Archive first verifies the archive with package verify and refuses one
// that does not verify. It then reads the archive itself, twice, from one
// open file:
//
//  1. The plan pass reads every header (and the manifest and checksum
//     list) and decides everything before anything is written. Every member
//     name must be relative, without "." or ".." segments, and lie under
//     the archive root; only directories, regular files and symbolic links
//     are accepted, so a hard link, a device node or a FIFO rejects the
//     whole archive. Each payload member must lie in exactly one asset of
//     the manifest, and no member may lie beneath a symbolic link or a
//     file of the archive. An asset root stored as a symbolic link is
//     refused. Destinations are then checked: with a target directory no
//     restored path may exist yet; in place, an existing path is going to
//     be moved aside and a running gateway stops the restore. Last, the
//     free space of each destination file system must hold the files.
//  2. The write pass reads the archive again and must see exactly the
//     headers of the plan pass. It writes through os.Root, one root per
//     destination directory, so that the kernel keeps every write inside
//     it; symbolic links are created as stored and never followed. Each
//     file goes to a temporary name in its directory, is synced, and is
//     renamed to its name without replacing anything; its SHA-256 is
//     compared with the archive's checksum list when there is one.
//     Directories are created private (0700) and get their own mode and
//     modification time after their contents, deepest first, and are
//     synced.
//
// Everything the write pass creates is journaled. A failure or a cancelled
// context removes it again, newest first, and renames moved-aside paths
// back. A moved-aside path carries the suffix ".in-progress" until the
// restore is complete; a process that is killed can clean up nothing, and
// the next in-place restore of the same path finds that suffix and refuses
// with the commands that put the original back.
//
// # Mapping
//
// A payload member <root>/payload/<encoded>/<rel> belongs to the asset
// whose archivePath is <root>/payload/<encoded>; archive.DecodePath turns
// <encoded> back into the original path. With a target directory DIR, a
// POSIX path /a/b is restored at DIR/a/b, a Windows path C:\a at
// DIR/windows/C/a and a relative path p at DIR/relative/p. In place, only
// POSIX paths can be restored.
//
// # Limits
//
//   - Files are owned by the user running the restore; setuid, setgid and
//     sticky bits are dropped. Modification times are as precise as the
//     archive stores them (whole seconds for archives clawback and
//     OpenClaw write). Access times are set to the modification time.
//   - A directory that is missing from the archive but has members below
//     it, and the parents of an asset under a target directory, are
//     created with mode 0700 and keep the time of the restore.
//   - The archive is read three times (verify, plan, write); the member
//     list and checksum list are held in memory.
//   - Where a file system cannot rename without replacing, a file is
//     hard-linked and unlinked instead, and a directory moved aside in
//     place is checked and renamed, which leaves a short window.
//   - Free space is checked once, before writing; another writer can still
//     fill the file system during the restore, which then fails and rolls
//     back.
package restore
