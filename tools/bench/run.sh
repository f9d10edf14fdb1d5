#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh - `make bench` / `make bench-quick`: every figure, one summary line each, then the verdict.
#
# Sections: the datapath, encoders, cache scan and memory (bpf_bench), then real frames through a
# veth (veth.sh). Every target is a ratio or a bound checked in this run; a missed target prints
# MISS and makes the exit status 1 (2 when a section could not run at all).
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
QUICK=()
[ "${1:-}" = --quick ] && QUICK=(--quick)
OUT=$(mktemp /tmp/tflow-bench-out.XXXXXX)
trap 'rm -f "$OUT"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench: needs root (BPF_PROG_TEST_RUN, network namespaces)"; exit 2; }
echo "# $(uname -r), $(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
"$ROOT/build/bench/bpf_bench" "${QUICK[@]}" | tee -a "$OUT"
r=${PIPESTATUS[0]}
[ "$r" -gt "$rc" ] && rc=$r
bash "$BENCH_DIR/veth.sh" "${QUICK[@]}" | tee -a "$OUT"
r=${PIPESTATUS[0]}
[ "$r" -gt "$rc" ] && rc=$r
pass=$(grep -c ' PASS$' "$OUT")
miss=$(grep -c ' MISS$' "$OUT")
err=$(grep -c ' ERROR$' "$OUT")
echo
echo "bench summary: targets missed:"
grep ' MISS$' "$OUT" | sed 's/^bench: /  /'
[ "$miss" = 0 ] && echo "  none"
echo "bench: $pass passed, $miss missed, $err errors"
exit $rc
