//go:build linux

package backup

import "syscall"

var errNotDir = syscall.ENOTDIR
