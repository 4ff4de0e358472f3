package restore

import (
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clawback/clawback/archive"
)

// FuzzDestination feeds a member name and an asset's source path through
// the rules that decide where a member is written: cleanName,
// placeAsset, relToAsset and destOf, under a target directory and in
// place. A name that cleanName accepts is relative, has no empty, "." or
// ".." segment and no NUL byte; a destination that is accepted is local
// to its root directory, lies at or below the asset's base, and joined to
// the target stays below it.
func FuzzDestination(f *testing.F) {
	const root = hostileRoot
	for _, s := range [][2]string{
		{"/payload/posix/home/you/.openclaw/openclaw.json", "/home/you/.openclaw"},
		{"/payload/posix/home/you/.openclaw", "/home/you/.openclaw"},
		{"/payload/posix/home/you/.openclaw/../../../etc/passwd", "/home/you/.openclaw"},
		{"/payload/posix/home/you/.openclaw//x", "/home/you/.openclaw"},
		{"/payload/posix/home/you/.openclaw/./x", "/home/you/.openclaw"},
		{"/payload/posix/etc/passwd", "/"},
		{"/payload/windows/C/Users/me/x", `C:\Users\me`},
		{"/payload/windows/C/x", `C:\`},
		{"/payload/relative/cfg/x", "cfg"},
		{"/payload/relative/../x", ".."},
		{"/payload/posix/a/b\\..\\..\\c", "/a"},
		{"/payload/posix/a/new\nline/ü", "/a"},
	} {
		f.Add(root+s[0], s[1])
	}
	f.Add("/etc/passwd", "/etc")
	f.Add("", "/")

	target := filepath.FromSlash("/restore/target")
	f.Fuzz(func(t *testing.T, raw, source string) {
		name, err := cleanName(raw)
		if err == nil {
			checkLocal(t, "cleanName("+raw+")", name)
			if strings.ContainsRune(name, 0) {
				t.Fatalf("cleanName(%q) kept a NUL byte", raw)
			}
		}

		encoded := archive.EncodePath(source)
		if _, err := cleanName(encoded); err != nil {
			return // readAssets refuses the asset
		}
		member := root + "/payload/" + encoded
		for _, inPlace := range []bool{false, true} {
			dir, base, err := placeAsset(encoded, target, inPlace)
			if err != nil {
				continue
			}
			checkLocal(t, "base of "+source, base)
			if inPlace {
				orig, _ := archive.DecodePath(encoded)
				if !filepath.IsAbs(dir) || path.Join(filepath.ToSlash(dir),
					base) != path.Clean(orig) {
					t.Fatalf("in place %q goes to %q + %q", orig, dir, base)
				}
			} else if dir != target {
				t.Fatalf("under a target, %q goes to %q", source, dir)
			}
			if name == "" {
				continue
			}
			rel, ok := relToAsset(name, member)
			if !ok {
				continue
			}
			dest := destOf(base, rel)
			checkLocal(t, "destination of "+name, dest)
			if dest != base && !strings.HasPrefix(dest, base+"/") {
				t.Fatalf("%s goes to %s, outside its asset %s", name, dest, base)
			}
			abs := filepath.Join(dir, filepath.FromSlash(dest))
			if r, err := filepath.Rel(dir, abs); err != nil ||
				!filepath.IsLocal(r) {
				t.Fatalf("%s goes to %s, outside %s", name, abs, dir)
			}
		}
	})
}

// checkLocal fails unless p is a clean, local, slash-separated path.
func checkLocal(tb testing.TB, what, p string) {
	tb.Helper()
	if !filepath.IsLocal(p) || path.IsAbs(p) || p != path.Clean(p) {
		tb.Fatalf("%s = %q: not a clean local path", what, p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." || seg == "" {
			tb.Fatalf("%s = %q: has a %q segment", what, p, seg)
		}
	}
}
