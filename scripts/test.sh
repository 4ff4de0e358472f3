#!/usr/bin/env bash
# test.sh - run every check clawback has, the way CI runs them:
#   1. install missing system packages the checks need (gcc for the race
#      detector, npm for OpenClaw), with apt-get, only when they are missing
#   2. scripts/install-openclaw.sh (OpenClaw 2026.9.6 for the interop tests)
#   3. gofmt -l .            must list nothing
#   4. go vet ./...
#   5. go test -race -count=1 ./...   (with CLAWBACK_OPENCLAW set)
#   6. every fuzz target, one after the other, for CLAWBACK_FUZZTIME each
#
# usage: scripts/test.sh
# env:   CLAWBACK_FUZZTIME      time per fuzz target (default 20s; 0 skips)
#        CLAWBACK_OPENCLAW_DIR  where OpenClaw is installed (see
#                               scripts/install-openclaw.sh)
# Every step runs even when an earlier one failed; a summary follows, and
# the exit status is 1 when any step failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

FUZZTIME=${CLAWBACK_FUZZTIME:-20s}
OC_DIR=${CLAWBACK_OPENCLAW_DIR:-$HOME/.cache/clawback/openclaw}
export CLAWBACK_OPENCLAW="$OC_DIR/oc"
START=$SECONDS
RESULTS=()
FAILED=0

# step NAME COMMAND... runs one check, shows its output, records the result.
step() {
	local name=$1 t0=$SECONDS status=PASS
	shift
	printf '\n=== %s\n' "$name"
	"$@" || status=FAIL
	[ "$status" = PASS ] || FAILED=1
	RESULTS+=("$(printf '%-4s %5ss  %s' "$status" $((SECONDS - t0)) "$name")")
}

# system_packages installs what is missing, by command name and package.
system_packages() {
	local missing=() cmd pkg
	while read -r cmd pkg; do
		command -v "$cmd" >/dev/null || missing+=("$pkg")
	done <<-EOF
		gcc gcc
		npm npm
	EOF
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all present: gcc, npm"
		return 0
	fi
	echo "missing: ${missing[*]}"
	local sudo=
	[ "$(id -u)" = 0 ] || sudo="sudo -n"
	if ! command -v apt-get >/dev/null; then
		echo "test.sh: no apt-get; install ${missing[*]} by hand" >&2
		return 1
	fi
	$sudo apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
			--no-install-recommends "${missing[@]}"
}

check_gofmt() {
	local out
	out=$(gofmt -l .) || return 1
	if [ -n "$out" ]; then
		echo "gofmt would change these files:"
		echo "$out"
		return 1
	fi
	echo "gofmt: clean"
}

# fuzz_targets prints "package target" for every fuzz target in the module.
fuzz_targets() {
	local names=() line
	go test -list '^Fuzz' ./... | while read -r line; do
		case $line in
		Fuzz*) names+=("$line") ;;
		ok*)
			for n in "${names[@]}"; do
				echo "$(echo "$line" | awk '{print $2}') $n"
			done
			names=()
			;;
		esac
	done
}

run_fuzz() {
	local targets pkg name status=0
	if [ "$FUZZTIME" = 0 ]; then
		echo "CLAWBACK_FUZZTIME=0: fuzzing skipped"
		return 0
	fi
	# A package that does not compile fails the step, but the targets
	# that were found still run.
	targets=$(fuzz_targets) || {
		echo "test.sh: go test -list failed" >&2
		status=1
	}
	echo "fuzz targets ($FUZZTIME each):"
	echo "${targets:-  none}"
	while read -r pkg name; do
		[ -n "$name" ] || continue
		printf '\n--- %s %s\n' "$pkg" "$name"
		fuzz_one "$pkg" "$name" || status=1
	done <<<"$targets"
	return $status
}

# fuzz_one fuzzes one target. Go 1.26's fuzzing coordinator can fail a
# run with a bare "context deadline exceeded" when -fuzztime ends while a
# worker is busy (golang/go#75804, fixed in Go 1.27): no input failed, and
# none is written. Such a run is tried once more; a run that writes a
# failing input, or fails in any other way, fails the step. New inputs are
# minimised in 100 runs at most: the default minute goes on the seed archives
# of tens of KB and leaves no time to fuzz.
fuzz_one() {
	local pkg=$1 name=$2 out try
	for try in 1 2; do
		out=$(go test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" \
			-fuzzminimizetime 100x "$pkg" 2>&1)
		local rc=$?
		printf '%s\n' "$out"
		[ $rc = 0 ] && return 0
		if grep -q 'Failing input written to' <<<"$out" ||
			! grep -q '^    context deadline exceeded$' <<<"$out"; then
			echo "FAILED: $pkg $name (a failing input, if any, is saved" \
				"under the package's testdata/fuzz/$name)"
			return 1
		fi
		echo "test.sh: $name stopped on the fuzzing coordinator's" \
			"deadline race (golang/go#75804), no failing input; run $try of 2"
	done
	echo "FAILED: $pkg $name hit the coordinator's deadline race twice"
	return 1
}

step "system packages (gcc, npm)" system_packages
step "install OpenClaw 2026.9.6" scripts/install-openclaw.sh
step "gofmt -l ." check_gofmt
step "go vet ./..." go vet ./...
step "go test -race -count=1 ./..." \
	go test -race -count=1 -timeout 15m ./...
step "fuzz (CLAWBACK_FUZZTIME=$FUZZTIME per target)" run_fuzz

printf '\n=== summary (%ss in all)\n' $((SECONDS - START))
printf '%s\n' "${RESULTS[@]}"
if [ "$FAILED" != 0 ]; then
	echo "test.sh: FAILED"
	exit 1
fi
echo "test.sh: all checks passed"
