package verify

import (
	"archive/tar"
	"strings"
	"testing"
)

// tamperCase damages full-verified.tar.gz and names the reason OpenClaw
// 2026.9.6 gives for the result, or "" when it verifies (then entries is
// the expected member count).
type tamperCase struct {
	name    string
	edit    func(tb testing.TB, ms []member) []member
	format  tar.Format
	want    string
	entries int
}

// add returns an edit that appends members.
func add(extra ...member) func(testing.TB, []member) []member {
	return func(_ testing.TB, ms []member) []member {
		return append(append([]member(nil), ms...), extra...)
	}
}

// drop returns an edit that removes the members drop selects.
func drop(sel func(name string) bool) func(testing.TB, []member) []member {
	return func(_ testing.TB, ms []member) []member { return without(ms, sel) }
}

// manifestEdit returns an edit of the decoded manifest.
func manifestEdit(edit func(m map[string]any)) func(testing.TB, []member) []member {
	return func(tb testing.TB, ms []member) []member {
		return editManifest(tb, ms, edit)
	}
}

// winLink returns an edit that marks the archive as made on Windows and
// adds a symbolic link to target in the workspace.
func winLink(target string) func(testing.TB, []member) []member {
	return func(tb testing.TB, ms []member) []member {
		ms = append(append([]member(nil), ms...),
			link(tar.TypeSymlink, ws+"/win-link", target))
		return editManifest(tb, ms, func(m map[string]any) {
			m["platform"] = "win32"
		})
	}
}

func isManifest(name string) bool { return name == root+"/manifest.json" }

var (
	ws       = home + "/.openclaw/workspace"
	assetsOf = func(m map[string]any) []any { return m["assets"].([]any) }
	withPath = func(a any, p string) map[string]any {
		c := map[string]any{}
		for k, v := range a.(map[string]any) {
			c[k] = v
		}
		c["archivePath"] = p
		return c
	}
)

