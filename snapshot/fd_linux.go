//go:build linux

package snapshot

import (
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// holding reports whether a descriptor of this process refers to the file
// that fi describes: the main file of the connection just opened, once
// every other descriptor of it has been closed.
func holding(fi fs.FileInfo) bool {
	want, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return false
	}
	for _, e := range fds {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) == nil && st.Dev == want.Dev &&
			st.Ino == want.Ino {
			return true
		}
	}
	return false
}
