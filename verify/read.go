package verify

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"
)

// Compression values reported in Result.Compression.
const (
	compressionGzip = "gzip"
	compressionZstd = "zstd"
	compressionNone = "none"
)

const (
	// maxRatio is OpenClaw's bound on inflated bytes per compressed byte.
	maxRatio = 1100

	// ratioGrace is how much a gzip stream may inflate before the ratio is
	// checked: below it the bound cannot mean a bomb, and the compressed
	// count still includes read-ahead that has not been inflated.
	ratioGrace = 16 << 20

	// captureLimit bounds the header bytes kept to explain a tar failure.
	captureLimit = 64 << 10

	blockSize = 512
)

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// source is the decompressed archive stream.
type source struct {
	r           io.Reader
	compression string
	compressed  *counter // bytes read from the archive file
	ratio       bool     // whether the gzip ratio bound applies
	chunk       int64    // OpenClaw's read granularity, see truncated
	close       func()
}

// openSource sniffs the compression from the first bytes, as node-tar
// does: gzip (1f 8b), zstd (28 b5 2f fd), anything else a plain tar. A
// stream shorter than four bytes is read as a plain tar.
func openSource(r io.Reader) (*source, error) {
	c := &counter{r: r}
	br := bufio.NewReaderSize(c, 64<<10)
	head, err := br.Peek(4)
	if len(head) < 4 && err != nil && err != io.EOF {
		return nil, err
	}
	s := &source{r: br, compression: compressionNone, compressed: c,
		chunk: 16 << 20, close: func() {}}
	switch {
	case len(head) == 4 && head[0] == 0x1f && head[1] == 0x8b:
		s.r = newGzipReader(br)
		s.compression, s.ratio, s.chunk = compressionGzip, true, 16<<10
	case len(head) == 4 && head[0] == 0x28 && head[1] == 0xb5 &&
		head[2] == 0x2f && head[3] == 0xfd:
		z, err := newZstdReader(br)
		if err != nil {
			return nil, err
		}
		s.r, s.close = z, z.Close
		s.compression, s.chunk = compressionZstd, 16<<10
	}
	return s, nil
}

// flow is what the tar reader reads: the decompressed stream, with its
// offset counted, the context checked on every read, the gzip ratio bound
// applied, the first failure kept, and the bytes of a tar header chain
// captured so that a tar failure can be explained in node-tar's words.
type flow struct {
	ctx  context.Context
	src  *source
	off  int64 // decompressed bytes handed to the tar reader
	eof  bool  // the decompressed stream has ended cleanly
	err  error // first failure of the stream, or of ctx
	more []byte

	capFrom int64
	capBuf  []byte
	capOn   bool
}

func (f *flow) Read(p []byte) (int, error) {
	if len(f.more) > 0 {
		n := copy(p, f.more)
		f.more = f.more[n:]
		f.keep(p[:n])
		return n, nil
	}
	if f.err != nil {
		return 0, f.err
	}
	if f.eof {
		return 0, io.EOF
	}
	if err := f.ctx.Err(); err != nil {
		f.err = err
		return 0, err
	}
	n, err := f.src.r.Read(p)
	f.keep(p[:n])
	if f.src.ratio && f.off > ratioGrace {
		ratio := float64(f.off) / float64(max(f.src.compressed.n, 1))
		if ratio > maxRatio {
			err = &decodeError{msg: fmt.Sprintf(
				"max decompression ratio exceeded: %.2f > %d",
				ratio, maxRatio)}
		}
	}
	switch {
	case err == io.EOF:
		f.eof = true
	case err != nil:
		f.err = err
	}
	return n, err
}

// keep advances the offset past b and captures what lies at or after
// capFrom.
func (f *flow) keep(b []byte) {
	start := f.off
	f.off += int64(len(b))
	if !f.capOn || f.off <= f.capFrom {
		return
	}
	if skip := f.capFrom - start; skip > 0 {
		b = b[skip:]
	}
	if room := captureLimit - len(f.capBuf); len(b) > room {
		b = b[:room]
	}
	f.capBuf = append(f.capBuf, b...)
}

// capture starts keeping the bytes from offset at on.
func (f *flow) capture(at int64) {
	f.capFrom, f.capBuf, f.capOn = at, f.capBuf[:0], true
}

// replay hands b to the tar reader again, ahead of the rest of the stream.
func (f *flow) replay(b []byte) {
	f.more = append([]byte(nil), b...)
	f.off -= int64(len(b))
}

// isIOError reports whether err came from reading the archive file rather
// than from its content.
func isIOError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}

// libuv names and words the errno values a user is likely to meet the way
// Node prints them ("EACCES: permission denied, open '/x'").
var libuv = map[syscall.Errno][2]string{
	syscall.EACCES:       {"EACCES", "permission denied"},
	syscall.EPERM:        {"EPERM", "operation not permitted"},
	syscall.ENOENT:       {"ENOENT", "no such file or directory"},
	syscall.ENOTDIR:      {"ENOTDIR", "not a directory"},
	syscall.EISDIR:       {"EISDIR", "illegal operation on a directory"},
	syscall.ELOOP:        {"ELOOP", "too many symbolic links encountered"},
	syscall.ENAMETOOLONG: {"ENAMETOOLONG", "name too long"},
	syscall.EIO:          {"EIO", "i/o error"},
}

// nodeText renders err the way Node renders a file system error.
func nodeText(err error) string {
	var pe *fs.PathError
	var errno syscall.Errno
	if !errors.As(err, &pe) || !errors.As(pe.Err, &errno) {
		return err.Error()
	}
	name, words := fmt.Sprint(int(errno)), errno.Error()
	if w, ok := libuv[errno]; ok {
		name, words = w[0], w[1]
	}
	if pe.Op == "read" {
		return fmt.Sprintf("%s: %s, read", name, words)
	}
	return fmt.Sprintf("%s: %s, %s '%s'", name, words, pe.Op, pe.Path)
}
