#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fuzz_bpf.sh - build/fuzz_bpf: 400k random and mutated frames through the real XDP and tc
# programs (BPF_PROG_TEST_RUN), every verdict PASS, the counters exact (tests/bpf/fuzz_bpf*.c).
#
# Its `ok`/`not ok` lines pass through as they are. Environment: FUZZ_SEED (a number, or
# `random`), FUZZ_FRAMES (400000). Loads programs but attaches nothing: no namespace needed.
. "$(dirname "$0")/lib.sh"

FUZZ_BPF=${FUZZ_BPF:-$ROOT_DIR/build/fuzz_bpf}
need root
if [ ! -x "$FUZZ_BPF" ]; then
	[ "${CI:-}" = true ] && echo "not ok - $T_PREFIX: $FUZZ_BPF not built (make build/fuzz_bpf)" &&
		exit 1
	echo "skip - $T_PREFIX ($FUZZ_BPF not built: make build/fuzz_bpf)"
	exit 0
fi
exec "$FUZZ_BPF"
