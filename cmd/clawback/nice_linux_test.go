package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestNice starts `create --nice` on a slow source and, while it runs,
// reads every one of its threads' nice value and I/O priority class.
func TestNice(t *testing.T) {
	bin := buildClawback(t)
	dir, src := t.TempDir(), slowSource(t)
	cmd := exec.Command(bin, "create", "--nice", "--source", src,
		"--output", dir+"/", "--level", "9", "--jobs", "2")
	cmd.Env = append(os.Environ(), "HOME="+dir, "TMPDIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	}()
	if !waitFor(func() bool {
		m, _ := filepath.Glob(filepath.Join(dir, ".clawback-*.tmp"))
		return len(m) > 0
	}) {
		t.Fatal("no temporary archive appeared")
	}

	taskDir := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "task")
	tasks, err := os.ReadDir(taskDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 2 {
		t.Fatalf("expected several threads, found %d", len(tasks))
	}
	for _, task := range tasks {
		stat, err := os.ReadFile(filepath.Join(taskDir, task.Name(), "stat"))
		if err != nil {
			continue // the thread ended
		}
		// Fields after the command name, which is in parentheses: the
		// 19th field of the line is the nice value.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if nice := fields[16]; nice != "19" {
			t.Errorf("thread %s: nice %s, want 19", task.Name(), nice)
		}
		tid, _ := strconv.Atoi(task.Name())
		prio, _, errno := unix.Syscall(unix.SYS_IOPRIO_GET, ioprioWhoProcess, uintptr(tid), 0)
		if errno == 0 && prio>>ioprioClassShift != ioprioClassIdle {
			t.Errorf("thread %s: I/O class %d, want idle (%d)", task.Name(), prio>>ioprioClassShift, ioprioClassIdle)
		}
	}
}
