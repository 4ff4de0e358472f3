package restore

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// treeGen builds random trees for the round-trip test.
type treeGen struct {
	t       testing.TB
	rng     *rand.Rand
	big     int // files of a few MiB still to write
	entries int
	root    string
}

var nameParts = []string{"a", "notes", "with space", "héllo wörld", "名前",
	"crab 🦀", ".hidden", "UPPER", "tab\tin", "semi;colon", "quote'd",
	"ünïcödé-ñ", "dash-", "x.txt", "data.json"}

var (
	fileModes = []fs.FileMode{0o644, 0o600, 0o750, 0o444, 0o640, 0o755,
		0o4755 | fs.ModeSetuid, 0o2750 | fs.ModeSetgid, 0o400}
	dirModes = []fs.FileMode{0o755, 0o700, 0o750, 0o555,
		0o777 | fs.ModeSticky, 0o711}
)

func (g *treeGen) name(used map[string]bool) string {
	for {
		var n string
		switch g.rng.IntN(8) {
		case 0: // longer than 100 bytes, within NAME_MAX
			n = strings.Repeat("long-ñame-", 10+g.rng.IntN(12))
		default:
			n = nameParts[g.rng.IntN(len(nameParts))]
			if g.rng.IntN(2) == 0 {
				n += "-" + strconv.Itoa(g.rng.IntN(100))
			}
		}
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

func (g *treeGen) mtime() time.Time {
	return time.Unix(946684800+g.rng.Int64N(30*365*86400), 0)
}

// dir fills dir with random children, depth levels deep at most, and then
// gives dir its mode and time.
func (g *treeGen) dir(dir string, depth int) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		g.t.Fatal(err)
	}
	used := map[string]bool{}
	n := 1 + g.rng.IntN(8)
	for i := 0; i < n && g.entries < 400; i++ {
		g.entries++
		p := filepath.Join(dir, g.name(used))
		switch k := g.rng.IntN(10); {
		case k < 5:
			g.file(p)
		case k < 7 && depth > 0:
			g.dir(p, depth-1)
		case k < 8:
			g.dir(p, 0) // often empty
		default:
			g.link(p)
		}
	}
	g.finishDir(dir)
}

func (g *treeGen) finishDir(dir string) {
	mode := dirModes[g.rng.IntN(len(dirModes))]
	if err := os.Chmod(dir, mode); err != nil {
		g.t.Fatal(err)
	}
	mt := g.mtime()
	if err := os.Chtimes(dir, mt, mt); err != nil {
		g.t.Fatal(err)
	}
}

func (g *treeGen) file(p string) {
	var size int
	switch k := g.rng.IntN(10); {
	case k == 0:
		size = 0
	case (k == 1 || strings.HasPrefix(filepath.Base(p), "big ")) && g.big > 0:
		g.big--
		size = 2<<20 + g.rng.IntN(1<<20)
	default:
		size = g.rng.IntN(5000)
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(g.rng.Uint32())
	}
	writeFile(g.t, p, data, fileModes[g.rng.IntN(len(fileModes))], g.mtime())
}

func (g *treeGen) link(p string) {
	var target string
	switch g.rng.IntN(4) {
	case 0:
		target = "../" + nameParts[g.rng.IntN(len(nameParts))]
	case 1:
		target = nameParts[g.rng.IntN(len(nameParts))]
	case 2:
		target = "/etc/hostname"
	default:
		target = filepath.Join(g.root, "a") // absolute, into the tree
	}
	if err := os.Symlink(target, p); err != nil {
		g.t.Fatal(err)
	}
	setLinkTime(g.t, p, g.mtime())
}

// makeTree builds a random tree at root: random children, a chain of
// long-named directories whose path passes 255 bytes, and a few files of
// a few MiB.
func makeTree(t testing.TB, rng *rand.Rand, root string) {
	t.Helper()
	g := &treeGen{t: t, rng: rng, big: 2, root: root}
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	deep := root
	for i := range 12 {
		deep = filepath.Join(deep, fmt.Sprintf("level %02d %s", i,
			strings.Repeat("ß", 10)))
	}
	g.file(filepath.Join(deep, "at the bottom.txt"))
	for d := deep; d != root; d = filepath.Dir(d) {
		g.finishDir(d)
	}
	g.dir(filepath.Join(root, "tree"), 4)
	g.big++
	for g.big > 0 {
		g.file(filepath.Join(root, fmt.Sprintf("big %d.bin", g.big)))
	}
	g.finishDir(root)
}

// writable makes every directory below dir writable again, so that the
// test's temporary directories can be removed.
func writable(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

// noSpecialBits is what restore keeps of a mode.
func noSpecialBits(s map[string]node) map[string]node {
	for k, n := range s {
		n.Mode &^= fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
		s[k] = n
	}
	return s
}

// TestRestore_RoundTrip backs up random trees, verifies and restores them
// under a target, and compares the result with the source: content, mode
// (without setuid, setgid and sticky bits) and modification time of every
// file, directory and link.
func TestRestore_RoundTrip(t *testing.T) {
	seeds := []uint64{1, uint64(time.Now().UnixNano())}
	if s := os.Getenv("CLAWBACK_RESTORE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seeds = []uint64{n}
	}
	for _, seed := range seeds {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			t.Logf("seed %d; rerun with CLAWBACK_RESTORE_SEED=%d", seed, seed)
			rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
			base := t.TempDir()
			target := filepath.Join(t.TempDir(), "restored here")
			t.Cleanup(func() { writable(base); writable(target) })

			state := filepath.Join(base, "home", ".openclaw")
			other := filepath.Join(base, "projects", "wörk space")
			config := filepath.Join(base, "config file.json")
			makeTree(t, rng, state)
			makeTree(t, rng, other)
			writeFile(t, config, []byte(`{"x": 1}`), 0o600, time.Unix(1.7e9, 0))

			arc := makeArchive(t, state, other, config)
			res, err := Archive(context.Background(), arc, Options{Target: target})
			if err != nil {
				t.Fatal(err)
			}
			for _, src := range []string{state, other, config} {
				want := noSpecialBits(snapshot(t, src))
				got := snapshot(t, restored(target, src))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("restored %s differs (-source +restored):\n%s", src, diff)
				}
			}
			t.Logf("restored %d files (%d bytes), %d directories, %d links",
				res.Files, res.Bytes, res.Dirs, res.Symlinks)
			if len(res.Assets) != 3 || res.Files == 0 || res.Dirs == 0 {
				t.Fatalf("result: %+v", res)
			}
			// Nothing but the three assets and their parents.
			all := snapshot(t, target)
			n := len(snapshot(t, restored(target, state))) +
				len(snapshot(t, restored(target, other))) + 1
			if parents := len(all) - n; parents != strings.Count(base, "/")+3 {
				t.Fatalf("target holds %d paths besides the assets", parents)
			}
		})
	}
}
