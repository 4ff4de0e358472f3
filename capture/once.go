package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// racyWindow is how recent a modification time must be for the read to be
// confirmed by a second one: a few ticks of the kernel's coarse clock.
const racyWindow = 20 * time.Millisecond

// once makes one attempt. changed reports that the file changed while it
// was read and the attempt should be repeated. prev is the previous
// attempt's result, whose memory reservation may be reused.
func once(path string, cfg *Config, reserve Reserve, prev *Result) (r *Result, changed bool) {
	r = &Result{}
	var reserved []byte
	if prev != nil {
		reserved = prev.data[:0]
		prev.data = nil
		prev.Close()
	}

	st, err := lstat(path)
	if err != nil {
		return failed(r, err), false
	}
	r.Mode = st.mode
	r.ModTime = time.Unix(0, st.mtime)
	switch {
	case st.mode.Type() == fs.ModeSymlink:
		return readSymlink(r, path)
	case st.mode.IsDir():
		r.Kind, r.Verdict = Gone, Replaced
		r.Detail = "became a directory after it was listed"
		return r, false
	case !st.mode.IsRegular():
		r.Kind, r.Verdict = Special, Skipped
		r.Detail = "not a regular file: " + typeName(st.mode)
		return r, false
	}

	start := time.Now()
	if cfg.beforeOpen != nil {
		cfg.beforeOpen(path)
	}
	f, err := openFile(path)
	if err != nil {
		if errors.Is(err, errLoop) {
			if again, lerr := lstat(path); lerr == nil && again.mode.Type() == fs.ModeSymlink {
				r.Detail = "replaced by a symbolic link while opened"
				return r, true
			}
			r.Verdict = Vanished
			r.Detail = "a directory on its path was replaced by a symbolic link"
			return r, false
		}
		// A socket or device put in the file's place cannot be opened;
		// the next attempt sees what it is.
		if again, lerr := lstat(path); lerr == nil && (again.ino != st.ino ||
			again.dev != st.dev || again.mode.Type() != st.mode.Type()) {
			r.Detail = "replaced between listing and opening"
			return r, true
		}
		return failed(r, err), false
	}
	defer f.Close()
	before, err := fstat(f)
	if err != nil {
		return failed(r, err), false
	}
	if !before.mode.IsRegular() || before.dev != st.dev || before.ino != st.ino {
		r.Detail = "replaced between listing and opening"
		return r, true
	}
	r.Mode = before.mode
	r.ModTime = time.Unix(0, before.mtime)
	size := before.size
	if cfg.Divert != nil && cfg.DivertLen > 0 && size >= int64(cfg.DivertLen) {
		head := make([]byte, cfg.DivertLen)
		if n, _ := f.ReadAt(head, 0); n == len(head) && cfg.Divert(head) {
			r.Kind = Diverted
			return r, false
		}
	}

	// Hold the content in memory when it is small and memory is granted;
	// reserve(0) tells the caller that this content goes to the spool.
	inMemory := false
	if size > cfg.memLimit() {
		reserve(0)
	} else {
		inMemory = int64(cap(reserved)) >= size || reserve(size)
	}
	if inMemory {
		if int64(cap(reserved)) < size {
			reserved = make([]byte, size)
		}
		r.data = reserved[:size]
		n, err := io.ReadFull(f, r.data)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return failed(r, err), false
		}
		if int64(n) < size {
			r.Detail = fmt.Sprintf("shrank from %d to %d bytes while read", size, n)
			return r, true
		}
	} else {
		sp, err := newSpool(cfg.SpoolDir)
		if err != nil {
			return failed(r, fmt.Errorf("create spool file: %w", err)), false
		}
		r.spool = sp
		n, err := io.CopyN(sp, f, size)
		if err != nil && !errors.Is(err, io.EOF) {
			return failed(r, err), false
		}
		if n < size {
			r.Detail = fmt.Sprintf("shrank from %d to %d bytes while read", size, n)
			return r, true
		}
	}
	r.Kind = Regular
	r.Size = size

	if cfg.afterRead != nil {
		cfg.afterRead(f)
	}

	// Compare the descriptor's state after the read with the state before.
	var probe [1]byte
	grewNow, _ := f.ReadAt(probe[:], size)
	after, err := fstat(f)
	if err != nil {
		return failed(r, err), false
	}
	if grewNow > 0 || after.size > size {
		return grown(r, f, path, cfg, size, after.size)
	}
	if after != before {
		// Only the change time moved: a rename over the file, a new
		// link or a chmod. Content is as opened if a second read agrees.
		if after.size == before.size && after.mtime == before.mtime {
			return confirm(r, f, after, false)
		}
		r.Detail = "modified while read"
		return r, true
	}
	if time.Unix(0, before.mtime).After(start.Add(-racyWindow)) ||
		time.Unix(0, before.ctime).After(start.Add(-racyWindow)) {
		return confirm(r, f, before, true)
	}
	return r, false
}

