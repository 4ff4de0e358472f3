package main

import (
	"errors"
	"fmt"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spf13/cobra"

	"github.com/clawback/clawback/restore"
)

const restoreLong = `Restore the files of a backup archive written by clawback or by OpenClaw.
The archive is verified first; a damaged archive, or one with a member that
could write outside its destination (.., absolute names, links, devices),
is refused before anything is written.

With --target DIR every asset is restored under DIR at its original
absolute path (DIR/home/you/.openclaw/...; Windows paths go to
DIR/windows/<drive>/...). Nothing under DIR is ever replaced.

With --in-place every asset goes back to its original path. What is there
is renamed to <path>.before-restore-<time>, never deleted. The restore
refuses while the OpenClaw gateway appears to run (a gateway.pid in the
state directory naming a live process) unless --force is given.

--only GLOB restores a subset: a doublestar glob matched against the path
relative to the asset root (the same paths as create's --exclude), for
example "agents/main/**" or "credentials"; a matching directory brings
everything below it. For an asset that is a single file, its name is
matched.

Files are written under a temporary name, synced and renamed into place;
modes (without setuid, setgid and sticky bits) and modification times are
restored. A failed or interrupted restore removes what it wrote and puts
moved-aside paths back.

` + restoreExitCodesHelp

const restoreExamples = `  # Restore into a fresh directory and look around
  clawback restore --target /tmp/restored backup.tar.gz

  # Put the state back where it was (stop the gateway first)
  clawback restore --in-place backup.tar.gz

  # Bring back one agent's directory only, and show what would be written
  clawback restore --in-place --only 'agents/main/**' --dry-run backup.tar.gz`

type restoreFlags struct {
	target         string
	inPlace, force bool
	only           []string
	dryRun, json   bool
}

func (a *app) restoreCommand() *cobra.Command {
	f := &restoreFlags{}
	c := &cobra.Command{
		Use:     "restore ARCHIVE (--target DIR | --in-place)",
		Short:   "Restore a backup archive under a directory or in place",
		Long:    restoreLong,
		Example: restoreExamples,
		Args:    oneArchive,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.restore(cmd, f, args[0])
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.target, "target", "", "restore under this directory, at the original absolute paths")
	fl.BoolVar(&f.inPlace, "in-place", false, "restore at the original paths, moving what is there aside")
	fl.BoolVar(&f.force, "force", false, "restore in place even while the gateway appears to run")
	fl.StringArrayVar(&f.only, "only", nil, "restore only paths matching this glob, relative to the asset root (repeatable)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "check everything and show what would be written; write nothing")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	return c
}

func (a *app) restore(cmd *cobra.Command, f *restoreFlags, archivePath string) error {
	switch {
	case f.inPlace && f.target != "":
		return usagef("--target and --in-place exclude each other; choose one")
	case !f.inPlace && f.target == "":
		return usagef("restore needs --target DIR or --in-place")
	case f.force && !f.inPlace:
		return usagef("--force applies only to --in-place")
	}
	for _, g := range f.only {
		if !doublestar.ValidatePattern(g) {
			return usagef("--only %q is not a valid glob", g)
		}
	}
	opts := restore.Options{
		Target:  a.abs(expandHome(f.target, a.getenv)),
		InPlace: f.inPlace,
		Force:   f.force,
		Only:    f.only,
		DryRun:  f.dryRun,
	}
	if f.inPlace {
		opts.Target = ""
	}
	res, err := restore.Archive(cmd.Context(), a.archivePath(archivePath), opts)
	if err != nil {
		if cmd.Context().Err() != nil {
			fmt.Fprintln(a.stderr, "clawback: interrupted; everything restored so far was removed")
			a.code = exitInterrupted
			if !errors.Is(err, cmd.Context().Err()) {
				fmt.Fprintln(a.stderr, err)
			}
			return nil
		}
		return a.fail(f.json, err)
	}
	a.printRestore(f, res)
	return nil
}

func (a *app) printRestore(f *restoreFlags, res *restore.Result) {
	if f.json {
		var target any
		if !res.InPlace {
			target = res.Target
		}
		moved := res.MovedAside
		if moved == nil {
			moved = []restore.Moved{}
		}
		o := object{
			{"ok", true},
			{"archivePath", res.ArchivePath},
			{"archiveRoot", res.ArchiveRoot},
			{"targetPath", target},
			{"inPlace", res.InPlace},
			{"dryRun", res.DryRun},
			{"assets", res.Assets},
			{"movedAside", moved},
			{"counts", object{{"regular", res.Files}, {"dirs", res.Dirs},
				{"symlinks", res.Symlinks}, {"bytes", res.Bytes}}},
		}
		if res.DryRun {
			o = append(o, kv{"paths", res.Paths})
			if res.WouldRefuse != "" {
				o = append(o, kv{"wouldRefuse", res.WouldRefuse})
			}
		}
		o = append(o, kv{"warnings", res.Notes})
		writeJSON(a.stdout, o)
		return
	}
	w := a.stdout
	fmt.Fprintf(w, "Backup archive: %s\n", res.ArchivePath)
	verb := "Restored"
	if res.DryRun {
		verb = "Would restore"
	}
	for _, as := range res.Assets {
		if len(f.only) > 0 {
			// Only part of the asset: say how much.
			fmt.Fprintf(w, "%s %d %s of %s %s (matching --only) to %s\n", verb,
				as.MemberCount, plural(as.MemberCount, "entry", "entries"),
				as.Kind, as.SourcePath, as.RestoredTo)
			continue
		}
		fmt.Fprintf(w, "%s %s %s to %s\n", verb, as.Kind, as.SourcePath, as.RestoredTo)
	}
	for _, mv := range res.MovedAside {
		if res.DryRun {
			fmt.Fprintf(w, "Would move aside %s to %s\n", mv.Path, mv.To)
		} else {
			fmt.Fprintf(w, "Moved aside %s to %s\n", mv.Path, mv.To)
		}
	}
	fmt.Fprintf(w, "%s %d %s, %d %s and %d symbolic %s (%s).\n", verb,
		res.Files, plural(res.Files, "file", "files"), res.Dirs,
		plural(res.Dirs, "directory", "directories"), res.Symlinks,
		plural(res.Symlinks, "link", "links"), humanBytes(res.Bytes))
	if res.DryRun {
		for _, p := range res.Paths {
			fmt.Fprintf(w, "  %s\n", shown(p))
		}
		fmt.Fprintln(w, "Dry run only; nothing was written.")
		if res.WouldRefuse != "" {
			fmt.Fprintf(w, "Warning: without --dry-run this restore would be refused: %s.\n",
				res.WouldRefuse)
		}
		return
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
}
