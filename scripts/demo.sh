#!/usr/bin/env bash
# demo.sh - the quick start: back up a live sample OpenClaw state directory
# while a writer keeps changing it, then verify the archive.
#
# usage: scripts/demo.sh [DIR]
#   DIR  scratch directory for the demo (default: a new one under /tmp).
#        It gets bin/clawback, home/ (the sample state) and backups/.
# Needs only Go. Your own ~/.openclaw is never read: the demo runs with
# HOME=DIR/home and no OPENCLAW_* variables.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/clawback-demo.XXXXXX")}
mkdir -p "$DIR/bin" "$DIR/backups"
DIR=$(cd "$DIR" && pwd)

echo "== building clawback into $DIR/bin"
go build -o "$DIR/bin/clawback" ./cmd/clawback
go build -o "$DIR/bin/mkstate" ./internal/cmd/mkstate
go build -o "$DIR/bin/churn" ./internal/cmd/churn

echo "== making a sample OpenClaw state in $DIR/home"
"$DIR/bin/mkstate" -force -sessions 200 "$DIR/home"

# Run clawback with only the demo's home in sight.
cb() {
	env $(env | sed -n 's/^\(OPENCLAW_[A-Za-z0-9_]*\)=.*/-u \1/p') \
		HOME="$DIR/home" "$DIR/bin/clawback" "$@"
}

echo "== starting a writer that keeps changing it (appends, deletes, renames)"
# 500 changes a second: far busier than a gateway, and still a rate at
# which each rewritten file has a quiet moment to be captured in.
"$DIR/bin/churn" -dir "$DIR/home/.openclaw" -rate 500 -for 5m &
CHURN=$!
trap 'kill $CHURN 2>/dev/null || true' EXIT
sleep 1

echo "== clawback create --verify, while the writer runs"
status=0
cb create --verify --output "$DIR/backups/" || status=$?
kill "$CHURN" 2>/dev/null || true
wait "$CHURN" 2>/dev/null || true

ARCHIVE=$(ls -t "$DIR"/backups/*.tar.gz | head -1)
echo "== clawback verify $ARCHIVE"
cb verify "$ARCHIVE"
echo "== create exited $status; the archive is $ARCHIVE"
if [ "$status" = 3 ]; then
	echo "   (exit 3: some file changed on every read; the archive holds its" \
		"last read and names it, see \"kept changing\" above)"
fi
exit "$status"