var tamperCases = []tamperCase{
	{name: "repacked PAX", edit: add(), entries: 52},
	{name: "repacked GNU", edit: add(), format: tar.FormatGNU, entries: 52},
	{name: "global PAX headers", edit: func(_ testing.TB, ms []member) []member {
		g := member{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader,
			Name:       "pax_global_header",
			PAXRecords: map[string]string{"comment": "made by hand"}}}
		return append(append([]member{g}, ms...), g)
	}, entries: 52},
	{name: "manifest deleted", edit: drop(isManifest),
		want: "Expected exactly one backup manifest entry, found 0."},
	{name: "manifest duplicated", edit: func(_ testing.TB, ms []member) []member {
		return append(append([]member(nil), ms...), ms[len(ms)-1])
	}, want: "Expected exactly one backup manifest entry, found 2."},
	{name: "second root manifest", edit: add(file("other/manifest.json", "{}")),
		want: "Expected exactly one backup manifest entry, found 2."},
	{name: "manifest only in payload", edit: func(_ testing.TB,
		ms []member) []member {
		m := ms[len(ms)-1]
		m.hdr.Name = root + "/payload/manifest.json"
		return append(without(ms, isManifest), m)
	}, want: "Expected exactly one backup manifest entry, found 0."},
	{name: "manifest first", edit: func(_ testing.TB, ms []member) []member {
		return append([]member{ms[len(ms)-1]}, ms[:len(ms)-1]...)
	}, entries: 52},
	{name: "manifest is a directory", edit: func(_ testing.TB,
		ms []member) []member {
		return append(without(ms, isManifest), dir(root+"/manifest.json"))
	}, want: "Backup manifest is not valid JSON."},

	{name: "traversal below payload",
		edit: add(file(root+"/payload/../../evil.txt", "x")),
		want: "Archive entry contains path traversal segments: " + root +
			"/payload/../../evil.txt"},
	{name: "traversal at top", edit: add(file("../evil.txt", "x")),
		want: "Archive entry contains path traversal segments: ../evil.txt"},
	{name: "absolute", edit: add(file("/etc/openclaw-evil.txt", "x")),
		want: "Archive entry must be relative: /etc/openclaw-evil.txt"},
	{name: "absolute root", edit: add(file("/"+root+"/payload/evil.txt", "x")),
		want: "Archive entry must be relative: /" + root + "/payload/evil.txt"},
	{name: "backslash", edit: add(file(root+`/payload\evil.txt`, "x")),
		want: "Archive entry must use forward slashes: " + root +
			`/payload\evil.txt`},
	{name: "drive letter segment", edit: add(file(ws+"/c:notes.txt", "x")),
		want: "Archive entry must be relative: " + ws + "/c:notes.txt"},
	{name: "slash only", edit: add(dir("/")), want: "Archive entry is empty."},
	{name: "empty name", edit: add(file("", "x")),
		want: "Archive is not a valid OpenClaw backup. path is required. " +
			"Choose another archive or create a new one with " +
			"`clawback create`."},

	{name: "workspace payload removed",
		edit: drop(func(n string) bool {
			return strings.Contains(n, "/projects/ops-ws")
		}),
		want: "Archive is missing payload for manifest asset: " + home +
			"/projects/ops-ws"},
	{name: "only the workspace directory removed",
		edit: drop(func(n string) bool {
			return strings.TrimSuffix(n, "/") == home+"/projects/ops-ws"
		}), entries: 51},
	{name: "extra files", edit: add(file(home+"/.openclaw/extra.txt", "x"),
		file(root+"/README.txt", "x")), entries: 54},
	{name: "entry outside root", edit: add(file("some-other-root/file.txt", "x")),
		want: "Archive entry is outside the declared archive root: " +
			"some-other-root/file.txt"},
	{name: "duplicate entry", edit: add(file(ws+"/AGENTS.md", "again")),
		want: "Archive contains duplicate entry path: " + ws + "/AGENTS.md"},
	{name: "directory with and without slash", edit: add(dir(ws)),
		want: "Archive contains duplicate entry path: " + ws},
	{name: "case collision", edit: add(file(ws+"/agents.md", "x")),
		want: "Archive contains a portable path collision: " + ws +
			"/AGENTS.md and " + ws + "/agents.md"},
	{name: "NFC collision", edit: add(file(ws+"/caf\u00e9.md", "x"),
		file(ws+"/cafe\u0301.md", "y")),
		want: "Archive contains a portable path collision: " + ws +
			"/caf\u00e9.md and " + ws + "/cafe\u0301.md"},

	{name: "entry beneath a symbolic link",
		edit: add(file(ws+"/oauth-link.json/evil.txt", "x")),
		want: "Archive entry is beneath a symbolic link: " + ws +
			"/oauth-link.json/evil.txt"},
	{name: "entry beneath a symbolic link in other case",
		edit: add(file(ws+"/OAUTH-link.json/evil.txt", "x")),
		want: "Archive entry is beneath a symbolic link: " + ws +
			"/OAUTH-link.json/evil.txt"},
	{name: "payload is a symbolic link",
		edit: add(link(tar.TypeSymlink, root+"/payload", "../outside")),
		want: "Archive entry is beneath a symbolic link: " + home +
			"/.openclaw/openclaw.json"},
	{name: "unlisted absolute link",
		edit: add(link(tar.TypeSymlink, ws+"/evil-link", "/etc/passwd")),
		want: errLinksDiffer},
	{name: "unlisted escaping link",
		edit: add(link(tar.TypeSymlink, ws+"/esc-link", "../../../../x")),
		want: errLinksDiffer},
	{name: "unlisted link inside the external workspace",
		edit: add(link(tar.TypeSymlink, home+"/projects/ops-ws/self-link", "notes")),
		want: errLinksDiffer},
	{name: "absolute link into the state directory",
		edit: add(link(tar.TypeSymlink, ws+"/st-link",
			"/home/claw/.openclaw/credentials")), entries: 53},
	{name: "link outside the assets",
		edit: add(link(tar.TypeSymlink, root+"/payload/posix/x-link", "y")),
		want: "Archive symbolic link is outside the declared backup assets: " +
			root + "/payload/posix/x-link -> y"},

	{name: "hard link to a missing member",
		edit: add(link(tar.TypeLink, ws+"/hl", ws+"/nope.md")),
		want: "Archive hardlink target is missing from archive entries: " +
			ws + "/hl -> " + ws + "/nope.md"},
	{name: "hard link to a member", edit: add(link(tar.TypeLink, ws+"/hl",
		ws+"/AGENTS.md")), entries: 53},
	{name: "hard link without the root", edit: add(link(tar.TypeLink, ws+"/hl",
		strings.TrimPrefix(ws, root+"/")+"/AGENTS.md")), entries: 53},
	{name: "hard link with traversal",
		edit: add(link(tar.TypeLink, ws+"/hl", root+"/payload/../x")),
		want: "Archive hardlink target for " + ws + "/hl contains path " +
			"traversal segments: " + root + "/payload/../x"},

	{name: "externalSymbolicLinks removed",
		edit: manifestEdit(func(m map[string]any) {
			delete(m, "externalSymbolicLinks")
		}), want: "Archive symbolic link target must be relative: /etc/hostname"},
	{name: "externalSymbolicLinks empty", edit: manifestEdit(func(m map[string]any) {
		m["externalSymbolicLinks"] = []any{}
	}), want: errLinksDiffer},
	{name: "externalSymbolicLinks listed twice",
		edit: manifestEdit(func(m map[string]any) {
			l := m["externalSymbolicLinks"].([]any)
			m["externalSymbolicLinks"] = append(l, l...)
		}), entries: 52},
	{name: "externalSymbolicLinks null", edit: manifestEdit(func(m map[string]any) {
		m["externalSymbolicLinks"] = nil
	}), want: "Backup manifest externalSymbolicLinks must be an array."},
	{name: "externalSymbolicLinks item not an object",
		edit: manifestEdit(func(m map[string]any) {
			m["externalSymbolicLinks"] = []any{"x"}
		}), want: "Backup manifest contains an invalid external symbolic link."},

	{name: "manifest not JSON", edit: func(tb testing.TB, ms []member) []member {
		return setManifest(tb, ms, func([]byte) []byte {
			return []byte(`{"schemaVersion":1,`)
		})
	}, want: "Backup manifest is not valid JSON."},
	{name: "schemaVersion 2", edit: manifestEdit(func(m map[string]any) {
		m["schemaVersion"] = 2
	}), want: "Unsupported backup manifest schemaVersion: 2"},
	{name: "no assets", edit: manifestEdit(func(m map[string]any) {
		delete(m, "assets")
	}), want: "Backup manifest is missing assets."},
	{name: "empty assets", edit: manifestEdit(func(m map[string]any) {
		m["assets"] = []any{}
	}), want: "Archive symbolic link is outside the declared backup assets: " +
		ws + "/dangling-link -> ./does-not-exist"},
	{name: "no runtimeVersion", edit: manifestEdit(func(m map[string]any) {
		delete(m, "runtimeVersion")
	}), entries: 52},
	{name: "oversize manifest", edit: manifestEdit(func(m map[string]any) {
		m["padding"] = strings.Repeat("x", 1<<20)
	}), want: "Backup manifest exceeds 1048576 byte limit."},
	{name: "archiveRoot differs", edit: manifestEdit(func(m map[string]any) {
		m["archiveRoot"] = "other-root"
	}), want: "Archive is missing manifest entry: other-root/manifest.json"},
	{name: "archiveRoot of two segments", edit: manifestEdit(func(m map[string]any) {
		m["archiveRoot"] = "a/b"
	}), want: "Backup manifest archiveRoot must be a single path segment: a/b"},
	{name: "asset outside payload", edit: manifestEdit(func(m map[string]any) {
		m["assets"] = []any{withPath(assetsOf(m)[0], root+"/elsewhere")}
	}), want: "Manifest asset path is outside payload root: " + root + "/elsewhere"},
	{name: "asset with traversal", edit: manifestEdit(func(m map[string]any) {
		m["assets"] = []any{withPath(assetsOf(m)[0], root+"/payload/../x")}
	}), want: "Backup manifest asset path contains path traversal segments: " +
		root + "/payload/../x"},
	{name: "asset without members", edit: manifestEdit(func(m map[string]any) {
		m["assets"] = append(assetsOf(m),
			withPath(assetsOf(m)[0], root+"/payload/posix/nope"))
	}), want: "Archive is missing payload for manifest asset: " + root +
		"/payload/posix/nope"},
	{name: "state directory relative", edit: manifestEdit(func(m map[string]any) {
		m["paths"].(map[string]any)["stateDir"] = "rel/dir"
	}), want: "Backup manifest state directory sourcePath must be absolute " +
		"and normalized."},
	{name: "state asset twice and an unknown kind",
		edit: manifestEdit(func(m map[string]any) {
			a := assetsOf(m)
			odd := withPath(a[1], a[1].(map[string]any)["archivePath"].(string))
			odd["kind"] = "weird"
			m["assets"] = append(a, a[0], odd)
		}), entries: 52},

	{name: "Windows relative link with backslashes",
		edit: winLink(`..\credentials\oauth.json`), entries: 53},
	{name: "Windows link to another drive", edit: winLink(`C:\x`),
		want: errLinksDiffer},
	{name: "Windows link into the state in other case",
		edit: winLink("/HOME/claw/.openclaw/credentials"), entries: 53},
	{name: "Windows drive without slash", edit: winLink("c:"), entries: 53},

	{name: "FIFO", edit: add(link(tar.TypeFifo, ws+"/queue", "")),
		want: "Archive contains an unsupported entry type (FIFO): " + ws + "/queue"},
	{name: "character device", edit: add(link(tar.TypeChar, ws+"/null", "")),
		want: "Archive contains an unsupported entry type (character device): " +
			ws + "/null"},
}

// TestArchive_Tampered verifies damaged copies of an OpenClaw archive. The
// reasons are those OpenClaw 2026.9.6 printed for the same archives, except
// for the member types only clawback refuses.
func TestArchive_Tampered(t *testing.T) {
	ms := refMembers(t, "full-verified.tar.gz")
	for _, tt := range tamperCases {
		t.Run(tt.name, func(t *testing.T) {
			format := tt.format
			if format == tar.FormatUnknown {
				format = tar.FormatPAX
			}
			p := writeArchive(t, gzipBytes(t, packTar(t, tt.edit(t, ms), format)))
			got, res, _ := reasonOf(t, p)
			if got != tt.want {
				t.Fatalf("reason = %q\nwant     %q", got, tt.want)
			}
			if res != nil && res.EntryCount != tt.entries {
				t.Errorf("EntryCount = %d, want %d", res.EntryCount, tt.entries)
			}
		})
	}
}
