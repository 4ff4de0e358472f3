package main

import "fmt"

// target is one of clawback's performance goals on the benchmark tree.
// A goal is met when the measured value is at most max (or, with atLeast,
// at least max).
type target struct {
	what    string
	row     string
	value   func(m, ref measure) float64
	max     float64
	atLeast bool
	unit    string
}

// Goals on the 20,005-file tree, against `tar czf` in the same run.
var treeTargets = []target{
	{"create (gzip) wall time vs tar czf", "`clawback create` (gzip)", wallRatio, 0.20, false, "×"},
	{"create (gzip) archive size vs tar czf", "`clawback create` (gzip)", sizeRatio, 1.04, false, "×"},
	{"create (gzip) peak memory", "`clawback create` (gzip)", rssMiB, 100, false, " MiB"},
	{"create --compression zstd wall time vs tar czf", "`clawback create --compression zstd`", wallRatio, 0.10, false, "×"},
	{"verify wall time vs tar czf", "`clawback verify` (gzip)", wallRatio, 0.12, false, "×"},
	{"verify peak memory", "`clawback verify` (gzip)", rssMiB, 100, false, " MiB"},
}

// Goal on 100,000 empty files.
var fileTargets = []target{
	{"create files per second", "`clawback create --source`",
		func(m, _ measure) float64 { return 1e5 / m.wall.Seconds() }, 30000, true, " files/s"},
}

func wallRatio(m, ref measure) float64 { return m.wall.Seconds() / ref.wall.Seconds() }
func sizeRatio(m, ref measure) float64 { return float64(m.size) / float64(ref.size) }
func rssMiB(m, _ measure) float64      { return float64(m.rss) / (1 << 20) }

// checkTargets prints, for each goal, the measured value and whether it is
// met, and by how much it is missed when it is not. base names the row of
// `tar czf`.
func (b *bench) checkTargets(rows []row, base string, goals []target) {
	byName := map[string]measure{}
	for _, r := range rows {
		byName[r.name] = r.m
	}
	ref := byName[base]
	fmt.Fprintln(b.out)
	for _, g := range goals {
		m, ok := byName[g.row]
		if !ok {
			continue
		}
		v := g.value(m, ref)
		met := v <= g.max
		bound := "at most"
		if g.atLeast {
			met, bound = v >= g.max, "at least"
		}
		verdict := "met"
		if !met {
			verdict = fmt.Sprintf("MISSED by %.0f %%", 100*abs(v/g.max-1))
		}
		fmt.Fprintf(b.out, "- target %s: %s %s%s, measured %s%s: %s\n",
			g.what, bound, num(g.max), g.unit, num(v), g.unit, verdict)
	}
}

func num(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
