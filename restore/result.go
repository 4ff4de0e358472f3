package restore

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// PidFile is the file in OpenClaw's state directory that names the running
// gateway's process.
const PidFile = "gateway.pid"

// stateDir is the state directory the archive restores in place: the first
// asset of kind "state", else the manifest's stateDir.
func (p *plan) stateDir() string {
	for _, a := range p.assets {
		if a.Kind == "state" {
			return a.orig
		}
	}
	return p.m.Paths.StateDir
}

// gatewayStopped refuses an in-place restore while <state>/gateway.pid
// names a live process: the gateway would keep writing the old state over
// the restored one.
func (p *plan) gatewayStopped() error {
	dir := p.stateDir()
	if dir == "" || !filepath.IsAbs(dir) {
		return nil
	}
	pidPath := filepath.Join(dir, PidFile)
	f, err := os.Open(pidPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return refusef("read %s: %w; stop the OpenClaw gateway, or pass "+
			"--force", pidPath, err)
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 64))
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data)))
	if err != nil || pid <= 0 || !alive(pid) {
		return nil // a stale or malformed pid file
	}
	return refusef("the OpenClaw gateway appears to be running (process "+
		"%d, named by %s); stop the gateway first, or "+
		"pass --force", pid, pidPath)
}

// result describes the restore that the plan will perform.
func (p *plan) result(display string, o Options) *Result {
	res := &Result{ArchivePath: display, ArchiveRoot: p.root,
		InPlace: o.InPlace, DryRun: o.DryRun}
	if !o.InPlace {
		res.Target, _ = filepath.Abs(o.Target)
	}
	for _, a := range p.assets {
		if a.members == 0 {
			continue
		}
		res.Assets = append(res.Assets, AssetResult{Kind: a.Kind,
			SourcePath: a.SourcePath, MemberCount: a.members,
			RestoredTo: filepath.Join(a.dir, filepath.FromSlash(a.base))})
	}
	for _, m := range p.all {
		if m.asset == nil || !m.sel {
			continue
		}
		switch m.kind {
		case tar.TypeReg:
			res.Files++
			res.Bytes += m.size
		case tar.TypeDir:
			res.Dirs++
		case tar.TypeSymlink:
			res.Symlinks++
		}
		if o.DryRun {
			res.Paths = append(res.Paths, filepath.Join(m.asset.dir,
				filepath.FromSlash(m.dest)))
		}
	}
	if o.DryRun {
		for _, mv := range p.moves {
			res.MovedAside = append(res.MovedAside, Moved{Path: mv.abs, To: mv.finalAbs})
		}
	}
	res.Notes = notes(o, res.Target)
	res.WouldRefuse = p.refusal
	return res
}

// notes are what an OpenClaw user needs to know after a restore.
func notes(o Options, target string) []string {
	if !o.InPlace {
		return []string{
			"The files were restored under " + target + ", not where " +
				"OpenClaw looks for them; copy what you need into place " +
				"while the gateway is stopped, or restore with --in-place.",
			"Absolute paths in the restored config (workspaces, agent " +
				"directories) still name the original locations, not " +
				"paths under " + target + ".",
			"Channel credentials (WhatsApp, Telegram and others) may need " +
				"linking again if they were revoked or rotated since the " +
				"backup.",
		}
	}
	return []string{
		"Start the OpenClaw gateway again only now that the restore is " +
			"complete.",
		"Channel credentials (WhatsApp, Telegram and others) may need " +
			"linking again if they were revoked or rotated since the " +
			"backup.",
		"What was in the way was renamed to *.before-restore-<time>; " +
			"delete it once the restored state works and nothing in it " +
			"is still needed.",
	}
}
