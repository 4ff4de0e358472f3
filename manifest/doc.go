// Package manifest reads and writes manifest.json, the member that describes
// an OpenClaw-format backup archive.
//
// The layout follows what OpenClaw 2026.9.6 writes (schemaVersion 1): the
// archive root, creation time, options, the resolved paths, the assets and
// the plan-level skips, and every symbolic link whose target leaves the
// backed-up assets. Keys are emitted in OpenClaw's order so that a manifest
// written by clawback reads like one written by OpenClaw.
//
// clawback adds one object, "clawback", which OpenClaw's reader ignores as an
// unknown key. It names the members that prove the archive's content (the
// checksum list and the capture record) and summarises what happened to each
// file while it was read.
//
// Parse accepts what OpenClaw's own reader accepts and fails with OpenClaw's
// messages, so that a user can search for them. A manifest larger than
// MaxSize is rejected before it is decoded.
package manifest
