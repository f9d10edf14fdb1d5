#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh - the one test runner: unit (plain and ASan/UBSan), BPF datapath and end-to-end tests.
#
# usage: tests/run.sh [unit|bpf|e2e [NAME]]
#	tests/run.sh                   every group, in that order
#	tests/run.sh e2e               the end-to-end tests only
#	tests/run.sh e2e test_v5_basic one test (unit: one binary name, both builds)
#
# Every test program prints `ok - NAME`, `not ok - NAME` or `skip - NAME (reason)` lines; they are
# echoed prefixed with the program's suite (`unit/test_config: ok - ...`) and counted. A program
# that exits non-zero without printing `not ok`, crashes, times out or prints no result at all
# counts as one more failure. Output that is not a result line is shown only around failures
# (V=1 shows all of it). The last line is `N passed, N failed[, N skipped]`; exit status 1 if
# anything failed. In CI (CI=true) a test that cannot run (binary missing, no root) is a failure.
#
# Environment: BUILD (build), UNIT_TIMEOUT (60), BPF_TIMEOUT (300), E2E_TIMEOUT (120) seconds, V=1.

set -u
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-60}
BPF_TIMEOUT=${BPF_TIMEOUT:-300}
E2E_TIMEOUT=${E2E_TIMEOUT:-120}
V=${V:-}
CI=${CI:-}

# stdbuf works by LD_PRELOAD, which ASan's link-order check would refuse in the unit-san builds
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

passed=0
failed=0
skipped=0

in_ci() { [ "$CI" = true ]; }

