package main

import (
	"io"
	"os"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/clawback/clawback/backup"
)

// progress shows files, bytes and rate on stderr while create runs, only
// when stderr is a terminal.
type progress struct {
	bar  *progressbar.ProgressBar
	last time.Time
}

func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetDescription("archiving"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{bar: bar}
}

func (p *progress) update(pr backup.Progress) {
	if p.bar == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.bar.Describe("archiving " + strconv.FormatInt(pr.Files, 10) + " files")
	p.bar.Set64(pr.Bytes)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
