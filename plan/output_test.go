package plan

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMakeOutput(t *testing.T) {
	name := testRoot + ".tar.gz"
	setup := func(tb testing.TB, h string) {
		openclawHome(tb, h, "entries")
		build(tb, h, "work/", "backups/old.tar.gz=old",
			"state-link -> .openclaw")
	}
	cases := []struct {
		name   string
		cwd    string
		vars   map[string]string
		output string
		dryRun bool
		want   string // relative to the home
	}{
		{name: "default goes in the working directory", cwd: "work",
			want: "work/" + name},
		{name: "blank output is the default", cwd: "work", output: " \t",
			want: "work/" + name},
		{name: "working directory inside an asset sends it home",
			cwd: ".openclaw/workspace", want: name},
		{name: "working directory inside an asset through a link",
			cwd: "state-link/workspace", want: name},
		{name: "no home falls back to the state directory's parent",
			cwd: ".openclaw/workspace",
			vars: map[string]string{
				"OPENCLAW_STATE_DIR": "$H/.openclaw"},
			want: name},
		{name: "trailing slash names a directory that may not exist",
			output: "new-dir/", want: "new-dir/" + name},
		{name: "existing directory gets the default name",
			cwd: "work", output: "../backups", want: "backups/" + name},
		{name: "other names are used verbatim", output: "backups/custom",
			want: "backups/custom"},
		{name: "leading tilde means the home", cwd: "work",
			output: "~/backups/x.tgz", want: "backups/x.tgz"},
		{name: "dry run skips the existence check",
			output: "backups/old.tar.gz", dryRun: true,
			want: "backups/old.tar.gz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := c.vars
			if vars == nil {
				vars = map[string]string{"HOME": "$H"}
			}
			h, p, err := runMake(t, makeCase{setup: setup, vars: vars,
				cwd: c.cwd, opts: Options{IncludeWorkspace: true,
					Output: c.output, DryRun: c.dryRun}})
			if err != nil {
				t.Fatalf("Make: %v", err)
			}
			if want := filepath.Join(h, c.want); p.OutputPath != want {
				t.Errorf("OutputPath = %q, want %q", p.OutputPath, want)
			}
			if _, err := os.Lstat(filepath.Join(h, "new-dir")); err == nil {
				t.Errorf("Make created a directory")
			}
		})
	}
}

