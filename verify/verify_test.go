package verify

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/clawback/clawback/manifest"
)

// TestArchive_OpenClawReferences verifies every archive OpenClaw wrote in
// the reference set and expects what 2026.9.6's `backup verify --json`
// printed for it.
func TestArchive_OpenClawReferences(t *testing.T) {
	tests := []struct {
		file string
		want Result
	}{
		{"full-verified.tar.gz", Result{
			ArchiveRoot:    root,
			CreatedAt:      "2026-12-03T18:52:59.476Z",
			RuntimeVersion: "2026.9.6",
			AssetCount:     2, EntryCount: 52, SymlinkCount: 3,
			ExternalSymbolicLinks: []manifest.ExternalLink{{
				EntryPath: home + "/.openclaw/workspace/hostname-link",
				Linkpath:  "/etc/hostname",
			}},
		}},
		{"no-workspace.tar.gz", Result{
			ArchiveRoot:    "2026-12-03T18-53-05.039+00-00-openclaw-backup",
			CreatedAt:      "2026-12-03T18:53:05.039Z",
			RuntimeVersion: "2026.9.6",
			AssetCount:     1, EntryCount: 37, SymlinkCount: 0,
		}},
		{"only-config.tar.gz", Result{
			ArchiveRoot:    "2026-12-03T18-53-07.099+00-00-openclaw-backup",
			CreatedAt:      "2026-12-03T18:53:07.099Z",
			RuntimeVersion: "2026.9.6",
			AssetCount:     1, EntryCount: 2, SymlinkCount: 0,
		}},
		{"baseline-sqlite.tar.gz", Result{
			ArchiveRoot:    "2026-12-03T18-54-55.479+00-00-openclaw-backup",
			CreatedAt:      "2026-12-03T18:54:55.479Z",
			RuntimeVersion: "2026.9.6",
			AssetCount:     1, EntryCount: 43, SymlinkCount: 0,
			SnapshotsChecked: 1,
		}},
		{"old-2026.4.14.tar.gz", Result{
			ArchiveRoot:    "2026-12-03T18-55-33.348Z-openclaw-backup",
			CreatedAt:      "2026-12-03T18:55:33.348Z",
			RuntimeVersion: "2026.4.14",
			AssetCount:     2, EntryCount: 82, SymlinkCount: 2,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := filepath.Abs(filepath.Join("testdata", "openclaw", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Archive(context.Background(), p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.ArchivePath, want.Compression = p, compressionGzip
			if diff := cmp.Diff(want, *got, cmpopts.EquateEmpty(),
				cmpopts.IgnoreFields(Result{}, "Manifest")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if got.Manifest == nil || len(got.Manifest.Assets) != want.AssetCount {
				t.Errorf("manifest %+v does not list %d assets",
					got.Manifest, want.AssetCount)
			}
		})
	}
}

// TestArchive_File covers what is checked before the archive is read.
func TestArchive_File(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.tar.gz")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok.tar.gz")
	err := os.WriteFile(ok, refBytes(t, "full-verified.tar.gz"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	viaLink := filepath.Join(dir, "link.tar.gz")
	if err := os.Symlink(ok, viaLink); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, want string
		wantErr          error
	}{
		{"missing", filepath.Join(dir, "nope.tar.gz"),
			"Archive does not exist. Check the path and run " +
				"`clawback verify <archive>` again.", fs.ErrNotExist},
		{"directory", dir, "Archive must be a regular file. Choose a backup " +
			"archive created by `clawback create` or `openclaw backup create` and try again.", nil},
		{"zero bytes", empty, "Archive is not a valid OpenClaw backup. " +
			"Unrecognized archive format. Choose another archive or create " +
			"a new one with `clawback create`.", nil},
		{"below a file", filepath.Join(ok, "x"), "Archive could not be " +
			"inspected. ENOTDIR: not a directory, stat '" +
			filepath.Join(ok, "x") + "' Check the path and file " +
			"permissions, then try again.", syscall.ENOTDIR},
		{"symbolic link to an archive", viaLink, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := reasonOf(t, tt.path)
			if got != tt.want {
				t.Errorf("reason = %q, want %q", got, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
		})
	}
}

// TestArchive_RelativePath names the archive by its absolute path, as
// OpenClaw resolves the argument.
func TestArchive_RelativePath(t *testing.T) {
	rel := filepath.Join("testdata", "openclaw", "only-config.tar.gz")
	abs, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Archive(context.Background(), rel, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ArchivePath != abs {
		t.Errorf("ArchivePath = %q, want %q", res.ArchivePath, abs)
	}
}

// TestStream_Canceled returns the context's error itself, not an *Error.
func TestStream_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := os.Open(filepath.Join("testdata", "openclaw", "full-verified.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Stream(ctx, f, "x.tar.gz", Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("cancellation reported as a verification failure: %v", err)
	}
}

// TestError_Wording pins the sentence OpenClaw prints around a reason.
func TestError_Wording(t *testing.T) {
	err := &Error{ArchivePath: "/b/a.tar.gz",
		Reason: "Backup manifest is missing assets."}
	want := "Backup archive verification failed: /b/a.tar.gz. " +
		"Backup manifest is missing assets."
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

// TestNodeText words file system errors as Node does.
func TestNodeText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/b/a.tar.gz", Err: syscall.EACCES},
			"EACCES: permission denied, open '/b/a.tar.gz'"},
		{&fs.PathError{Op: "read", Path: "/b/a.tar.gz", Err: syscall.EIO},
			"EIO: i/o error, read"},
		{errors.New("plain"), "plain"},
	}
	for _, tt := range tests {
		if got := nodeText(tt.err); got != tt.want {
			t.Errorf("nodeText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
