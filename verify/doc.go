// Package verify checks a backup archive the way OpenClaw 2026.9.6's
// `openclaw backup verify` does, with the same messages, so that an archive
// clawback accepts is one OpenClaw accepts and a user can search for what
// either tool prints.
//
// # Algorithm
//
// Archive looks at the file first: it must exist and be a regular file (a
// symbolic link to one is followed, as OpenClaw's stat follows it). The
// rest is Stream, one pass over the bytes:
//
//  1. The compression is sniffed from the first four bytes, as node-tar
//     does: 1f 8b is gzip, 28 b5 2f fd is zstd, anything else (including a
//     file shorter than four bytes) a plain tar. An uncompressed tar named
//     .tar.gz is therefore accepted, as OpenClaw accepts it.
//  2. The tar is read with archive/tar. For each member the package keeps
//     its name, type and link target; PAX and GNU meta headers are not
//     members and are not counted. The body of the first <root>/manifest.json
//     is read, unless its header declares more than manifest.MaxSize bytes;
//     every other body is skipped.
//  3. After the tar ends the decompressed stream is read to its end, so a
//     wrong gzip CRC or length, a zstd checksum, or garbage after the last
//     gzip member is found even though the tar ignores what follows its end
//     blocks.
//  4. Then OpenClaw's checks, in its order, each stopping at the first
//     failure: the stream read and decompressed cleanly; node-tar would
//     have accepted every header; every member name normalises (relative,
//     forward slashes, no "." or ".." segment, not empty; a directory
//     stored with a trailing slash is the same path); exactly one
//     <root>/manifest.json two segments deep; no duplicate names; no two
//     names equal after NFC and lower-casing; the manifest is at most 1 MiB
//     and parses (manifest.Parse); its archiveRoot is one segment and
//     <archiveRoot>/manifest.json is a member; every member lies below the
//     root; every asset archivePath normalises, lies below <root>/payload
//     and is a member or has one below it; every hard link target, made
//     relative to the root when it is not below it, is a member; no member
//     lies below a symbolic link member (compared by portable key); every
//     symbolic link lies inside an asset; and the links whose target
//     leaves the state directory are exactly the manifest's
//     externalSymbolicLinks.
//  5. Last, the checks clawback adds (see below).
//
// # External links
//
// OpenClaw decides that a link is external against the state directory
// alone, not against all assets: the first asset of kind "state", or else
// paths.stateDir. An absolute target is compared with the state's source
// path, a relative one, joined to the link's directory, with the state's
// member path. So a relative link inside an external workspace asset is
// external, and an absolute link into the state directory is not. A
// manifest without the externalSymbolicLinks key (written before 2026.8)
// instead requires every link target to be relative and to resolve inside
// an asset, and fails with "Archive symbolic link target must be relative"
// otherwise.
//
// # How failures are worded
//
// Decompression failures carry the words of Node's zlib binding, which
// OpenClaw prints: "zlib: unexpected end of file | Z_BUF_ERROR" for a cut
// stream, "incorrect header check" for trailing garbage, "incorrect data
// check" and "incorrect length check" for a wrong CRC or size, "unknown
// compression method", "unknown header flags set", "header crc mismatch".
// zlib names a damaged deflate stream in about ten ways that
// klauspost/compress/flate does not distinguish; all are reported as
// "zlib: invalid deflate data | Z_DATA_ERROR". For this the gzip framing
// (header, trailer, members) is parsed here and only the inflating is left
// to klauspost/compress/flate. zstd failures use the names of Node's zstd
// binding where klauspost/compress/zstd tells them apart (checksum, unknown
// frame, window too large); other damage is "Data corruption detected".
//
// Tar failures are worded as node-tar words them: "checksum failure" for a
// header that does not check, "Unrecognized archive format" when no valid
// header was seen, "Truncated input (needed N more bytes, only M
// available)" for a cut member, with N and M computed from the chunk sizes
// in which node-tar receives data (16 KiB of inflated data, or the whole
// file up to 16 MiB). A partial header at the very end is ignored, and a
// single zero block between members is skipped, as node-tar does. A header
// with a valid checksum that archive/tar still refuses is reported as
// "invalid tar header".
//
// # Limits and choices
//
//   - Memory is bounded apart from the member list (three strings per
//     member): the manifest is read only up to manifest.MaxSize, the
//     checksum list keeps at most as many lines as there are members
//     before it (clawback writes it after the payload) and counts the
//     rest as one problem, one
//     header chain of at most 64 KiB is kept to explain a tar failure, PAX
//     records are bounded by archive/tar, and zstd windows are limited to
//     128 MiB, zstd's own default limit.
//   - Decompression ratio: OpenClaw caps inflated bytes per compressed
//     byte at 1100. For gzip the bound is applied once 16 MiB have been
//     inflated, against the compressed bytes read so far; deflate cannot
//     exceed about 1032:1, so it only fires on streams no deflate encoder
//     writes. It is not applied to zstd: a zstd archive holding zero-filled
//     or highly repetitive files legitimately inflates tens of thousands of
//     times, the pass keeps no inflated data in memory, and ctx bounds the
//     time. (node-tar would apply it to zstd too.)
//   - Node's zlib reads a member after a member unless the next byte is
//     zero; input that starts with a zero byte after a member is ignored,
//     and so it is here. klauspost/compress/zstd refuses garbage after the
//     last frame, which Node's binding ignores.
//   - Members of types OpenClaw never writes are refused, after all of
//     OpenClaw's checks have passed, with "Archive contains an unsupported
//     entry type (<type>): <member>": character and block devices, FIFOs,
//     GNU dump directories, sparse files (also a regular member carrying
//     GNU.sparse.* PAX records, refused before its body is read, since
//     archive/tar would expand its holes to the declared size), and every
//     type node-tar skips (volume headers, unknown types). OpenClaw 2026.9.6 accepts the first
//     ones as opaque members and does not see the others; restoring them
//     could create device nodes or hang on a FIFO. Regular files
//     (types 0, NUL and 7), directories, hard and symbolic links pass;
//     in an archive whose manifest has a clawback section, a hard link in
//     the payload is refused too, since clawback never writes one.
//   - For archives made on Windows (manifest platform "win32") absolute link
//     targets are compared with the state path without regard to case or
//     separator, an approximation of Node's path.win32.relative. A relative
//     state source path, which OpenClaw resolves against its working
//     directory, is taken as relative to "/".
//   - Portable keys follow JavaScript's toLowerCase, including the dotted
//     capital I and the final sigma; the case-ignorable set used for the
//     final sigma is an approximation of Unicode's.
//   - SQLite: every regular member that starts with the SQLite header is
//     copied to a temporary file in Options.TempDir as it streams past,
//     checked with the shape checks and PRAGMA quick_check of package
//     snapshot, and removed. The members the capture record marks as
//     snapshots, and OpenClaw's core database <state>/state/openclaw.sqlite,
//     must have passed, with OpenClaw's messages where it has one; a -wal,
//     -shm or -journal member beside one is refused as OpenClaw refuses it.
//     Databases archived as opaque bytes are listed, not failed. OpenClaw's
//     foreign-key and schema_meta role checks, and its checks of agent
//     databases, are not repeated here. The copy costs disk only for what
//     the archive really holds: a header that does not describe a database
//     of the member's size is refused before anything is written, and
//     blocks of zeros stay holes in the copy.
package verify
