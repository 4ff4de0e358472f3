package main

import "runtime/debug"

// memoryLimit is the soft limit on the Go runtime's memory. clawback's
// working set is bounded (a 16 MiB read-ahead window, the compressor's
// blocks, a small digest per archived name), but the collector would
// otherwise let the heap grow to twice that between collections. A
// GOMEMLIMIT in the environment wins.
const memoryLimit = 80 << 20

func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
