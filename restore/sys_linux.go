//go:build linux

package restore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// statfs is unix.Statfs; tests replace it to fake a full file system.
var statfs = unix.Statfs

// freeSpace reports the file system of dir, or of its nearest existing
// parent when dir does not exist yet: an identity, the block size and the
// bytes available to an unprivileged user. at is the directory measured.
func freeSpace(dir string) (id [2]int64, bsize, avail uint64, at string,
	err error) {
	at = dir
	for {
		var st unix.Statfs_t
		err = statfs(at, &st)
		if err == nil {
			id = [2]int64{int64(st.Fsid.Val[0]), int64(st.Fsid.Val[1])}
			return id, uint64(st.Bsize), st.Bavail * uint64(st.Bsize), at,
				nil
		}
		parent := filepath.Dir(at)
		if !errors.Is(err, unix.ENOENT) || parent == at {
			return id, 0, 0, at, fmt.Errorf("measure free space of %s: %w",
				at, err)
		}
		at = parent
	}
}

// renameAt renames old to new, both in directory d, without replacing an
// existing new. Where the file system cannot, a file is hard-linked and
// unlinked; a directory is renamed after a check, which leaves a window.
func renameAt(d *os.File, old, new string) error {
	fd := int(d.Fd())
	err := unix.Renameat2(fd, old, fd, new, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		var st unix.Stat_t
		if err = unix.Fstatat(fd, old, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
			if st.Mode&unix.S_IFMT != unix.S_IFDIR {
				if err = unix.Linkat(fd, old, fd, new, 0); err == nil {
					err = unix.Unlinkat(fd, old, 0)
				}
			} else if err = unix.Fstatat(fd, new, &st,
				unix.AT_SYMLINK_NOFOLLOW); err == nil {
				err = unix.EEXIST
			} else if errors.Is(err, unix.ENOENT) {
				err = unix.Renameat(fd, old, fd, new)
			}
		}
	}
	if errors.Is(err, unix.EEXIST) {
		return fs.ErrExist
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: old, New: new, Err: err}
	}
	return nil
}

// openAt creates name in directory d for writing; it fails if name exists,
// even as a symbolic link.
func openAt(d *os.File, name string) (*os.File, error) {
	fd, err := unix.Openat(int(d.Fd()), name,
		unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|
			unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &fs.PathError{Op: "create", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// symlinkAt creates the symbolic link name in d with target as stored.
func symlinkAt(d *os.File, target, name string) error {
	if err := unix.Symlinkat(target, int(d.Fd()), name); err != nil {
		if errors.Is(err, unix.EEXIST) {
			return fs.ErrExist
		}
		return &fs.PathError{Op: "symlink", Path: name, Err: err}
	}
	return nil
}

// linkTimes sets the times of the symbolic link name in d itself, not of
// what it points to.
func linkTimes(d *os.File, name string, mtime time.Time) error {
	ts := unix.NsecToTimespec(mtime.UnixNano())
	err := unix.UtimesNanoAt(int(d.Fd()), name, []unix.Timespec{ts, ts},
		unix.AT_SYMLINK_NOFOLLOW)
	if err != nil {
		return &fs.PathError{Op: "set time of", Path: name, Err: err}
	}
	return nil
}

// removeAt removes the file name in d.
func removeAt(d *os.File, name string) error {
	return unix.Unlinkat(int(d.Fd()), name, 0)
}

// setTimes sets the access and modification times of an open file to
// mtime.
func setTimes(f *os.File, mtime time.Time) error {
	tv := unix.NsecToTimeval(mtime.UnixNano())
	if err := unix.Futimes(int(f.Fd()), []unix.Timeval{tv, tv}); err != nil {
		return &fs.PathError{Op: "set time of", Path: f.Name(), Err: err}
	}
	return nil
}

// alive reports whether a process with this id exists.
func alive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