// grown handles a file that became longer while it was read: it keeps the
// prefix that existed when the file was opened, if that prefix is unchanged.
func grown(r *Result, f *os.File, path string, cfg *Config, size, now int64) (*Result, bool) {
	same, err := samePrefix(f, r, size)
	if err != nil {
		return failed(r, err), false
	}
	if !same {
		r.Detail = "rewritten while read"
		return r, true
	}
	kept := size
	if cfg.LineOriented != nil && cfg.LineOriented(path) {
		kept = lastLineEnd(r, size)
	}
	r.Size = kept
	r.Verdict = Grew
	r.Detail = fmt.Sprintf("grew from %d bytes while read; kept the first %d", size, kept)
	if now > size {
		r.Detail = fmt.Sprintf("grew from %d to %d bytes while read; kept the first %d",
			size, now, kept)
	}
	return r, false
}

// confirm reads the file again and compares it with what was captured.
// With wait, it first lets the clock move on, so that a write within the
// same clock tick as the first read, which leaves the timestamps unchanged,
// is still seen.
func confirm(r *Result, f *os.File, before stamp, wait bool) (*Result, bool) {
	if wait {
		time.Sleep(racyWindow)
	}
	same, err := samePrefix(f, r, r.Size)
	if err != nil {
		return failed(r, err), false
	}
	again, err := fstat(f)
	if err != nil {
		return failed(r, err), false
	}
	if !same || again != before {
		r.Detail = "modified while read"
		return r, true
	}
	return r, false
}

// samePrefix reports whether the first n bytes of f equal the first n bytes
// captured in r, reading f again in chunks.
func samePrefix(f *os.File, r *Result, n int64) (bool, error) {
	const chunk = 256 << 10
	a := make([]byte, min(chunk, max(n, 1)))
	b := make([]byte, len(a))
	have := r.reader()
	for off := int64(0); off < n; off += int64(len(a)) {
		m := int(min(int64(len(a)), n-off))
		if _, err := f.ReadAt(a[:m], off); err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, err
		}
		if _, err := have.ReadAt(b[:m], off); err != nil {
			return false, err
		}
		if !bytes.Equal(a[:m], b[:m]) {
			return false, nil
		}
	}
	return true, nil
}

func (r *Result) reader() io.ReaderAt {
	if r.spool != nil {
		return r.spool
	}
	return bytes.NewReader(r.data)
}

// lastLineEnd returns the length of the longest prefix of the first size
// bytes that ends in a newline.
func lastLineEnd(r *Result, size int64) int64 {
	if r.spool == nil {
		return int64(bytes.LastIndexByte(r.data[:size], '\n') + 1)
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(end-chunk, 0)
		n, err := r.spool.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1
		}
		end = start
	}
	return 0
}

func readSymlink(r *Result, path string) (*Result, bool) {
	target, err := readlink(path)
	if err != nil {
		var pe *fs.PathError
		switch {
		case errors.Is(err, errInvalid):
			r.Detail = "stopped being a symbolic link while read"
			return r, true
		case errors.As(err, &pe) && pe.Op == "open" &&
			(errors.Is(err, errLoop) || errors.Is(err, errNotDir)):
			r.Kind, r.Verdict = Gone, Vanished
			r.Detail = "a directory on its path was replaced by a symbolic link"
			return r, false
		}
		return failed(r, err), false
	}
	r.Kind = Symlink
	r.Linkname = target
	return r, false
}

// failed records err: a path that is gone is Vanished, anything else is
// Unreadable.
func failed(r *Result, err error) *Result {
	r.Close()
	if isGone(err) {
		r.Kind, r.Verdict = Gone, Vanished
		r.Detail = "no longer exists"
		return r
	}
	r.Kind, r.Verdict, r.Err = Gone, Unreadable, err
	r.Detail = err.Error()
	return r
}

func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return "irregular file"
}
