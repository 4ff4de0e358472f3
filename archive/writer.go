package archive

import (
	"archive/tar"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// Compression names a codec for the tar stream.
type Compression string

// The codecs clawback writes. Gzip is what OpenClaw reads.
const (
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
	None Compression = "none"
)

// Ext is the file name extension of an archive in codec c.
func (c Compression) Ext() string {
	switch c {
	case Zstd:
		return ".tar.zst"
	case None:
		return ".tar"
	}
	return ".tar.gz"
}

// WriterOptions configures a Writer. Level 0 means the codec's default;
// Jobs 0 means one compressor thread per core.
type WriterOptions struct {
	Compression Compression
	Level       int
	Jobs        int
}

// Writer writes a compressed tar stream. It is not safe for concurrent use.
// The first error sticks: every later call returns it, and so does Close.
type Writer struct {
	tw  *tar.Writer
	zw  io.WriteCloser // nil without compression
	err error
	sum hash.Hash
}

// NewWriter returns a Writer on w. Close flushes the tar end blocks and the
// compressor but does not close w.
func NewWriter(w io.Writer, o WriterOptions) (*Writer, error) {
	aw := &Writer{sum: sha256.New()}
	switch o.Compression {
	case Gzip, "":
		level := o.Level
		if level == 0 {
			level = 6
		}
		zw, err := pgzip.NewWriterLevel(w, level)
		if err != nil {
			return nil, fmt.Errorf("start gzip compressor: %w", err)
		}
		zw.OS = 3 // Unix, as OpenClaw writes it
		if o.Jobs > 0 {
			if err := zw.SetConcurrency(1<<20, o.Jobs*2); err != nil {
				return nil, fmt.Errorf("start gzip compressor: %w", err)
			}
		}
		aw.zw = zw
	case Zstd:
		opts := []zstd.EOption{}
		if o.Level != 0 {
			opts = append(opts, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(o.Level)))
		}
		if o.Jobs > 0 {
			opts = append(opts, zstd.WithEncoderConcurrency(o.Jobs))
		}
		zw, err := zstd.NewWriter(w, opts...)
		if err != nil {
			return nil, fmt.Errorf("start zstd compressor: %w", err)
		}
		aw.zw = zw
	case None:
	default:
		return nil, fmt.Errorf("unknown compression %q", o.Compression)
	}
	if aw.zw != nil {
		aw.tw = tar.NewWriter(aw.zw)
	} else {
		aw.tw = tar.NewWriter(w)
	}
	return aw, nil
}

func header(name string, typ byte, mode fs.FileMode, mtime time.Time) *tar.Header {
	return &tar.Header{
		Typeflag: typ,
		Name:     name,
		Mode:     tarMode(mode),
		ModTime:  mtime.Truncate(time.Second),
		Format:   tar.FormatUnknown,
	}
}

// tarMode converts Go's mode bits to the tar header's octal mode.
func tarMode(mode fs.FileMode) int64 {
	m := int64(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		m |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		m |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		m |= 0o1000
	}
	return m
}

// WriteDir writes a directory member. name has no trailing slash; one is
// added.
func (w *Writer) WriteDir(name string, mode fs.FileMode, mtime time.Time) error {
	h := header(name+"/", tar.TypeDir, mode, mtime)
	return w.writeHeader(h)
}

// WriteSymlink writes a symbolic link member with its target as stored.
func (w *Writer) WriteSymlink(name, target string, mode fs.FileMode, mtime time.Time) error {
	h := header(name, tar.TypeSymlink, mode, mtime)
	h.Linkname = target
	return w.writeHeader(h)
}

// WriteFile writes a regular file member of exactly size bytes from r and
// returns the SHA-256 of those bytes. Fewer bytes from r is an error that
// sticks, since the archive can no longer be completed.
func (w *Writer) WriteFile(name string, mode fs.FileMode, mtime time.Time,
	size int64, r io.Reader) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	h := header(name, tar.TypeReg, mode, mtime)
	h.Size = size
	if err := w.writeHeader(h); err != nil {
		return sum, err
	}
	w.sum.Reset()
	n, err := io.Copy(io.MultiWriter(w.tw, w.sum), io.LimitReader(r, size))
	if err == nil && n != size {
		err = fmt.Errorf("write %s: %d of %d bytes available", name, n, size)
	}
	if err != nil {
		w.err = err
		return sum, err
	}
	copy(sum[:], w.sum.Sum(nil))
	return sum, nil
}

// WriteMember writes a small regular file of clawback's own, such as the
// manifest, with mode 0644 and modification time zero, as OpenClaw writes
// its manifest.
func (w *Writer) WriteMember(name string, data []byte) error {
	h := header(name, tar.TypeReg, 0o644, time.Unix(0, 0))
	h.Size = int64(len(data))
	if err := w.writeHeader(h); err != nil {
		return err
	}
	if _, err := w.tw.Write(data); err != nil {
		w.err = err
		return err
	}
	return nil
}

func (w *Writer) writeHeader(h *tar.Header) error {
	if w.err != nil {
		return w.err
	}
	if err := w.tw.WriteHeader(h); err != nil {
		w.err = fmt.Errorf("write header of %s: %w", h.Name, err)
		return w.err
	}
	return nil
}

// Close ends the tar stream and flushes the compressor. It returns the first
// error of the Writer's life.
func (w *Writer) Close() error {
	err := w.tw.Close()
	if w.zw != nil {
		err = errors.Join(err, w.zw.Close())
	}
	if w.err != nil {
		return w.err
	}
	if err != nil {
		w.err = fmt.Errorf("finish archive: %w", err)
	}
	return w.err
}
