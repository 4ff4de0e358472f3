// Package interop holds clawback's end-to-end tests against the real
// OpenClaw 2026.9.6: clawback's archives must pass `openclaw backup verify`,
// OpenClaw's archives must pass `clawback verify`, and both tools must
// report the same results for the same archive.
//
// The tests build cmd/clawback once and run OpenClaw through the oc wrapper
// that scripts/install-openclaw.sh installs (or the one CLAWBACK_OPENCLAW
// names); without either they fail, they do not skip. testdata holds
// archives that OpenClaw 2026.9.6 and 2026.4.14 wrote; see its README.
package interop
