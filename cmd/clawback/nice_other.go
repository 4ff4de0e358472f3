//go:build !linux

package main

import "errors"

func lowerPriority() error {
	return errors.New("--nice is supported on Linux only")
}
