#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_restart_fields.sh - first-packet fields survive a restart (SIGUSR1), as the counters do.
#
# The datapath hands a new flow's first-packet fields to userspace on a ring buffer; tflow keeps
# them until it exports the flow. A restarting tflow leaves them in the pinned tflow_ext map, and
# the ring stays pinned with what arrives while no tflow runs. Here a long UDP flow runs across
# two SIGUSR1 restarts (active timeout 1 s: it is exported in deltas by every run, each run
# stopped once it has exported the flow twice) and a second flow starts while no tflow runs.
# The third run has another cache size: it exports the second's cache at start, with the fields
# that run left. Pass: every record of both flows, from any run,
# carries the MACs and UDP length of its first packet, and the packet totals are exact.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tflow scapy nsenter
pins_private # the pins outlive a run
topo_create
udp_sink udp-sink 5001 || exit 1

# Pins must outlive a run: not ip netns exec's private bpffs.
PIN_DIR=/sys/fs/bpf/tflow-e2e-$$

RUN=0
tflow_start() {
	RUN=$((RUN + 1))
	# No target: JSON lines on stdout, with every field collected.
	tflow_launch "tflow$RUN" nsenter --net="/run/netns/$NS_B" "$TFLOW" run --interfaces "$IF_B" \
		--pin-dir "$PIN_DIR" "$@" --active-flow-timeout 1s --inactive-flow-timeout 1s \
		--scan-interval 250ms || die "run $RUN: tflow started" "$TFLOW_WHY"
	EXPORTER_PID=$TFLOW_PID
	t_ok "run $RUN: tflow running"
}

# deltas RUN: how many records of the long flow run RUN has written so far.
deltas() {
	grep -c '"sport":40002,' "$E2E_WORK/tflow$1.out" 2>/dev/null
}
# Each run is stopped once it has exported the long flow twice (two active timeouts), not after a
# fixed time: a run that starts late under load still shows its deltas, a run that never exports
# fails here.
has_two() {
	[ "$(deltas "$RUN")" -ge 2 ]
}
two_deltas() {
	wait_for 8 has_two ||
		t_fail "run $RUN: exported the long flow twice within 8 s ($(deltas "$RUN") records)"
}

tflow_start
# 400 datagrams over ~20 s while tflow restarts twice: long enough that the third run still sees
# the flow when starts are slow under load.
traffic "$NS_A" udp-send "$IP_B" 5001:400:100 --sport 40002 --gap 0.05 >/dev/null &
UDP_PID=$!
two_deltas
kill -USR1 "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 10
t_eq "run 1: exits 0 on SIGUSR1" "$WAIT_RC" 0
t_check "run 1: left the long flow's fields for the next run" \
	grep -qE 'first-packet fields of [1-9][0-9]* flows kept' "$E2E_WORK/tflow1.log"
# A flow that begins while no tflow runs: its fields wait on the pinned ring.
traffic "$NS_A" udp-send "$IP_B" 5001:5:100 --sport 40003 >/dev/null ||
	t_fail "udp-send while no tflow runs"
sleep 0.5
tflow_start
t_check "run 2: took the fields over" \
	grep -qE 'first-packet fields of [1-9][0-9]* flows taken over' "$E2E_WORK/tflow2.log"
two_deltas
kill -USR1 "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 10
t_eq "run 2: exits 0 on SIGUSR1" "$WAIT_RC" 0
tflow_start --cache-entries 8k
t_check "run 3: exported the previous cache of another size" \
	grep -qE 'exported [1-9][0-9]* records of the previous cache' "$E2E_WORK/tflow3.log"
two_deltas
wait_pid "$UDP_PID" 30
sleep 0.5
kill -TERM "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 30
t_eq "run 3: exits 0 on SIGTERM" "$WAIT_RC" 0
t_check "run 3: ext_failed=0 in the exit summary" grep -q ' ext_failed=0' "$E2E_WORK/tflow3.log"

# records SPORT: "N PACKETS BAD" for the flow from SPORT over both runs' records, BAD the
# records whose first-packet fields are not the flow's own.
records() {
	"$PY" - "$1" "$MAC_A" "$MAC_B" "$E2E_WORK"/tflow[123].out <<'EOF'
import json, sys
sport, mac_a, mac_b, *paths = sys.argv[1:]
n = packets = bad = 0
for path in paths:
    for line in open(path):
        r = json.loads(line)
        if r.get("proto") != 17 or str(r.get("sport")) != sport or r.get("dir") != "ingress":
            continue
        n += 1
        packets += r["packets"]
        got = (r.get("src_mac"), r.get("dst_mac"), r.get("udp_len"), r.get("ip_tot_len"))
        if got != (mac_a, mac_b, 108, 128):
            bad += 1
            print("record without its fields:", line.strip(), file=sys.stderr)
print(n, packets, bad)
EOF
}

read -r n pkts bad <<<"$(records 40002)"
t_check "the long flow was exported by every run ($n records)" \
	sh -c "test $n -ge 6 && grep -q '\"sport\":40002' '$E2E_WORK/tflow1.out' &&
		grep -q '\"sport\":40002' '$E2E_WORK/tflow2.out' &&
		grep -q '\"sport\":40002' '$E2E_WORK/tflow3.out'"
t_eq "the long flow: 400 packets in all" "$pkts" 400
t_eq "the long flow: every record carries its first packet's MACs and UDP length" "$bad" 0
read -r n pkts bad <<<"$(records 40003)"
t_eq "the flow begun between the runs: 5 packets" "$pkts" 5
t_eq "the flow begun between the runs: its fields came off the pinned ring" "$bad" 0
t_check "pins removed at the end" test ! -e "$PIN_DIR/tflow_flows"
t_finish
