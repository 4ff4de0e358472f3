package restore

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dustin/go-humanize"

	sq "github.com/clawback/clawback/snapshot"
)

// place selects the members to restore and decides each asset's
// destination root directory.
func (p *plan) place(o Options) error {
	if err := p.selectMembers(o.Only); err != nil {
		return err
	}
	p.roots = map[string]*os.Root{}
	target := ""
	if !o.InPlace {
		abs, err := filepath.Abs(o.Target)
		if err != nil {
			return fmt.Errorf("resolve target %s: %w", o.Target, err)
		}
		target = abs
	}
	for _, a := range p.assets {
		if o.InPlace && !a.posix && a.members == 0 {
			continue
		}
		dir, base, err := placeAsset(a.encoded, target, o.InPlace)
		if err != nil {
			return refusef("asset %s: %w", a.SourcePath, err)
		}
		a.dir, a.base = dir, base
	}
	for _, m := range p.all {
		if m.asset != nil {
			m.dest = destOf(m.asset.base, m.rel)
		}
	}
	return nil
}

// openRoot returns the os.Root of dir, opening it on first use, or nil when
// dir does not exist yet.
func (p *plan) openRoot(dir string) (*os.Root, error) {
	if r := p.roots[dir]; r != nil {
		return r, nil
	}
	r, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open destination %s: %w", dir, err)
	}
	p.roots[dir] = r
	return r, nil
}

func (p *plan) closeRoots() {
	for _, r := range p.roots {
		r.Close()
	}
}

// check refuses what must not be restored: an existing destination under a
// target directory, a path in the way that is not a directory, a running
// gateway, too little space. In place it plans the moves aside.
func (p *plan) check(o Options) error {
	if o.InPlace && !o.Force {
		// A dry run writes nothing, so it may preview while the gateway
		// runs; it says that the restore itself would be refused.
		if err := p.gatewayStopped(); err != nil && !o.DryRun {
			return err
		} else if err != nil {
			p.refusal = strings.TrimPrefix(err.Error(), ErrRefused.Error()+": ")
		}
	}
	if !o.InPlace {
		fi, err := os.Lstat(p.assets[0].dir)
		if err == nil && !fi.IsDir() {
			return refusef("target %s exists and is not a directory",
				p.assets[0].dir)
		}
	}
	stamp := o.Now().UTC().Format("20060102T150405Z")
	for _, u := range p.units {
		a := u.asset
		r, err := p.openRoot(a.dir)
		if err != nil {
			return err
		}
		if r == nil {
			continue // nothing exists below a missing directory
		}
		rel := path.Join(a.base, u.rel)
		abs := filepath.Join(a.dir, rel)
		if err := p.parentsAreDirs(r, a.dir, rel); err != nil {
			return err
		}
		if o.InPlace {
			if err := unfinished(r, a.dir, rel); err != nil {
				return err
			}
		}
		_, err = r.Lstat(rel)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return refusef("inspect destination %s: %w", abs, err)
		}
		if !o.InPlace {
			return refusef("%s already exists; restore never replaces "+
				"files: choose an empty --target directory, or move it "+
				"away", abs)
		}
		final, err := asideName(r, rel, stamp)
		if err != nil {
			return refusef("cannot move %s aside: %w", abs, err)
		}
		p.moves = append(p.moves, move{dir: a.dir, rel: rel,
			to: final + inProgress, final: final, abs: abs,
			dst:      filepath.Join(a.dir, final+inProgress),
			finalAbs: filepath.Join(a.dir, final)})
		if err := p.sidecarsAside(r, a.dir, rel, stamp); err != nil {
			return err
		}
	}
	return p.checkSpace()
}

// sidecarsAside moves the -wal, -shm and -journal files of a SQLite
// database that is replaced in place aside with it: left beside the
// restored database, a stale -wal would be replayed into it.
func (p *plan) sidecarsAside(r *os.Root, dir, rel, stamp string) error {
	f, err := r.Open(rel)
	if err != nil {
		return nil
	}
	head := make([]byte, len(sq.Magic))
	n, _ := io.ReadFull(f, head)
	f.Close()
	if !sq.IsDatabase(head[:n]) {
		return nil
	}
	for _, s := range sq.Sidecars {
		side := rel + s
		if _, err := r.Lstat(side); err != nil {
			continue
		}
		final, err := asideName(r, side, stamp)
		if err != nil {
			return refusef("cannot move %s aside: %w", filepath.Join(dir, side), err)
		}
		p.moves = append(p.moves, move{dir: dir, rel: side,
			to: final + inProgress, final: final,
			abs:      filepath.Join(dir, side),
			dst:      filepath.Join(dir, final+inProgress),
			finalAbs: filepath.Join(dir, final)})
	}
	return nil
}

// asideName picks <rel>.before-restore-<stamp>, with a counter added when
// that, or its in-progress name, exists already.
func asideName(r *os.Root, rel, stamp string) (string, error) {
	to := rel + asideMark + stamp
	for i := 2; ; i++ {
		_, err := r.Lstat(to)
		if errors.Is(err, fs.ErrNotExist) {
			_, err = r.Lstat(to + inProgress)
			if errors.Is(err, fs.ErrNotExist) {
				return to, nil
			}
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if i > 100 {
			return "", fmt.Errorf("%s and 99 more names exist", to)
		}
		to = fmt.Sprintf("%s%s%s-%d", rel, asideMark, stamp, i)
	}
}

// parentsAreDirs refuses a path whose existing parents below the root are
// not all directories: restore never writes through a symbolic link.
func (p *plan) parentsAreDirs(r *os.Root, dir, rel string) error {
	segs := strings.Split(rel, "/")
	for i := 1; i < len(segs); i++ {
		sub := strings.Join(segs[:i], "/")
		fi, err := r.Lstat(sub)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return refusef("inspect destination %s: %w",
				filepath.Join(dir, sub), err)
		}
		if !fi.IsDir() {
			return refusef("%s exists and is not a directory (%s); "+
				"restore will not write through it",
				filepath.Join(dir, sub), fi.Mode().Type())
		}
	}
	return nil
}

// checkSpace refuses a restore whose files do not fit in the free space of
// their file systems. Each file counts its size rounded up to whole
// blocks, each directory and link one block.
func (p *plan) checkSpace() error {
	type fsUse struct {
		dir         string
		need, avail uint64
	}
	byFS := map[[2]int64]*fsUse{}
	byDir := map[string]*fsUse{}
	bsizes := map[string]uint64{}
	for _, a := range p.assets {
		if a.members == 0 || byDir[a.dir] != nil {
			continue
		}
		id, bsize, avail, dir, err := freeSpace(a.dir)
		if err != nil {
			return err
		}
		u := byFS[id]
		if u == nil {
			u = &fsUse{dir: dir, avail: avail}
			byFS[id] = u
		}
		byDir[a.dir], bsizes[a.dir] = u, max(bsize, 1)
	}
	for _, m := range p.all {
		if m.asset == nil || !(m.sel || m.anc) {
			continue
		}
		bsize := bsizes[m.asset.dir]
		n := bsize
		if m.kind == tar.TypeReg {
			n = (uint64(m.size) + bsize - 1) / bsize * bsize
		}
		byDir[m.asset.dir].need += n
	}
	for _, u := range byFS {
		if u.need > u.avail {
			return refusef("not enough free space for the restore on the "+
				"file system of %s: %s needed, %s available; free some "+
				"space or choose another --target", u.dir,
				humanize.IBytes(u.need), humanize.IBytes(u.avail))
		}
	}
	return nil
}
