#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fuzz_userspace.sh - the config parser and encoder fuzz targets (tests/fuzz): each corpus
# replayed under ASan/UBSan, then FUZZ_TIME (20) seconds of libFuzzer per target.
#
# tests/fuzz/run.sh prints the `ok`/`not ok` lines. FUZZ_TIME=0 replays the corpora only.
# Findings: build/fuzz/artifacts/ (run.sh says how to reproduce and keep them).
. "$(dirname "$0")/lib.sh"

need clang
time=${FUZZ_TIME:-20}
opts=(--time "$time")
[ "$time" = 0 ] && opts=(--replay-only)
exec bash "$ROOT_DIR/tests/fuzz/run.sh" "${opts[@]}"
