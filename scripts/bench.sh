#!/usr/bin/env bash
# Runs clawback's benchmark: clawback against tar, gzip/pigz and zstd on
# the seeded benchmark tree, in one run, and prints Markdown tables.
# Arguments go to internal/cmd/bench (-runs N, -only main,files,memory,
# -openclaw, -work DIR, -small). It needs about 8 GiB of disk under -work;
# -small checks the benchmark on a tiny tree in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in pigz zstd; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "bench.sh: installing ${missing[*]}" >&2
	apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec go run ./internal/cmd/bench "$@"
