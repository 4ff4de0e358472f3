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
	now  backup.Progress // the latest counts, drawn at most every 100 ms
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
	p.now = pr
	if p.bar == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.draw()
}

func (p *progress) draw() {
	p.last = time.Now()
	p.bar.Describe("archiving " + strconv.FormatInt(p.now.Files, 10) + " files")
	p.bar.Set64(p.now.Bytes)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.draw()
		p.bar.Finish()
	}
}
