#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fault_xdp_busy.sh - someone else's XDP program or tc filter is already on the interface:
# tflow never replaces or removes it.
#
# other_xdp / other_tc: a tiny BPF object compiled here (XDP_PASS; TC_ACT_UNSPEC, so the next tc
# filter runs).
# Pass:
#   1. other_xdp attached natively (xdpdrv) on vb: `tflow run --interfaces vb` exits 1 within
#      15 s with an error line naming vb and the other program (its name other_xdp or its id);
#      other_xdp is still attached afterwards, same id, same mode; tflow left no clsact qdisc.
#   2. the same with other_xdp in generic mode (xdpgeneric).
#   3. `--interfaces vb,vd` with other_xdp on vd only: tflow exits 1 naming vd and other_xdp,
#      other_xdp is still on vd, and nothing of tflow is left on vb (no XDP, no clsact): what it
#      attached before the failure is detached.
#   4. tc: a clsact qdisc on vb with other_tc as egress filter (pref 1, handle 1): tflow runs
#      (no target: JSON lines), counts 3 echo requests in and 3 replies out exactly, both filters
#      are on vb while it runs, and after SIGTERM (exit 0) the clsact qdisc and other_tc (same
#      pref, handle, id) are still there and tflow's filter is gone.
#   5. tc: other_tc sits at exactly the pref and handle tflow uses for its own filter (2033,
#      0x7f1, read from case 4): tflow exits 1 with an error naming vb, other_tc is still there
#      (same id), and so is the clsact qdisc; no XDP of tflow is left on vb.
. "$(dirname "$0")/lib.sh"

need root ip tc ethtool tcpdump ping clang tflow
need_tflow_exporter
topo_create
topo_add_link vc vd 10.78.0.1 10.78.0.2
O=$E2E_WORK/other.o
bpf_other_obj "$O" || die "setup: clang could not build the other BPF object"

# run_refused NAME IFACES: tflow run --interfaces IFACES must fail; sets RUN_RC, RUN_LOG.
run_refused() {
	RUN_LOG=$E2E_WORK/tflow-$1.log
	nsb timeout 15 "$TFLOW" run --interfaces "$2" >"$E2E_WORK/tflow-$1.out" 2>"$RUN_LOG"
	RUN_RC=$?
	log "tflow run --interfaces $2: exit $RUN_RC, stderr:"
	sed 's/^/#   /' "$RUN_LOG" >&2
}

# check_refused NAME IFACE BEFORE: the checks of cases 1-3 for the busy interface IFACE, whose
# XDP state was BEFORE ("mode id name").
check_refused() {
	local name=$1 ifc=$2 before=$3 id
	id=$(cut -d' ' -f2 <<<"$before")
	t_eq "$name: tflow exits 1 (runtime failure)" "$RUN_RC" 1
	t_check "$name: an error line names $ifc and the other program (other_xdp or id $id)" \
		grep -E "error.*\b$ifc\b.*(other_xdp|\b$id\b)|error.*(other_xdp|\b$id\b).*\b$ifc\b" \
		"$RUN_LOG"
	t_eq "$name: the other program is still attached to $ifc (mode id name)" \
		"$(xdp_state "$NS_B" "$ifc")" "$before"
	t_check "$name: tflow left no clsact qdisc on $ifc" eval "! has_clsact $NS_B $ifc"
}

# 1. native
nsb ip link set dev vb xdpdrv obj "$O" sec xdp || die "setup: other_xdp on vb (native)"
before=$(xdp_state "$NS_B" vb)
log "vb: XDP $before"
[ "${before%% *}" = 1 ] || die "setup: other_xdp native on vb" "got: $before"
run_refused native vb
check_refused "native other_xdp on vb" vb "$before"
nsb ip link set dev vb xdpdrv off || die "setup: remove other_xdp from vb"

# 2. generic
nsb ip link set dev vb xdpgeneric obj "$O" sec xdp || die "setup: other_xdp on vb (generic)"
before=$(xdp_state "$NS_B" vb)
log "vb: XDP $before"
[ "${before%% *}" = 2 ] || die "setup: other_xdp generic on vb" "got: $before"
run_refused generic vb
check_refused "generic other_xdp on vb" vb "$before"
nsb ip link set dev vb xdpgeneric off || die "setup: remove other_xdp from vb"

