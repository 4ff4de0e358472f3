package restore

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/clawback/clawback/archive"
	"github.com/clawback/clawback/manifest"
)

func cmpSnap(want, got map[string]node) string { return cmp.Diff(want, got) }

// liveState makes a small state directory in a new base directory, backs
// it up, and then changes it, as a user would before restoring. It
// returns the base, the state directory, the archive and the snapshots of
// the state as backed up and as changed.
func liveState(t *testing.T) (base, state, arc string, backed, changed map[string]node) {
	t.Helper()
	base = t.TempDir()
	state = filepath.Join(base, "home", ".openclaw")
	mt := time.Unix(1.7e9, 0)
	writeFile(t, filepath.Join(state, "openclaw.json"), []byte(`{"a": 1}`), 0o600, mt)
	writeFile(t, filepath.Join(state, "agents", "main", "agent", "models.json"), []byte("{}"), 0o600, mt)
	writeFile(t, filepath.Join(state, "credentials", "oauth.json"), []byte("secret"), 0o600, mt)
	if err := os.Symlink("agents/main", filepath.Join(state, "main")); err != nil {
		t.Fatal(err)
	}
	backed = snapshot(t, state)
	arc = makeArchive(t, state)

	writeFile(t, filepath.Join(state, "openclaw.json"), []byte(`{"broken": true}`), 0o644, mt.Add(time.Hour))
	writeFile(t, filepath.Join(state, "new.txt"), []byte("new"), 0o644, mt)
	changed = snapshot(t, state)
	return base, state, arc, backed, changed
}

