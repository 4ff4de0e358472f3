package verify

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
)

// decodeError is a failure to decompress the archive, worded as Node's zlib
// binding words it ("zlib: <message> | <code>"), which is what OpenClaw
// prints after "Archive could not be read or parsed.".
type decodeError struct {
	msg string
	err error
}

func (e *decodeError) Error() string { return e.msg }
func (e *decodeError) Unwrap() error { return e.err }

func zlibError(msg, code string, err error) error {
	return &decodeError{msg: "zlib: " + msg + " | " + code, err: err}
}

func errTruncated(err error) error {
	return zlibError("unexpected end of file", "Z_BUF_ERROR", err)
}

func errData(msg string) error {
	return zlibError(msg, "Z_DATA_ERROR", errors.New(msg))
}

// gzipReader inflates a gzip file member by member, checking every header
// and trailer the way zlib does, so that each failure carries zlib's own
// message. The members are inflated by klauspost/compress/flate; the
// framing is parsed here because its gzip package reports a wrong CRC and a
// wrong length alike, and stops at members zlib accepts or refuses
// differently.
//
// After a member, another one follows unless the input ends or the next
// byte is zero: Node's zlib binding reads a non-zero byte as the start of
// a new member (so trailing garbage fails with "incorrect header check")
// and ignores input that starts with a zero byte (padding).
type gzipReader struct {
	br    *bufio.Reader
	fr    io.ReadCloser // nil between members
	first bool          // the first member has not been started
	crc   uint32
	size  uint32
	err   error
}

func newGzipReader(br *bufio.Reader) *gzipReader {
	return &gzipReader{br: br, first: true}
}

func (z *gzipReader) Read(p []byte) (int, error) {
	for z.err == nil {
		if z.fr == nil {
			if !z.first {
				b, err := z.br.Peek(1)
				if len(b) == 0 || b[0] == 0 {
					z.err = eofOr(err)
					break
				}
			}
			z.first = false
			if err := z.header(); err != nil {
				z.err = err
				break
			}
			z.fr = flate.NewReader(z.br)
			z.crc, z.size = 0, 0
		}
		n, err := z.fr.Read(p)
		z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:n])
		z.size += uint32(n)
		switch {
		case err == io.EOF:
			z.fr = nil
			z.err = z.trailer()
		case errors.Is(err, io.ErrUnexpectedEOF):
			z.err = errTruncated(err)
		case err != nil:
			var corrupt flate.CorruptInputError
			if errors.As(err, &corrupt) {
				err = zlibError("invalid deflate data", "Z_DATA_ERROR", err)
			}
			z.err = err
		}
		if n > 0 {
			return n, nil
		}
	}
	return 0, z.err
}

// eofOr turns a clean end of input into io.EOF and keeps any other error.
func eofOr(err error) error {
	if err == nil || err == io.EOF {
		return io.EOF
	}
	return err
}

// header reads one gzip member header, checking what zlib checks, in its
// order.
func (z *gzipReader) header() error {
	var h [10]byte
	n, err := io.ReadFull(z.br, h[:])
	switch {
	case n >= 2 && (h[0] != 0x1f || h[1] != 0x8b):
		return errData("incorrect header check")
	case n >= 4 && h[2] != 8:
		return errData("unknown compression method")
	case n >= 4 && h[3]&0xe0 != 0:
		return errData("unknown header flags set")
	case err != nil:
		return readFail(err)
	}
	flags := h[3]
	crc := crc32.Update(0, crc32.IEEETable, h[:])
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		if _, err := io.ReadFull(z.br, b); err != nil {
			return nil, readFail(err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, b)
		return b, nil
	}
	if flags&0x04 != 0 { // FEXTRA
		l, err := read(2)
		if err != nil {
			return err
		}
		if _, err := read(int(binary.LittleEndian.Uint16(l))); err != nil {
			return err
		}
	}
	for _, bit := range []byte{0x08, 0x10} { // FNAME, FCOMMENT
		for flags&bit != 0 {
			b, err := read(1)
			if err != nil {
				return err
			}
			if b[0] == 0 {
				break
			}
		}
	}
	if flags&0x02 != 0 { // FHCRC
		want := uint16(crc)
		b, err := read(2)
		if err != nil {
			return err
		}
		if binary.LittleEndian.Uint16(b) != want {
			return errData("header crc mismatch")
		}
	}
	return nil
}

// trailer checks the CRC-32 and length that end a member.
func (z *gzipReader) trailer() error {
	var t [8]byte
	if _, err := io.ReadFull(z.br, t[:]); err != nil {
		return readFail(err)
	}
	if binary.LittleEndian.Uint32(t[:4]) != z.crc {
		return errData("incorrect data check")
	}
	if binary.LittleEndian.Uint32(t[4:]) != z.size {
		return errData("incorrect length check")
	}
	return nil
}

// readFail maps an end of input inside a structure to zlib's message and
// keeps I/O errors as they are.
func readFail(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTruncated(err)
	}
	return err
}

// zstdReader maps klauspost/compress/zstd's errors to the messages Node's
// zstd binding gives for the same damage.
type zstdReader struct{ d *zstd.Decoder }

// zstdMaxWindow is zstd's own default window limit (2^27), which Node's
// binding keeps; frames asking for more are refused.
const zstdMaxWindow = 1 << 27

func newZstdReader(r io.Reader) (*zstdReader, error) {
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		return nil, err
	}
	return &zstdReader{d: d}, nil
}

func (z *zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	code := func(msg, code string) error {
		return &decodeError{msg: "zlib: " + msg + " | " + code, err: err}
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = errTruncated(err)
	case errors.Is(err, zstd.ErrCRCMismatch):
		err = code("Restored data doesn't match checksum",
			"ZSTD_error_checksum_wrong")
	case errors.Is(err, zstd.ErrMagicMismatch):
		err = code("Unknown frame descriptor", "ZSTD_error_prefix_unknown")
	case errors.Is(err, zstd.ErrWindowSizeExceeded),
		errors.Is(err, zstd.ErrDecoderSizeExceeded):
		err = code("Frame requires too much memory for decoding",
			"ZSTD_error_frameParameter_windowTooLarge")
	case isIOError(err):
	default:
		err = code("Data corruption detected",
			"ZSTD_error_corruption_detected")
	}
	return n, err
}

func (z *zstdReader) Close() { z.d.Close() }
