package verify

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clawback/clawback/archive"
)

const (
	sumsMember   = root + "/checksums.sha256"
	recordMember = root + "/capture-record.jsonl"
	agentsMD     = home + "/.openclaw/workspace/AGENTS.md"
	oauthJSON    = home + "/.openclaw/credentials/oauth.json"
)

// refRecord is the capture record added to the reference archive: one file
// that grew and one that vanished.
var refRecord = `{"path":"/home/claw/.openclaw/workspace/AGENTS.md","member":"` +
	agentsMD + `","verdict":"grew","detail":"grew by 12 bytes","attempts":2}
{"path":"/home/claw/.openclaw/workspace/gone.md","verdict":"vanished"}
`

// payloadFiles is the number of regular payload files in
// full-verified.tar.gz.
const payloadFiles = 23

// clawbackMembers turns the members of an OpenClaw archive into what
// clawback writes: the payload, then the checksum list of every payload
// file, then the capture record, then the manifest naming both with their
// digests.
func clawbackMembers(tb testing.TB, ms []member) []member {
	tb.Helper()
	var list strings.Builder
	for _, m := range ms {
		if m.hdr.Typeflag == tar.TypeReg &&
			strings.HasPrefix(m.hdr.Name, root+"/payload/") {
			sum := sha256.Sum256(m.data)
			list.WriteString(archive.ChecksumLine(sum[:],
				strings.TrimPrefix(m.hdr.Name, root+"/")))
		}
	}
	var man member
	for _, m := range ms {
		if isManifest(m.hdr.Name) {
			man = m
		}
	}
	out := without(ms, isManifest)
	out = append(out, file(sumsMember, list.String()),
		file(recordMember, refRecord), man)
	return resum(tb, out)
}

// resum writes the digests of the list and the record into the manifest's
// clawback section, as create does.
func resum(tb testing.TB, ms []member) []member {
	tb.Helper()
	digest := func(name string) string {
		for _, m := range ms {
			if m.hdr.Name == name {
				sum := sha256.Sum256(m.data)
				return hex.EncodeToString(sum[:])
			}
		}
		return strings.Repeat("0", 64)
	}
	return editManifest(tb, ms, func(m map[string]any) {
		m["clawback"] = map[string]any{
			"version": "clawback test",
			"checksums": map[string]any{"path": "checksums.sha256",
				"sha256": digest(sumsMember)},
			"record": map[string]any{"path": "capture-record.jsonl",
				"sha256": digest(recordMember)},
			"files": map[string]any{"regular": payloadFiles},
		}
	})
}

// edit returns an edit that changes the body of member name.
func edit(name string, change func([]byte) []byte) func(testing.TB, []member) []member {
	return func(tb testing.TB, ms []member) []member {
		out := append([]member(nil), ms...)
		for i, m := range out {
			if m.hdr.Name == name {
				out[i].data = change(bytes.Clone(m.data))
				return out
			}
		}
		tb.Fatalf("no member %s", name)
		return nil
	}
}

// then chains edits.
func then(edits ...func(testing.TB, []member) []member) func(testing.TB, []member) []member {
	return func(tb testing.TB, ms []member) []member {
		for _, e := range edits {
			ms = e(tb, ms)
		}
		return ms
	}
}

// appendLine returns a change that appends text to a body.
func appendLine(text string) func([]byte) []byte {
	return func(b []byte) []byte { return append(b, text...) }
}

func flipFirst(b []byte) []byte {
	b[0] ^= 0x20
	return b
}

func is(name string) func(string) bool {
	return func(n string) bool { return n == name }
}

// problem is shorthand for a Problem whose reason ends in its path.
func problem(reason, path string) Problem {
	return Problem{Path: path, Reason: reason + ": " + path}
}

func fixResum(tb testing.TB, ms []member) []member { return resum(tb, ms) }