// asides lists the moved-aside siblings of p.
func asides(t *testing.T, p string) []string {
	t.Helper()
	m, err := filepath.Glob(p + ".before-restore-*")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRestore_InPlaceMovesAside(t *testing.T) {
	_, state, arc, backed, changed := liveState(t)
	res, err := Archive(context.Background(), arc, Options{InPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmpSnap(backed, snapshot(t, state)); diff != "" {
		t.Fatalf("restored state differs (-backed up +restored):\n%s", diff)
	}
	moved := asides(t, state)
	if len(moved) != 1 || len(res.MovedAside) != 1 || res.MovedAside[0].To != moved[0] {
		t.Fatalf("moved aside: %v, result %+v", moved, res.MovedAside)
	}
	if diff := cmpSnap(changed, snapshot(t, moved[0])); diff != "" {
		t.Fatalf("moved-aside state differs (-before +aside):\n%s", diff)
	}

	// The file created and the one rewritten after the backup are named:
	// only the moved-aside copy holds them as they were.
	if mv := res.MovedAside[0]; mv.NotRestored != 1 || mv.Changed != 1 ||
		!slices.Equal(mv.Examples, []string{"new.txt", "openclaw.json"}) {
		t.Fatalf("not restored %d, changed %d, %v; want 1, 1, [new.txt openclaw.json]",
			mv.NotRestored, mv.Changed, mv.Examples)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool {
		return strings.Contains(n, moved[0]+" still holds 1 file that the "+
			"archive did not have and 1 that differ from the restored ones, such as new.txt")
	}) {
		t.Fatalf("no note names the file left in %s: %q", moved[0], res.Notes)
	}

	// A second restore in the same second picks another name.
	if _, err := Archive(context.Background(), arc, Options{InPlace: true,
		Now: func() time.Time { return time.Unix(1.8e9, 0) }}); err != nil {
		t.Fatal(err)
	}
	if _, err := Archive(context.Background(), arc, Options{InPlace: true,
		Now: func() time.Time { return time.Unix(1.8e9, 0) }}); err != nil {
		t.Fatal(err)
	}
	if n := len(asides(t, state)); n != 3 {
		t.Fatalf("%d moved-aside copies, want 3", n)
	}
}

func TestRestore_InPlaceRefusesLiveGateway(t *testing.T) {
	_, state, arc, backed, _ := liveState(t)
	pid := filepath.Join(state, PidFile)
	writeFile(t, pid, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644, time.Unix(1.7e9, 0))
	changed := snapshot(t, state)

	_, err := Archive(context.Background(), arc, Options{InPlace: true})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "gateway appears to be running") {
		t.Fatalf("restore: %v, want a refusal naming the gateway", err)
	}
	if diff := cmpSnap(changed, snapshot(t, state)); diff != "" {
		t.Fatalf("refused restore changed the state:\n%s", diff)
	}
	if m := asides(t, state); len(m) != 0 {
		t.Fatalf("refused restore moved aside: %v", m)
	}

	// A dry run previews, writes nothing, and says it would be refused.
	res, err := Archive(context.Background(), arc, Options{InPlace: true, DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !strings.HasPrefix(res.WouldRefuse, "the OpenClaw gateway appears to be running") {
		t.Fatalf("dry run says %q, not that the gateway would refuse the restore", res.WouldRefuse)
	}
	if diff := cmpSnap(changed, snapshot(t, state)); diff != "" {
		t.Fatalf("dry run changed the state:\n%s", diff)
	}

	// --force restores anyway.
	if _, err := Archive(context.Background(), arc, Options{InPlace: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	if diff := cmpSnap(backed, snapshot(t, state)); diff != "" {
		t.Fatalf("forced restore differs:\n%s", diff)
	}

	// A stale pid file does not stop the restore.
	writeFile(t, pid, []byte(strconv.Itoa(deadPid(t))), 0o644, time.Unix(1.7e9, 0))
	if _, err := Archive(context.Background(), arc, Options{InPlace: true}); err != nil {
		t.Fatalf("stale pid file: %v", err)
	}
}

// deadPid returns a process id that names no process.
func deadPid(t *testing.T) int {
	for pid := 4_000_000; pid > 3_000_000; pid -= 7919 {
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			return pid
		}
	}
	t.Fatal("no free pid found")
	return 0
}

// TestRestore_RollbackOnFailure injects a failure after some files were
// written, and a cancellation, and checks that the original state is back
// and nothing of the restore remains.
func TestRestore_RollbackOnFailure(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		t.Run(fmt.Sprintf("cancel=%v", cancel), func(t *testing.T) {
			base, state, arc, _, changed := liveState(t)
			before := snapshot(t, base)
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			boom := errors.New("disk on fire")
			n := 0
			afterWrite = func(p string) error {
				if n++; n < 3 {
					return nil
				}
				if cancel {
					stop()
					return nil
				}
				return boom
			}
			defer func() { afterWrite = nil }()

			_, err := Archive(ctx, arc, Options{InPlace: true})
			switch {
			case cancel && !errors.Is(err, context.Canceled):
				t.Fatalf("restore: %v, want context.Canceled", err)
			case !cancel && !errors.Is(err, boom):
				t.Fatalf("restore: %v, want the injected failure", err)
			}
			if n < 3 {
				t.Fatalf("failure injected after %d writes", n)
			}
			if diff := cmpSnap(changed, snapshot(t, state)); diff != "" {
				t.Fatalf("state not put back:\n%s", diff)
			}
			// The parent of the state directory received and lost the
			// restored copy, which changes its modification time.
			after := snapshot(t, base)
			for _, s := range []map[string]node{before, after} {
				n := s["home"]
				n.Mtime = time.Time{}
				s["home"] = n
			}
			if diff := cmpSnap(before, after); diff != "" {
				t.Fatalf("rollback left something behind:\n%s", diff)
			}
		})
	}
}

// TestRestore_RollbackOnBadContent restores (without the verification
// pass) an archive whose file no longer matches its checksum list: the
// mismatch is found while writing, and what was written is removed.
func TestRestore_RollbackOnBadContent(t *testing.T) {
	_, state, arc, _, _ := liveState(t)
	bad := rewriteArchive(t, arc, func(h *tar.Header, body []byte) []byte {
		if strings.HasSuffix(h.Name, "/credentials/oauth.json") {
			return []byte("SECRET")
		}
		return body
	})
	target := filepath.Join(t.TempDir(), "target")
	_, err := restoreUnverified(t, bad, Options{Target: target})
	if err == nil || errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("restore: %v, want a checksum failure", err)
	}
	mustNotExist(t, target)
	if _, err := Archive(context.Background(), bad, Options{Target: target}); !errors.Is(err, ErrRefused) {
		t.Fatalf("verified restore of a damaged archive: %v, want a refusal", err)
	}
	_ = state
}

func TestRestore_TargetRefusesExisting(t *testing.T) {
	_, state, arc, _, _ := liveState(t)
	target := t.TempDir()
	dest := restored(target, filepath.Join(state, "credentials"))
	writeFile(t, filepath.Join(dest, "mine.txt"), []byte("x"), 0o644, time.Unix(1.7e9, 0))
	before := snapshot(t, target)
	_, err := Archive(context.Background(), arc, Options{Target: target})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("restore: %v, want a refusal", err)
	}
	if diff := cmpSnap(before, snapshot(t, target)); diff != "" {
		t.Fatalf("refused restore wrote:\n%s", diff)
	}

	// --only another subtree writes beside what exists.
	res, err := Archive(context.Background(), arc, Options{Target: target, Only: []string{"agents/**"}})
	if err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, restored(target, state))
	if _, ok := got["agents/main/agent/models.json"]; !ok || res.Files != 1 {
		t.Fatalf("--only restored %v (%d files)", got, res.Files)
	}
	if _, ok := got["openclaw.json"]; ok {
		t.Fatal("--only restored openclaw.json")
	}
	if _, err := Archive(context.Background(), arc, Options{Target: t.TempDir(), Only: []string{"nothing/**"}}); !errors.Is(err, ErrRefused) {
		t.Fatalf("--only matching nothing: %v", err)
	}
}

func TestRestore_DryRunWritesNothing(t *testing.T) {
	base, state, arc, _, _ := liveState(t)
	before := snapshot(t, base)
	res, err := Archive(context.Background(), arc, Options{InPlace: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmpSnap(before, snapshot(t, base)); diff != "" {
		t.Fatalf("dry run wrote:\n%s", diff)
	}
	if len(res.MovedAside) != 1 || res.MovedAside[0].Path != state || len(res.Paths) == 0 {
		t.Fatalf("dry run result: %+v", res)
	}
	target := filepath.Join(t.TempDir(), "target")
	res, err = Archive(context.Background(), arc, Options{Target: target, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, target)
	if want := restored(target, filepath.Join(state, "openclaw.json")); !contains(res.Paths, want) {
		t.Fatalf("dry run paths %v lack %s", res.Paths, want)
	}
}

func TestRestore_RefusesWhenSpaceIsShort(t *testing.T) {
	_, _, arc, _, _ := liveState(t)
	statfs = func(p string, st *unix.Statfs_t) error {
		err := unix.Statfs(p, st)
		st.Bavail = 1
		return err
	}
	defer func() { statfs = unix.Statfs }()
	target := filepath.Join(t.TempDir(), "target")
	_, err := Archive(context.Background(), arc, Options{Target: target})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "not enough free space") {
		t.Fatalf("restore: %v, want a refusal for space", err)
	}
	mustNotExist(t, target)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRestore_Codecs restores zstd and uncompressed archives too.
func TestRestore_Codecs(t *testing.T) {
	for _, comp := range []archive.Compression{archive.Zstd, archive.None} {
		t.Run(string(comp), func(t *testing.T) {
			_, state, _, _, changed := liveState(t)
			arc := makeArchiveWith(t, comp, state)
			target := t.TempDir()
			if _, err := Archive(context.Background(), arc, Options{Target: target}); err != nil {
				t.Fatal(err)
			}
			if diff := cmpSnap(changed, snapshot(t, restored(target, state))); diff != "" {
				t.Fatalf("restored tree differs:\n%s", diff)
			}
		})
	}
}

// TestRestore_InPlaceOnly restores one file in place: only that file is
// moved aside and replaced; everything else stays as it is.
func TestRestore_InPlaceOnly(t *testing.T) {
	_, state, arc, backed, changed := liveState(t)
	res, err := Archive(context.Background(), arc, Options{InPlace: true,
		Only: []string{"openclaw.json"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(state, "openclaw.json")
	if len(res.MovedAside) != 1 || res.MovedAside[0].Path != cfg || res.Files != 1 {
		t.Fatalf("result: %+v", res)
	}
	want := map[string]node{}
	for k, n := range changed {
		want[k] = n
	}
	want["openclaw.json"] = backed["openclaw.json"]
	want[filepath.Base(res.MovedAside[0].To)] = changed["openclaw.json"]
	got := snapshot(t, state)
	// Renames inside the state directory change its own time.
	for _, s := range []map[string]node{want, got} {
		n := s["."]
		n.Mtime = time.Time{}
		s["."] = n
	}
	if diff := cmpSnap(want, got); diff != "" {
		t.Fatalf("state after --only restore (-want +got):\n%s", diff)
	}
}

// TestRestore_WindowsSource restores an asset backed up from a Windows
// path under DIR/windows/<drive>/ and refuses to restore it in place.
func TestRestore_WindowsSource(t *testing.T) {
	src := `C:\Users\me\.openclaw`
	pay := hostileRoot + "/payload/" + archive.EncodePath(src)
	arc := handArchive(t, hostileRoot,
		[]manifest.Asset{{Kind: "state", SourcePath: src, ArchivePath: pay}},
		entry{hdr: tar.Header{Name: pay + "/", Typeflag: tar.TypeDir, Mode: 0o700}},
		entry{hdr: tar.Header{Name: pay + "/openclaw.json", Typeflag: tar.TypeReg}, body: "{}"})
	target := t.TempDir()
	if _, err := Archive(context.Background(), arc, Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(target, "windows", "C", "Users", "me", ".openclaw", "openclaw.json"))
	if err != nil || string(data) != "{}" {
		t.Fatalf("restored file: %q, %v", data, err)
	}
	_, err = Archive(context.Background(), arc, Options{InPlace: true})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "--target") {
		t.Fatalf("in place: %v, want a refusal", err)
	}
}

// TestRestore_InPlaceRefusesAfterKilledRestore finds what a killed
// in-place restore leaves, a moved-aside path under its in-progress name,
// and refuses with the commands that put it back, touching nothing.
func TestRestore_InPlaceRefusesAfterKilledRestore(t *testing.T) {
	base, state, arc, _, _ := liveState(t)
	aside := state + ".before-restore-20261203T185259Z.in-progress"
	writeFile(t, filepath.Join(aside, "openclaw.json"), []byte("original"), 0o600, time.Unix(1.7e9, 0))
	before := snapshot(t, base)

	_, err := Archive(context.Background(), arc, Options{InPlace: true})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("restore: %v, want a refusal", err)
	}
	for _, want := range []string{"stopped before it could clean up",
		"rm -rf '" + state + "' && mv '" + aside + "' '" + state + "'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q\ndoes not say %q", err, want)
		}
	}
	if diff := cmpSnap(before, snapshot(t, base)); diff != "" {
		t.Fatalf("refused restore changed the destination:\n%s", diff)
	}

	// Once the state is gone too, the advice is a single rename.
	if err := os.RemoveAll(state); err != nil {
		t.Fatal(err)
	}
	_, err = Archive(context.Background(), arc, Options{InPlace: true})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(),
		"run: mv '"+aside+"' '"+state+"'") {
		t.Fatalf("restore with the state gone: %v", err)
	}
}

// TestRestore_InPlaceAsideNamesAreFinal checks that a completed in-place
// restore leaves no in-progress name, in the result or on disk.
func TestRestore_InPlaceAsideNamesAreFinal(t *testing.T) {
	_, state, arc, _, _ := liveState(t)
	res, err := Archive(context.Background(), arc, Options{InPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(state + ".before-restore-*.in-progress"); len(m) != 0 {
		t.Fatalf("in-progress names left: %v", m)
	}
	if len(res.MovedAside) != 1 || strings.HasSuffix(res.MovedAside[0].To, ".in-progress") {
		t.Fatalf("moved aside: %+v", res.MovedAside)
	}
	if _, err := os.Lstat(res.MovedAside[0].To); err != nil {
		t.Fatal(err)
	}
}
