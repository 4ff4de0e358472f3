package main

import (
	"errors"
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
// and the idle I/O class. Linux keeps both per thread and a new thread
// inherits them from the thread that starts it, so the threads are listed
// and changed again until a pass finds none left unchanged: a thread the
// runtime starts from an unchanged one while a pass runs is caught by the
// next, and once all are changed, every later thread inherits both.
func lowerPriority() error {
	done := map[int]bool{}
	for pass := 0; pass < 100; pass++ {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("lower priority: list threads: %w", err)
		}
		changed := 0
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || done[tid] {
				continue
			}
			if err := lowerThread(tid); err != nil {
				return err
			}
			done[tid] = true
			changed++
		}
		if changed == 0 {
			return nil
		}
	}
	return errors.New("lower priority: threads kept appearing")
}

func lowerThread(tid int) error {
	if err := unix.Setpriority(unix.PRIO_PROCESS, tid, 19); err != nil && err != unix.ESRCH {
		return fmt.Errorf("lower CPU priority: %w", err)
	}
	_, _, errno := unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess,
		uintptr(tid), ioprioClassIdle<<ioprioClassShift)
	if errno != 0 && errno != unix.ESRCH {
		return fmt.Errorf("lower I/O priority: %w", errno)
	}
	return nil
}
