package main

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdPatch replaces the one occurrence of OLD in a file with NEW, of the
// same length, so that an uncompressed tar keeps its layout and only a
// member's body changes: patch FILE OLD NEW.
func cmdPatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || len(args[1]) != len(args[2]) {
		ts.Fatalf("usage: patch FILE OLD NEW (OLD and NEW of one length)")
	}
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	if n := bytes.Count(data, []byte(args[1])); n != 1 {
		ts.Fatalf("patch: %q occurs %d times in %s, want once", args[1], n, args[0])
	}
	data = bytes.Replace(data, []byte(args[1]), []byte(args[2]), 1)
	ts.Check(os.WriteFile(name, data, 0o644))
}

// cmdRefArchive copies an archive that OpenClaw wrote from the verify
// package's test data: refarchive NAME DEST.
func cmdRefArchive(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: refarchive NAME DEST")
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "verify", "testdata",
		"openclaw", args[0]))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}