# 3. the second interface is busy: what was attached to the first is undone
nsb ip link set dev vd xdpdrv obj "$O" sec xdp || die "setup: other_xdp on vd"
before=$(xdp_state "$NS_B" vd)
log "vd: XDP $before"
run_refused second vb,vd
check_refused "other_xdp on vd, the second interface" vd "$before"
t_eq "other_xdp on vd: nothing of tflow's XDP left on vb" "$(xdp_state "$NS_B" vb)" none
t_check "other_xdp on vd: no clsact qdisc left on vb" eval "! has_clsact $NS_B vb"
nsb ip link set dev vd xdpdrv off || die "setup: remove other_xdp from vd"

# 4. someone else's clsact qdisc and egress filter
nsb tc qdisc add dev vb clsact || die "setup: clsact on vb"
nsb tc filter add dev vb egress pref 1 handle 1 bpf da obj "$O" sec tc ||
	die "setup: other_tc on vb egress"
other_tc=$(tc_bpf_filters "$NS_B" vb egress)
log "vb egress filters before tflow: $other_tc"
exporter_start
during=$(tc_bpf_filters "$NS_B" vb egress)
log "vb egress filters while tflow runs: $(tr "\n" " " <<<"$during")"
t_check "clsact of someone else: tflow's egress filter added next to other_tc" \
	test "$(grep -c . <<<"$during")" = 2 -a "$(grep -cxF "$other_tc" <<<"$during")" = 1
t_check "traffic: ping 3 echo requests, 3 replies" nsa ping -c 3 -i 0.2 -W 2 -q "$IP_B"
exporter_stop
t_check "clsact of someone else: the clsact qdisc is still on vb after tflow exits" \
	has_clsact "$NS_B" vb
t_eq "clsact of someone else: other_tc is still the (only) egress filter (pref handle id name)" \
	"$(tc_bpf_filters "$NS_B" vb egress)" "$other_tc"
t_eq "clsact of someone else: tflow's XDP is detached from vb" "$(xdp_state "$NS_B" vb)" none
# what tflow counted: JSON lines on stdout (no target)
json_pkts() {
	"$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if (r["src"], r["dst"], r["proto"], r["dir"]) == (sys.argv[2], sys.argv[3], 1, sys.argv[4]):
        n += r["packets"]
print(n)' "$E2E_WORK/tflow.out" "$@"
}
t_eq "tflow counted the 3 echo requests (ingress) and the 3 replies (egress, behind other_tc)" \
	"$(json_pkts "$IP_A" "$IP_B" ingress) $(json_pkts "$IP_B" "$IP_A" egress)" "3 3"

# 5. someone else's filter where tflow puts its own
read -r tpref thandle _ <<<"$(grep -v -xF "$other_tc" <<<"$during" | head -1)"
if [ -n "${thandle:-}" ]; then
	nsb tc filter del dev vb egress pref 1 handle 1 bpf || die "setup: remove other_tc"
	nsb tc filter add dev vb egress pref "$tpref" handle "$thandle" bpf da obj "$O" sec tc ||
		die "setup: other_tc at pref $tpref handle $thandle"
	other_tc=$(tc_bpf_filters "$NS_B" vb egress)
	log "vb egress filters before tflow: $other_tc"
	run_refused tc-same-handle vb
	t_eq "other_tc at tflow's own pref $tpref handle $thandle: tflow exits 1" "$RUN_RC" 1
	t_check "other_tc at tflow's own pref and handle: an error line names vb" \
		grep -E 'error.*\bvb\b' "$RUN_LOG"
	t_eq "other_tc at tflow's own pref and handle: it is still there, same id" \
		"$(tc_bpf_filters "$NS_B" vb egress)" "$other_tc"
	t_check "other_tc at tflow's own pref and handle: the clsact qdisc is still there" \
		has_clsact "$NS_B" vb
	t_eq "other_tc at tflow's own pref and handle: no XDP of tflow left on vb" \
		"$(xdp_state "$NS_B" vb)" none
else
	t_fail "tc: tflow's own egress filter was seen while it ran (case 5 needs its pref/handle)"
fi
t_finish
