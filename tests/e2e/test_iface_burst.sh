#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_iface_burst.sh - a burst of new interfaces overflows the link events' socket buffer.
#
# tflow selects vb and the pattern hp*, none of which exists at start but vb. 300 veth pairs
# (hpN, and its peer hqN, which is not selected) are created in $NS_B by one `ip -batch`, as fast
# as the kernel makes them, and brought up. Each attach takes tflow a few milliseconds; meanwhile
# the kernel's link events fill the socket's default receive buffer and are dropped (ENOBUFS).
# Pass: within 40 s every hpN has tflow's XDP program (the oracle: `ip link`, the kernel's view),
# the log says "hpN: attached" once for each, and no hqN is attached. Then all 300 pairs are
# deleted in one batch: the log says "hpN: deleted" once for each. Whether events were lost on
# this machine is logged (the resync line), not asserted: a fast enough reader loses none.
. "$(dirname "$0")/lib.sh"

need root ip tflow
need_tflow_exporter
N=300

topo_create
exporter_start --interfaces "$IF_B,hp*"

batch=$E2E_WORK/links.batch
for i in $(seq 1 $N); do echo "link add hp$i type veth peer name hq$i"; done >"$batch"
for i in $(seq 1 $N); do echo "link set hp$i up"; echo "link set hq$i up"; done >>"$batch"
t_check "$N veth pairs created in one batch" nsb ip -batch "$batch"

# xdp_count: how many hpN carry an XDP program, as the kernel says.
xdp_count() { nsb ip -o link show 2>/dev/null | grep -E '^[0-9]+: hp[0-9]+@' | grep -c 'xdp'; }
xdp_all() { [ "$(xdp_count)" -ge $N ]; }
wait_for 40 xdp_all
t_eq "every hpN has tflow's XDP program (ip link)" "$(xdp_count)" $N
names=$(grep -oE 'hp[0-9]+: attached' "$E2E_WORK/tflow.log")
t_eq "the log says 'hpN: attached' for each" "$(sort -u <<<"$names" | wc -l)" $N
t_eq "... once for each" "$(wc -l <<<"$names")" $N
t_eq "no hqN attached (not selected)" "$(grep -cE 'hq[0-9]+: attached' "$E2E_WORK/tflow.log")" 0
log "link event losses: $(grep -c 'link events lost' "$E2E_WORK/tflow.log") warning(s):" \
	"$(grep 'link events lost' "$E2E_WORK/tflow.log" | tail -1)"

# The same burst the other way: every pair deleted in one batch (each hpN's deletion announced or,
# when the event was lost, found by the listing).
for i in $(seq 1 $N); do echo "link del hp$i"; done >"$batch"
t_check "$N veth pairs deleted in one batch" nsb ip -batch "$batch"
deleted() { grep -oE 'hp[0-9]+: deleted' "$E2E_WORK/tflow.log"; }
deleted_all() { [ "$(deleted | wc -l)" -ge $N ]; }
wait_for 40 deleted_all
t_eq "the log says 'hpN: deleted' for each" "$(deleted | sort -u | wc -l)" $N
t_eq "... once for each" "$(deleted | wc -l)" $N
log "link event losses: $(grep -c 'link events lost' "$E2E_WORK/tflow.log") warning(s) in all"
t_check "tflow still runs" kill -0 "$EXPORTER_PID"
exporter_stop
t_finish
