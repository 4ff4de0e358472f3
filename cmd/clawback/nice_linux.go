package main

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

const (
	ioprioWhoProcess = 1
	ioprioClassIdle  = 3
	ioprioClassShift = 13
)

// lowerPriority gives the whole process the lowest CPU priority (nice 19)
// and the idle I/O class. Linux keeps both per thread, so every thread
// that exists now is changed; threads the runtime starts later are cloned
// from these and inherit them.
func lowerPriority() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("lower priority: list threads: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, 19); err != nil && err != unix.ESRCH {
			return fmt.Errorf("lower CPU priority: %w", err)
		}
		_, _, errno := unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess,
			uintptr(tid), ioprioClassIdle<<ioprioClassShift)
		if errno != 0 && errno != unix.ESRCH {
			return fmt.Errorf("lower I/O priority: %w", errno)
		}
	}
	return nil
}
