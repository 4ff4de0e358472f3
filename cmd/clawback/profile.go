package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to the file named by
// CLAWBACK_CPUPROFILE, for the benchmark's "where does the time go"
// questions. It returns the function that stops it.
func startProfile(getenv func(string) string) func() {
	name := getenv("CLAWBACK_CPUPROFILE")
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
