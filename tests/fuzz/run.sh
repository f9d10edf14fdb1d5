#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh - replays each fuzz target's corpus under ASan/UBSan, then fuzzes it for a bounded time.
#
# usage: tests/fuzz/run.sh [--time SECONDS] [--replay-only] [TARGET...]
#	TARGET: fuzz_config, fuzz_encode (default: both). --time: libFuzzer's -max_total_time per
#	target (FUZZ_TIME, default 20). FUZZ_SEED=N fixes libFuzzer's seed (default: a new one each
#	run, printed in the result line so a finding can be reproduced).
#
# Prints `ok - NAME` / `not ok - NAME` lines (tests/run.sh counts them); exit status 1 on any
# failure. Inputs a run finds go to $BUILD/fuzz/corpus-TARGET, never into the source tree. A
# crash or failed check leaves $BUILD/fuzz/artifacts/TARGET-crash-*: once the bug is fixed, copy
# that file into tests/fuzz/corpus/TARGET/ so that every CI run replays it.
#
# Binaries: $BUILD/fuzz/TARGET (clang, libFuzzer + ASan/UBSan) and $BUILD/fuzz-replay/TARGET
# (gcc, ASan/UBSan, replay.c's main), built by `make fuzz-build`.

set -u
cd "$(dirname "$0")/../.." || exit 1

BUILD=${BUILD:-build}
TIME=${FUZZ_TIME:-20}
REPLAY_ONLY=
TARGETS=()
while [ $# -gt 0 ]; do
	case $1 in
	--time) TIME=$2 && shift ;;
	--replay-only) REPLAY_ONLY=1 ;;
	-*) echo "usage: tests/fuzz/run.sh [--time SECONDS] [--replay-only] [TARGET...]" >&2 && exit 2 ;;
	*) TARGETS+=("$1") ;;
	esac
	shift
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_config fuzz_encode)

export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:abort_on_error=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LOGS=$BUILD/fuzz/logs
mkdir -p "$LOGS" "$BUILD/fuzz/artifacts" || exit 1
failed=0

fail() {
	local name=$1 log=$2
	shift 2
	# the finding first (check message or sanitizer report), then the end of the log
	{
		[ $# -gt 0 ] && printf '# %s\n' "$@"
		grep -m 5 -E 'fuzz check failed|ERROR: (AddressSanitizer|libFuzzer)|runtime error|SUMMARY' \
			"$log" | sed 's/^/#   /'
		tail -n 25 "$log" | sed 's/^/#   /'
		echo "#   (whole log: $log)"
	} >&2
	echo "not ok - $name"
	failed=1
}

for t in "${TARGETS[@]}"; do
	replay=$BUILD/fuzz-replay/$t
	fuzzer=$BUILD/fuzz/$t
	corpus=tests/fuzz/corpus/$t
	if [ ! -x "$replay" ] || [ ! -x "$fuzzer" ]; then
		echo "not ok - $t: $replay or $fuzzer not built (run make fuzz-build)"
		failed=1
		continue
	fi

	# 1. every input of the corpus, under ASan/UBSan, without libFuzzer
	log=$LOGS/$t-replay.log
	if timeout 120 "$replay" -v "$corpus" >"$log" 2>&1; then
		grep -m 1 '^ok - ' "$log" || echo "ok - $t: corpus replayed"
	else
		fail "$t: corpus $corpus replays cleanly under ASan/UBSan" "$log" \
			"replay exited with status $? (last input named above the report)"
	fi
	[ -n "$REPLAY_ONLY" ] && continue

	# 2. libFuzzer for TIME seconds from the corpus (and whatever earlier runs found)
	log=$LOGS/$t-fuzz.log
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	mkdir -p "$BUILD/fuzz/corpus-$t"
	rm -f "$BUILD/fuzz/artifacts/$t-"*
	timeout $((TIME + 120)) "$fuzzer" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} "${dict[@]}" \
		-artifact_prefix="$BUILD/fuzz/artifacts/$t-" "$BUILD/fuzz/corpus-$t" "$corpus" \
		>"$log" 2>&1
	rc=$?
	seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	found=("$BUILD/fuzz/artifacts/$t-"*)
	artifact=
	[ -e "${found[0]}" ] && artifact=${found[0]}
	if [ $rc = 0 ] && [ -z "$artifact" ] && [ -n "$runs" ]; then
		echo "ok - $t: libFuzzer ${TIME}s, ${runs} inputs, no crash or failed check (${cov:-cov ?}, seed ${seed:-?})"
	else
		fail "$t: libFuzzer ${TIME}s without a crash or failed check (seed ${seed:-?})" "$log" \
			"libFuzzer exited with status $rc${artifact:+; input: $artifact}" \
			"reproduce: $replay $artifact   (or: $fuzzer $artifact)"
	fi
done
exit $failed
