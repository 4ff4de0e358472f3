package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/capture"
	"github.com/clawback/clawback/filter"
)

// entry is one archive member on its way from the walker, through a reader,
// to the writer. done is closed when res is final.
type entry struct {
	member string
	src    string
	rel    string
	root   bool

	isDir    bool
	dirMode  fs.FileMode
	dirMtime time.Time

	ticket int64
	res    *capture.Result
	held   int64
	done   chan struct{}
}

// walkStats is what the walker counted. The writer reads it only after the
// walker has closed its channel.
type walkStats struct {
	rules    map[string]int
	excluded []Excluded
}

// walker lists the assets depth first, children in byte order, and hands
// every entry to the writer in that order and every non-directory to the
// readers.
type walker struct {
	ctx     context.Context
	assets  []walkAsset
	prune   map[string]bool
	rules   *filter.Set
	ordered chan<- *entry
	jobs    chan<- *entry
	tickets int64
	stats   walkStats

	// pending holds, outermost first, the left-out directories being
	// walked only for what an --include brings back. Each is emitted just
	// before the first entry below it, so a left-out directory with
	// nothing included below it stays out of the archive.
	pending []*entry
}

type walkAsset struct {
	src, member  string
	isDir, state bool
}

// errRootGone is a planned asset root that vanished before it was read.
var errRootGone = errors.New("Required backup source disappeared")

// run walks every asset. It returns an error only for a vanished asset root
// or a cancelled run; everything else becomes an entry.
func (w *walker) run() error {
	defer close(w.ordered)
	defer close(w.jobs)
	for _, a := range w.assets {
		var err error
		if a.isDir {
			err = w.dir(a, a.src, a.member, "", "")
		} else {
			err = w.file(a.src, a.member, "", true)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// within names the rule that left out an ancestor whose subtree is walked
// only for what a later --include brings back; it is "" otherwise.
func (w *walker) dir(a walkAsset, src, member, rel, within string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	d, err := capture.OpenDir(src)
	if err == nil {
		err = w.dirBody(a, d, src, member, rel, within)
	}
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	gone := errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir)
	if rel == "" {
		if gone {
			return fmt.Errorf("%w: %s", errRootGone, src)
		}
		return fmt.Errorf("read backup source %s: %w", src, err)
	}
	if within != "" {
		return nil // left out anyway: nothing below it can come back
	}
	r := &capture.Result{Kind: capture.Gone, Verdict: capture.Vanished,
		Detail: "directory no longer exists"}
	if !gone {
		r.Verdict, r.Err, r.Detail = capture.Unreadable, err, err.Error()
	}
	return w.emit(&entry{member: member, src: src, rel: rel, res: r}, false)
}

// dirBody emits the directory d, then its children. It closes d.
func (w *walker) dirBody(a walkAsset, d interface {
	Stat() (fs.FileInfo, error)
	ReadDir(int) ([]fs.DirEntry, error)
	Close() error
}, src, member, rel, within string) error {
	fi, err := d.Stat()
	if err != nil {
		d.Close()
		return err
	}
	list, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return err
	}
	e := &entry{member: member, src: src, rel: rel, root: rel == "",
		isDir: true, dirMode: fi.Mode(), dirMtime: fi.ModTime()}
	if within != "" {
		w.pending = append(w.pending, e)
		defer w.unpend(e, within)
	} else if err := w.emit(e, false); err != nil {
		return err
	}
	slices.SortFunc(list, func(x, y fs.DirEntry) int {
		return strings.Compare(x.Name(), y.Name())
	})

	// A valid CACHEDIR.TAG leaves only the tag in the archive.
	if idx := slices.IndexFunc(list, func(x fs.DirEntry) bool {
		return x.Name() == "CACHEDIR.TAG" && x.Type().IsRegular()
	}); idx >= 0 && validTag(filepath.Join(src, "CACHEDIR.TAG")) {
		w.stats.rules[filter.RuleCacheDirTag] += len(list) - 1
		for _, x := range list {
			if x.Name() != "CACHEDIR.TAG" {
				w.exclude(filter.RuleCacheDirTag, filepath.Join(src, x.Name()))
			}
		}
		list = list[idx : idx+1]
	}

	// The sidecars of a database are never archived. Headers are read
	// here, before any child is handed to a reader, so no descriptor of a
	// database is closed while a reader holds a connection to it.
	names := make([]string, len(list))
	regular := map[string]bool{}
	for i, x := range list {
		names[i] = x.Name()
		regular[x.Name()] = x.Type().IsRegular()
	}
	side := sidecars(src, names, func(n string) bool { return regular[n] })

	for _, x := range list {
		name := x.Name()
		childSrc := filepath.Join(src, name)
		childMember := path.Join(member, name)
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		isDir := x.IsDir()
		if isDir && w.prune[childSrc] {
			continue
		}
		if side[name] {
			w.stats.rules[filter.RuleSQLiteSidecar]++
			w.exclude(filter.RuleSQLiteSidecar, childSrc)
			continue
		}
		childWithin := ""
		if rule, out := w.rules.MatchWithin(childRel, isDir, a.state, within); out {
			if !isDir || !w.rules.MayIncludeBelow(childRel) {
				w.stats.rules[rule]++
				w.exclude(rule, childSrc)
				continue
			}
			childWithin = rule // walked for what an --include brings back
		}
		if isDir {
			err = w.dir(a, childSrc, childMember, childRel, childWithin)
		} else {
			err = w.file(childSrc, childMember, childRel, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// unpend drops the left-out directory e, if nothing below it was emitted,
// and counts it under its rule.
func (w *walker) unpend(e *entry, rule string) {
	if n := len(w.pending); n > 0 && w.pending[n-1] == e {
		w.pending = w.pending[:n-1]
		w.stats.rules[rule]++
		w.exclude(rule, e.src)
	}
}

func (w *walker) exclude(rule, src string) {
	w.stats.excluded = append(w.stats.excluded, Excluded{Path: src, Rule: rule})
}

func (w *walker) file(src, member, rel string, root bool) error {
	return w.emit(&entry{member: member, src: src, rel: rel, root: root}, true)
}

// emit hands e to the writer and, for a file, to the readers, after the
// pending directories above it.
func (w *walker) emit(e *entry, read bool) error {
	if len(w.pending) > 0 {
		pending := w.pending
		w.pending = nil
		for _, d := range pending {
			if err := w.emit(d, false); err != nil {
				return err
			}
		}
	}
	e.done = make(chan struct{})
	if !read {
		close(e.done)
	} else {
		e.ticket = w.tickets
		w.tickets++
	}
	select {
	case w.ordered <- e:
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
	if read {
		select {
		case w.jobs <- e:
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
	}
	return nil
}

func validTag(p string) bool {
	head, err := capture.ReadHead(p, len(filter.CacheDirSignature))
	return err == nil && string(head) == filter.CacheDirSignature
}

// memberOf is the archive member name of an asset root.
func memberOf(root, src string) string { return archive.MemberPath(root, src) }
