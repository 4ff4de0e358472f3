package restore

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// decompress returns the tar stream of an archive read from r: gzip and
// zstd are recognised by their magic numbers, anything else is read as a
// plain tar. close releases the decompressor; it does not close r.
func decompress(r io.Reader) (tr io.Reader, close func(), err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("read gzip stream: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, fmt.Errorf("read zstd stream: %w", err)
		}
		return zr, zr.Close, nil
	}
	return br, func() {}, nil
}