// TestArchive_Content damages a clawback archive (the OpenClaw reference
// plus a checksum list, a capture record and a clawback section) and
// expects every problem, each naming its member.
func TestArchive_Content(t *testing.T) {
	base := clawbackMembers(t, refMembers(t, "full-verified.tar.gz"))
	mismatch := "Archive payload file does not match its checksum"
	missing := "Archive is missing a payload file named in the checksum list"
	extra := "Archive payload file is not in the checksum list"
	sumsEdited := problem("Archive checksum list does not match its "+
		"SHA-256 in the manifest", sumsMember)
	tests := []struct {
		name string
		edit func(testing.TB, []member) []member
		want []Problem
	}{
		{"as written", add(), nil},
		{"payload byte changed", edit(agentsMD, flipFirst),
			[]Problem{problem(mismatch, agentsMD)}},
		{"payload file emptied", edit(oauthJSON,
			func([]byte) []byte { return nil }),
			[]Problem{problem(mismatch, oauthJSON)}},
		{"payload file removed", drop(is(oauthJSON)),
			[]Problem{problem(missing, oauthJSON)}},
		{"extra payload file", add(file(ws+"/extra.md", "x")),
			[]Problem{problem(extra, ws+"/extra.md")}},
		{"payload file made a symbolic link", then(drop(is(agentsMD)),
			add(link(tar.TypeSymlink, agentsMD, "SOUL.md"))),
			[]Problem{problem("Archive payload entry named in the checksum "+
				"list is not a regular file", agentsMD)}},
		{"hard link in the payload", add(link(tar.TypeLink, ws+"/hl", agentsMD)),
			[]Problem{problem("Archive payload entry is a hard link, which "+
				"clawback never writes", ws+"/hl")}},
		{"three problems at once", then(edit(agentsMD, flipFirst),
			drop(is(oauthJSON)), add(file(ws+"/extra.md", "x"))),
			[]Problem{problem(missing, oauthJSON),
				problem(mismatch, agentsMD),
				problem(extra, ws+"/extra.md")}},

		{"checksum list edited", edit(sumsMember, func(b []byte) []byte {
			return bytes.Replace(b, []byte("AGENTS.md\n"),
				[]byte("AGENTS.md\n"+strings.Repeat("0", 64)+
					"  payload/posix/nope\n"), 1)
		}), []Problem{sumsEdited,
			problem(missing, root+"/payload/posix/nope")}},
		{"checksum list edited and resummed", then(edit(sumsMember,
			func(b []byte) []byte {
				i := bytes.Index(b, []byte("  payload/posix/home/claw/"+
					".openclaw/workspace/AGENTS.md"))
				b[i-1] = "10"[min(b[i-1]-'0', 1)]
				return b
			}), fixResum), []Problem{problem(mismatch, agentsMD)}},
		{"checksum list stripped", drop(is(sumsMember)),
			[]Problem{problem("Archive is missing the checksum list named "+
				"by the manifest", sumsMember)}},
		{"checksum list and its digest stripped", then(drop(is(sumsMember)),
			manifestEdit(func(m map[string]any) {
				delete(m["clawback"].(map[string]any), "checksums")
			})), []Problem{{Reason: "Backup manifest has a clawback section " +
			"but names no checksum list."}}},
		{"checksum list digest malformed", manifestEdit(func(m map[string]any) {
			c := m["clawback"].(map[string]any)
			c["checksums"].(map[string]any)["sha256"] = "zz"
		}), []Problem{problem("Backup manifest has a malformed SHA-256 for "+
			"the checksum list", sumsMember)}},
		{"checksum list elsewhere", manifestEdit(func(m map[string]any) {
			c := m["clawback"].(map[string]any)
			c["checksums"].(map[string]any)["path"] = "capture-record.jsonl"
		}), []Problem{
			problem("Archive checksum list does not match its SHA-256 in "+
				"the manifest", recordMember),
			problem("Backup manifest names a checksum list other than "+
				sumsMember, recordMember)}},
		{"checksum list with a bad line", then(edit(sumsMember,
			appendLine("not a checksum line\n")), fixResum),
			[]Problem{{Path: sumsMember, Reason: "Archive checksum list " +
				"has a malformed line 24: " + sumsMember}}},
		{"checksum list naming a file twice", then(edit(sumsMember,
			func(b []byte) []byte {
				first, _, _ := bytes.Cut(b, []byte("\n"))
				return append(b, append(first, '\n')...)
			}), fixResum),
			[]Problem{problem("Archive checksum list names a file twice",
				home+"/.openclaw/openclaw.json")}},
		{"checksum list naming the manifest", then(edit(sumsMember,
			appendLine(strings.Repeat("a", 64)+"  manifest.json\n")),
			fixResum),
			[]Problem{{Path: root + "/manifest.json", Reason: "Archive " +
				"checksum list names a path outside the payload: " +
				"manifest.json"}}},
		{"checksum list naming a traversal", then(edit(sumsMember,
			appendLine(strings.Repeat("a", 64)+"  payload/../x\n")),
			fixResum),
			[]Problem{{Path: root + "/payload/../x", Reason: "Archive " +
				"checksum list names a path outside the payload: " +
				"payload/../x"}}},

		{"record edited", edit(recordMember, appendLine("{}\n")),
			[]Problem{problem("Archive capture record does not match its "+
				"SHA-256 in the manifest", recordMember)}},
		{"record stripped", drop(is(recordMember)),
			[]Problem{problem("Archive is missing the capture record named "+
				"by the manifest", recordMember)}},
		{"record and payload damaged", then(edit(recordMember,
			appendLine("{}\n")), edit(agentsMD, flipFirst)),
			[]Problem{problem("Archive capture record does not match its "+
				"SHA-256 in the manifest", recordMember),
				problem(mismatch, agentsMD)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := tt.edit(t, base)
			p := writeArchive(t, gzipBytes(t, packTar(t, ms, tar.FormatPAX)))
			reason, res, err := reasonOf(t, p)
			if tt.want == nil {
				if reason != "" {
					t.Fatalf("failed: %v", err)
				}
				if !res.ContentChecked || res.FilesChecked != payloadFiles {
					t.Errorf("content checked %v, %d files; want true, %d",
						res.ContentChecked, res.FilesChecked, payloadFiles)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("verified, want %d problems", len(tt.want))
			}
			if diff := cmp.Diff(tt.want, e.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if reason != tt.want[0].Reason {
				t.Errorf("reason %q, want the first problem's", reason)
			}
			if !strings.Contains(err.Error(), tt.want[0].Path) {
				t.Errorf("error %q does not name %s", err, tt.want[0].Path)
			}
		})
	}
}

// TestArchive_ContentNotChecked verifies every OpenClaw reference archive
// and reports that its content was not checked: OpenClaw writes no list.
func TestArchive_ContentNotChecked(t *testing.T) {
	for _, name := range []string{"full-verified.tar.gz",
		"no-workspace.tar.gz", "only-config.tar.gz",
		"baseline-sqlite.tar.gz", "old-2026.4.14.tar.gz"} {
		_, res, err := reasonOf(t, writeArchive(t, refBytes(t, name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.ContentChecked || res.FilesChecked != 0 {
			t.Errorf("%s: content checked %v, %d files", name,
				res.ContentChecked, res.FilesChecked)
		}
	}
}

// TestArchive_BrokenStreamNamesMember cuts a clawback archive inside a
// payload file's body, and damages the file under a gzip trailer that no
// longer matches: the failure keeps OpenClaw's reason and names the file.
func TestArchive_BrokenStreamNamesMember(t *testing.T) {
	ms := clawbackMembers(t, refMembers(t, "full-verified.tar.gz"))
	raw := packTar(t, ms, tar.FormatPAX)
	blob := home + "/projects/ops-ws/data/blob.bin"
	hdrAt := bytes.Index(raw, []byte("data/blob.bin\x00"))
	if hdrAt < 0 {
		t.Fatal("no blob.bin header")
	}
	// The name field starts the header block; the body follows it, after
	// any PAX header the writer put first.
	bodyAt := hdrAt - hdrAt%blockSize + blockSize + 100

	damaged := bytes.Clone(raw)
	damaged[bodyAt] ^= 0xff
	good := gzipBytes(t, raw)
	badCRC := gzipBytes(t, damaged)
	copy(badCRC[len(badCRC)-8:], good[len(good)-8:]) // the old CRC

	tests := []struct {
		name    string
		archive []byte
		reason  string
		want    []Problem
	}{
		{"cut, uncompressed", raw[:bodyAt], notBackup("Truncated input " +
			"(needed 2048 more bytes, only 100 available)."),
			[]Problem{{Path: blob}}},
		{"cut, gzip", gzipBytes(t, raw)[:len(good)/2],
			cannotRead("zlib: unexpected end of file | Z_BUF_ERROR"), nil},
		{"wrong CRC", badCRC,
			cannotRead("zlib: incorrect data check | Z_DATA_ERROR"),
			[]Problem{{}, problem("Archive payload file does not match its "+
				"checksum", blob)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, _, err := reasonOf(t, writeArchive(t, tt.archive))
			if reason != tt.reason {
				t.Fatalf("reason = %q\nwant     %q", reason, tt.reason)
			}
			var e *Error
			errors.As(err, &e)
			if tt.want == nil {
				if len(e.Problems) != 1 {
					t.Fatalf("problems %+v, want one", e.Problems)
				}
				return
			}
			tt.want[0].Reason = tt.reason
			if diff := cmp.Diff(tt.want, e.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if p := tt.want[0].Path; p != "" &&
				!strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name %s", err, p)
			}
		})
	}
}

// TestArchive_GzipCutNamesMember cuts a gzip stream inside the body of a
// large stored file, where the member is certain.
func TestArchive_GzipCutNamesMember(t *testing.T) {
	big := ws + "/big.bin"
	body := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	ms := clawbackMembers(t, append(refMembers(t, "full-verified.tar.gz"),
		member{hdr: tar.Header{Name: big, Typeflag: tar.TypeReg,
			Mode: 0o644}, data: body}))
	gz := gzipBytes(t, packTar(t, ms, tar.FormatPAX))
	_, _, err := reasonOf(t, writeArchive(t, gz[:len(gz)/2]))
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Path != big {
		t.Fatalf("error %v, problems %+v; want one naming %s", err,
			e.Problems, big)
	}
	if !strings.HasSuffix(err.Error(), " Affected member: "+big+".") {
		t.Errorf("error %q does not end naming %s", err, big)
	}
}

// TestError_ManyProblems counts the problems after the first in the
// message.
func TestError_ManyProblems(t *testing.T) {
	e := &Error{ArchivePath: "/a.tar.gz", Reason: "first: r/x",
		Problems: []Problem{{"r/x", "first: r/x"}, {"r/y", "second: r/y"},
			{"r/z", "third: r/z"}}}
	want := "Backup archive verification failed: /a.tar.gz. first: r/x " +
		"(and 2 more problems)"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

// TestSumList_Streamed parses a list fed in pieces of every size, with an
// escaped name, a line without its newline and an overlong line.
func TestSumList_Streamed(t *testing.T) {
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))
	text := archive.ChecksumLine(a[:], "payload/x y") +
		archive.ChecksumLine(b[:], "payload/new\nline\\") +
		strings.Repeat("x", maxSumLine+10) + "\n" +
		strings.TrimSuffix(archive.ChecksumLine(a[:], "payload/last"), "\n")
	want := []listedSum{{"payload/x y", a}, {"payload/new\nline\\", b},
		{"payload/last", a}}
	for _, step := range []int{1, 7, 4096, len(text)} {
		s := &sumList{room: 4}
		for i := 0; i < len(text); i += step {
			s.Write([]byte(text[i:min(i+step, len(text))]))
		}
		s.close()
		if diff := cmp.Diff(want, s.lines,
			cmp.AllowUnexported(listedSum{})); diff != "" {
			t.Errorf("step %d: lines (-want +got):\n%s", step, diff)
		}
		if diff := cmp.Diff([]int{3}, s.bad); diff != "" {
			t.Errorf("step %d: bad lines (-want +got):\n%s", step, diff)
		}
	}
}

// TestStream_ContentCanceled stops at a cancelled context even with a
// checksum list to compare.
func TestStream_ContentCanceled(t *testing.T) {
	ms := clawbackMembers(t, refMembers(t, "full-verified.tar.gz"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Stream(ctx, bytes.NewReader(packTar(t, ms, tar.FormatPAX)),
		"x.tar", Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestArchive_ChecksumListLongerThanArchiveIsBounded feeds a checksum
// list of far more lines than the archive has members: the lines past the
// members are counted in one problem, not kept and reported one by one.
func TestArchive_ChecksumListLongerThanArchiveIsBounded(t *testing.T) {
	const lines = 200_000
	var junk strings.Builder
	for i := range lines {
		sum := sha256.Sum256([]byte{byte(i)})
		junk.WriteString(archive.ChecksumLine(sum[:],
			"payload/posix/no/such/file-"+strconv.Itoa(i)))
	}
	base := clawbackMembers(t, refMembers(t, "full-verified.tar.gz"))
	ms := then(edit(sumsMember, appendLine(junk.String())), fixResum)(t, base)
	p := writeArchive(t, gzipBytes(t, packTar(t, ms, tar.FormatPAX)))

	_, _, err := reasonOf(t, p)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("verified, want a failure: %v", err)
	}
	if n := len(e.Problems); n > len(ms)+1 {
		t.Errorf("%d problems for an archive of %d members", n, len(ms))
	}
	want := "more lines than there are members before it"
	found := false
	for _, pr := range e.Problems {
		found = found || strings.Contains(pr.Reason, want)
	}
	if !found {
		t.Errorf("no problem says %q; first: %v", want, e.Problems[0])
	}
}
