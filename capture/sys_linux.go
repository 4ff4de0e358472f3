//go:build linux

package capture

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

var (
	errNotDir  = syscall.ENOTDIR
	errLoop    = syscall.ELOOP
	errInvalid = syscall.EINVAL
)

// stamp is the part of a file's status that changes when it is written.
type stamp struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64
	mode         fs.FileMode
}

func toStamp(s *unix.Stat_t) stamp {
	return stamp{
		dev: s.Dev, ino: s.Ino, size: s.Size,
		mtime: s.Mtim.Nano(), ctime: s.Ctim.Nano(),
		mode: modeOf(s.Mode),
	}
}

func lstat(path string) (stamp, error) {
	var s unix.Stat_t
	if err := unix.Lstat(path, &s); err != nil {
		return stamp{}, &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	return toStamp(&s), nil
}

func fstat(f *os.File) (stamp, error) {
	var s unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &s); err != nil {
		return stamp{}, &fs.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return toStamp(&s), nil
}

// openFile opens path for reading without following a symbolic link in any
// component, without blocking on a FIFO that appeared in its place and,
// where permitted, without updating its access time.
func openFile(path string) (*os.File, error) {
	flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	fd, err := open2(path, flags|unix.O_NOATIME)
	if errors.Is(err, unix.EPERM) {
		fd, err = open2(path, flags)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

func open2(path string, flags int) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags),
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(unix.AT_FDCWD, path, &how)
		switch {
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
			continue
		case errors.Is(err, unix.ENOSYS):
			return unix.Open(path, flags, 0)
		}
		return fd, err
	}
}

// newSpool creates an unlinked temporary file in dir, so that nothing is
// left behind whatever happens to the process.
func newSpool(dir string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), dir+"/(spool)"), nil
	}
	f, err := os.CreateTemp(dir, ".clawback-spool-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

func modeOf(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	return mode
}

// readlink reads the symbolic link at path through its directory, opened
// without following a symbolic link in any component, so that a directory
// on the path replaced by a link does not lead to a link elsewhere. An
// entry that is no longer a symbolic link fails with EINVAL.
func readlink(path string) (string, error) {
	dir, base := filepath.Split(path)
	fd, err := open2(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		return "", &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(fd, base, buf)
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: path, Err: err}
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// OpenDir opens the directory at path without following a symbolic link in
// any component.
func OpenDir(path string) (*os.File, error) {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := open2(path, flags)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// Open opens the file at path for reading as File opens it: without
// following a symbolic link in any component, without blocking on a FIFO
// and, where permitted, without updating its access time. The caller
// closes the file.
func Open(path string) (*os.File, error) { return openFile(path) }

// ReadHead returns up to n bytes from the start of the regular file at
// path, opened as File opens files.
func ReadHead(path string, n int) ([]byte, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := fstat(f)
	if err != nil || !st.mode.IsRegular() {
		return nil, fs.ErrInvalid
	}
	buf := make([]byte, n)
	m, err := f.ReadAt(buf, 0)
	if m > 0 {
		err = nil
	}
	return buf[:m], err
}