# A result the runner itself reports (missing binary, no such test).
runner_result() {
	local kind=$1 suite=$2 text=$3
	echo "$suite: $kind - $text"
	case $kind in
	ok) passed=$((passed + 1)) ;;
	"not ok") failed=$((failed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	esac
}

# Something that cannot run: a failure in CI, a skip elsewhere.
cannot_run() {
	if in_ci; then
		runner_result "not ok" "$1" "$2"
	else
		runner_result skip "$1" "$1 ($2)"
	fi
}

# run_prog SUITE TIMEOUT CMD...: run one test program and count its results.
run_prog() {
	local suite=$1 limit=$2 line rc out n_results=0 n_failed=0 after_failure=0 start=$SECONDS
	local -a pending=()
	shift 2
	# stdbuf: C stdout is block-buffered into a pipe; line buffering keeps results in order
	# with the diagnostics on stderr that precede them. timeout puts the program in its own
	# process group and, on expiry, signals that whole group (an e2e test's tflow, nfcapd, ...).
	exec {out}< <(timeout -k 10 "$limit" stdbuf -oL -eL "$@" 2>&1 </dev/null)
	CHILD=$!
	while IFS= read -r -u "$out" line; do
		case $line in
		"ok - "* | "skip - "* | "not ok - "*)
			n_results=$((n_results + 1))
			case $line in
			"ok - "*) passed=$((passed + 1)) ;;
			"skip - "*) skipped=$((skipped + 1)) ;;
			*)
				failed=$((failed + 1))
				n_failed=$((n_failed + 1))
				[ -z "$V" ] && [ ${#pending[@]} -gt 0 ] && printf '    %s\n' "${pending[@]}"
				;;
			esac
			pending=()
			echo "$suite: $line"
			case $line in "not ok - "*) after_failure=1 ;; *) after_failure=0 ;; esac
			;;
		*)
			if [ -n "$V" ] || [ $after_failure = 1 ]; then
				printf '    %s\n' "$line"
			else
				# the start of a sanitizer report or a crash says the most; keep that
				[ ${#pending[@]} -lt 200 ] && pending+=("$line")
			fi
			;;
		esac
	done
	exec {out}<&-
	wait "$CHILD"
	rc=$?
	CHILD=""
	local why=""
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		why="timed out after ${limit}s"
	elif [ $rc -gt 128 ]; then
		why="crashed (signal $((rc - 128)))"
	elif [ $rc != 0 ] && [ $n_failed = 0 ]; then
		why="exited with status $rc without a failing result"
	elif [ $rc = 0 ] && [ $n_results = 0 ]; then
		why="printed no result"
	fi
	if [ -n "$why" ]; then
		if [ -z "$V" ] && [ ${#pending[@]} -gt 0 ]; then
			printf '    %s\n' "${pending[@]:0:40}"
			[ ${#pending[@]} -gt 40 ] && echo "    ... (more output: V=1 shows all of it)"
		fi
		runner_result "not ok" "$suite" "${suite##*/} $why"
	fi
	[ -n "$V" ] && echo "$suite: $((SECONDS - start)) s, exit status $rc"
	return 0
}

run_unit() {
	local filter=${1:-} name dir names=() seen=" "
	# each tests/unit/test_X.c must be built twice (unit, unit-san); a binary without a source
	# still runs where it is
	for name in tests/unit/test_*.c "$BUILD"/unit/test_* "$BUILD"/unit-san/test_*; do
		[ -e "$name" ] || continue
		case $name in *.d | *.o) continue ;; esac
		name=$(basename "$name" .c)
		[ -n "$filter" ] && [ "$name" != "$filter" ] && continue
		case $seen in *" $name "*) continue ;; esac
		seen="$seen$name "
		names+=("$name")
	done
	if [ ${#names[@]} = 0 ]; then
		if [ -n "$filter" ]; then
			runner_result "not ok" unit "no unit test named $filter"
		else
			cannot_run unit "no unit tests in tests/unit or $BUILD/unit (run make unit)"
		fi
		return
	fi
	for dir in unit unit-san; do
		for name in "${names[@]}"; do
			if [ -x "$BUILD/$dir/$name" ]; then
				run_prog "$dir/$name" "$UNIT_TIMEOUT" "$BUILD/$dir/$name"
			elif [ -e "tests/unit/$name.c" ]; then
				cannot_run "$dir/$name" "$BUILD/$dir/$name not built (run make unit)"
			fi
		done
	done
}

run_bpf() {
	local filter=${1:-}
	if [ -n "$filter" ] && [ "$filter" != test_bpf ]; then
		runner_result "not ok" bpf "no bpf test named $filter"
	elif [ ! -x "$BUILD/test_bpf" ]; then
		cannot_run bpf/test_bpf "$BUILD/test_bpf not built (run make $BUILD/test_bpf)"
	elif [ "$(id -u)" != 0 ]; then
		cannot_run bpf/test_bpf "needs root to load BPF programs"
	else
		run_prog bpf/test_bpf "$BPF_TIMEOUT" "$BUILD/test_bpf"
	fi
}

run_e2e() {
	local filter=${1:-} t n=0
	filter=${filter%.sh}
	for t in tests/e2e/test_*.sh; do
		[ -e "$t" ] || continue
		[ -n "$filter" ] && [ "$(basename "$t" .sh)" != "$filter" ] && continue
		n=$((n + 1))
		run_prog "e2e/$(basename "$t" .sh)" "$E2E_TIMEOUT" bash "$t"
	done
	if [ $n = 0 ]; then
		if [ -n "$filter" ]; then
			runner_result "not ok" e2e "no e2e test named $filter"
		else
			cannot_run e2e "no tests/e2e/test_*.sh"
		fi
	fi
}

# Interrupted: the running program is in its own process group (timeout's), so Ctrl-C does not
# reach it; timeout relays our SIGTERM to it, and an e2e test then tears its namespaces down.
CHILD=""
interrupted() {
	trap - INT TERM
	if [ -n "$CHILD" ]; then
		kill -TERM "$CHILD" 2>/dev/null
		wait "$CHILD" 2>/dev/null
	fi
	echo "interrupted: $passed passed, $failed failed, $skipped skipped"
	exit 130
}
trap interrupted INT TERM

usage() {
	echo "usage: tests/run.sh [unit|bpf|e2e [NAME]]" >&2
	exit 2
}

case ${1:-all} in
all)
	[ $# -le 1 ] || usage
	run_unit
	run_bpf
	run_e2e
	;;
unit | bpf | e2e)
	[ $# -le 2 ] || usage
	"run_$1" "${2:-}"
	;;
*) usage ;;
esac

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
