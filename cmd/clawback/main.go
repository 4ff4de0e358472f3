// Command clawback backs up a live application state directory, first of
// all OpenClaw's ~/.openclaw, in OpenClaw's archive format, and verifies
// such archives.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:]))
}