func TestMakeErrors(t *testing.T) {
	discovery := "Backup discovery failed at ~/.openclaw/openclaw.json: " +
		"JSON5 parse failed: invalid character ',' looking for " +
		"beginning of value. Agent and plugin ownership could not be " +
		"resolved. Resolve the reported error and retry backup, or use " +
		"--only-config to save the config alone."
	invalid := func(tb testing.TB, h string) {
		build(tb, h, ".openclaw/openclaw.json={ agents: { list: [ , ] } }")
	}
	withLinks := func(tb testing.TB, h string) {
		openclawHome(tb, h, "entries")
		build(tb, h, "backups/old.tar.gz=old", "state-link -> .openclaw")
	}
	cases := []struct {
		name    string
		setup   func(testing.TB, string)
		opts    Options
		wantErr error
		wantMsg string // "$H" is the home
	}{{
		name: "config that does not parse", setup: invalid,
		opts: withWorkspace, wantErr: ErrDiscovery, wantMsg: discovery,
	}, {
		name:  "config that does not parse, workspaces excluded",
		setup: invalid, wantErr: ErrDiscovery, wantMsg: discovery,
	}, {
		name: "no state", opts: withWorkspace, wantErr: ErrNoState,
		wantMsg: "No local OpenClaw state was found to back up.",
	}, {
		name: "only config without a config",
		setup: func(tb testing.TB, h string) {
			build(tb, h, ".openclaw/credentials/")
		},
		opts:    Options{OnlyConfig: true},
		wantErr: ErrNoConfig,
		wantMsg: "No OpenClaw config file was found to back up.",
	}, {
		name: "missing source", setup: withLinks,
		opts:    Options{Sources: []string{"~/.openclaw", "nope/x"}},
		wantErr: ErrUsage,
		wantMsg: "source nope/x does not exist: " +
			"pass an existing file or directory to --source",
	}, {
		name: "empty source", setup: withLinks,
		opts:    Options{Sources: []string{" "}},
		wantErr: ErrUsage,
		wantMsg: "source path is empty: " +
			"pass an existing file or directory to --source",
	}, {
		name:  "output inside an asset through a link and a missing tail",
		setup: withLinks,
		opts: Options{IncludeWorkspace: true,
			Output: "state-link/new/sub/backup.tar.gz"},
		wantErr: ErrOutputInsideSource,
		wantMsg: "Backup output must not be written inside a source path: " +
			"$H/state-link/new/sub/backup.tar.gz is inside $H/.openclaw",
	}, {
		name: "output inside an external workspace", setup: withLinks,
		opts: Options{IncludeWorkspace: true,
			Output: "~/projects/ops-ws/notes/"},
		wantErr: ErrOutputInsideSource,
		wantMsg: "Backup output must not be written inside a source path: " +
			"$H/projects/ops-ws/notes/" + testRoot + ".tar.gz is inside " +
			"$H/projects/ops-ws",
	}, {
		name: "existing output", setup: withLinks,
		opts:    Options{Output: "backups/old.tar.gz"},
		wantErr: ErrOutputExists,
		wantMsg: "Refusing to overwrite existing backup archive: " +
			"$H/backups/old.tar.gz",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, p, err := runMake(t, makeCase{setup: c.setup, opts: c.opts})
			if err == nil {
				t.Fatalf("Make succeeded with output %s", p.OutputPath)
			}
			if !errors.Is(err, c.wantErr) {
				t.Errorf("error %v is not %v", err, c.wantErr)
			}
			want := os.Expand(c.wantMsg, func(string) string { return h })
			if err.Error() != want {
				t.Errorf("message:\n got %q\nwant %q", err, want)
			}
		})
	}
}

func TestArchiveRootName(t *testing.T) {
	instant := time.Date(2026, 3, 14, 1, 2, 3, 456789e3, time.UTC)
	cases := []struct {
		zone *time.Location
		want string
	}{
		{time.FixedZone("", 8*3600), "2026-03-14T09-02-03.456+08-00"},
		{time.FixedZone("", -5*3600), "2026-03-13T20-02-03.456-05-00"},
		{time.UTC, "2026-03-14T01-02-03.456+00-00"},
		{time.FixedZone("", 5*3600+45*60), "2026-03-14T06-47-03.456+05-45"},
		{time.FixedZone("", -(9*3600 + 30*60)),
			"2026-03-13T15-32-03.456-09-30"},
	}
	for _, c := range cases {
		at := instant.In(c.zone)
		if got := ArchiveRootName(at); got != c.want+"-openclaw-backup" {
			t.Errorf("ArchiveRootName(%v) = %q, want %q", at, got,
				c.want+"-openclaw-backup")
		}
		if got := DefaultName(at); got != c.want+"-openclaw-backup.tar.gz" {
			t.Errorf("DefaultName(%v) = %q", at, got)
		}
	}
}

func TestDisplay(t *testing.T) {
	cases := []struct {
		home, label, path, want string
	}{
		{"/home/claw", "", "/home/claw/.openclaw", "~/.openclaw"},
		{"/home/claw", "~", "/home/claw", "~"},
		{"/home/claw", "~", "/home/clawd/x", "/home/clawd/x"},
		{"/home/claw", "$OPENCLAW_HOME", "/home/claw/.openclaw",
			"$OPENCLAW_HOME/.openclaw"},
		{"", "~", "/home/claw/.openclaw", "/home/claw/.openclaw"},
		{"/home/claw", "~", "", ""},
	}
	for _, c := range cases {
		p := &Plan{Home: c.home, HomeLabel: c.label}
		if got := p.Display(c.path); got != c.want {
			t.Errorf("Display(%q) with home %q = %q, want %q",
				c.path, c.home, got, c.want)
		}
	}
}
