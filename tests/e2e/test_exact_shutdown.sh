#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_exact_shutdown.sh - SIGTERM while a flood is still running: every packet tflow counted is
# exported before it exits, once.
#
# Traffic: gen.c cycles as fast as it can over 20,000 UDP flows (10.78.a.b:random -> 10.77.0.2:7000,
# 46 IP bytes), far more than the default 4k cache holds, so at the SIGTERM the map is full, the
# overflow ring and the spill table are busy, and flows have crossed the 1 s active timeout (their
# deltas are exported against a baseline). tflow gets SIGTERM after FLOOD_S seconds of flood; the
# flood goes on until tflow has exited, and a little after.
#
# Pass:
#   - tflow exits 0 within 30 s, while gen.c is still sending (so packets were in flight at the
#     SIGTERM), and the capture (tcpdump dropped nothing) holds more packets than tflow counted;
#   - tflow's exit stats: lost = 0, seen = accounted;
#   - nfdump's packet total = accounted - lost (every counted packet exported), and its bytes =
#     46 x that;
#   - nothing lost or exported twice, 5-tuple by 5-tuple: each one's exported sum (packets and
#     bytes) is at least what the capture saw of it before the SIGTERM (less 50 ms) and at most
#     what it saw before tflow had exited; likewise `accounted` against the capture's totals.
. "$(dirname "$0")/lib.sh"

FLOWS=20000
IPLEN=46
FLOOD_S=${SHUTDOWN_FLOOD_S:-2.5}

need root ip ethtool tcpdump nfcapd nfdump ss gcc tflow scapy
need_tflow_exporter
topo_create
gcc -O2 -Wall -o "$E2E_WORK/gen" "$E2E_DIR/gen.c" || die "gen.c compiles"

# stat_of NAME: a counter of tflow's closing `tflow: stats:` line (one that is 0 is not printed).
stat_of() {
	sed -n 's/^tflow: stats: //p' "$E2E_WORK/tflow.log" | tr ' ' '\n' |
		sed -n "s/^$1=//p" | awk '{ v = $1 } END { print v + 0 }'
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

collector_start
capture_start export lo "$NS_B" -B 65536 -s 2048 udp port "$COLLECTOR_PORT"
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=IPFIX" --active-flow-timeout 1s \
	--inactive-flow-timeout 1s
# a 128 MiB buffer and a short snap length (tcpdump takes the last -B/-s it is given): the flood
# is ~200k packets/s
capture_start oracle "$IF_A" "$NS_A" -B 131072 -s 64

rx0=$(nsb cat "/sys/class/net/$IF_B/statistics/rx_packets")
bg_start gen "$NS_A" "$E2E_WORK/gen" "$IF_A" "$MAC_B" "$IP_B" --proto udp --dport 7000 \
	--flows "$FLOWS" --loop --duration 30
sleep "$FLOOD_S"
rx1=$(nsb cat "/sys/class/net/$IF_B/statistics/rx_packets")
kill -0 "${E2E_BG[gen]}" 2>/dev/null ||
	die "traffic: gen.c is flooding" "$(cat "$E2E_WORK/gen.log")"
log "flood: $((rx1 - rx0)) packets in the first $FLOOD_S s"

t0=$(now)
exporter_stop
t1=$(now)
if kill -0 "${E2E_BG[gen]}" 2>/dev/null; then
	t_ok "traffic: the flood was still running when tflow had exited"
else
	t_fail "traffic: the flood was still running when tflow had exited" \
		"gen.c ended first: $(cat "$E2E_WORK/gen.log")"
fi
sleep 0.3
bg_stop gen
log "gen: $(cat "$E2E_WORK/gen.log")"
capture_stop
capture_stop export
collector_stop
echo "# shutdown: tflow exited $(elapsed "$t0" "$t1") s after SIGTERM, during a flood of" \
	"$(sed -n 's/.* pps=\([0-9]*\).*/\1/p' "$E2E_WORK/gen.log") packets/s over $FLOWS flows"

seen=$(stat_of seen)
accounted=$(stat_of accounted)
lost=$(stat_of lost)
echo "# shutdown: tflow seen=$seen accounted=$accounted lost=$lost overflow=$(stat_of overflow)" \
	"cache_full=$(stat_of cache_full); $(grep '^tflow: exported' "$E2E_WORK/tflow.log")"
reasons=$("$PY" - "$E2E_DIR" "$E2E_WORK/export.pcap" "$COLLECTOR_PORT" <<-'EOF'
	import sys
	from collections import Counter
	sys.path.insert(0, sys.argv[1])
	import flows
	c = Counter(r.get("end_reason") for d in flows.export_datagrams(sys.argv[2], int(sys.argv[3]))
	            for r in d.get("records", []))
	print(" ".join("%s:%d" % kv for kv in sorted(c.items())))
	EOF
)
echo "# shutdown: flowEndReason:records of the export (1 idle, 2 active, 4 shutdown, 5 evicted):" \
	"$reasons"
t_eq "stats: lost = 0" "$lost" 0
t_eq "stats: seen = accounted" "$seen" "$accounted"

nfdump_csv >"$E2E_WORK/nfdump.csv" || die "nfdump failed"
# Two views of the capture: the packets sent before the SIGTERM (less a 50 ms margin for frames
# still in the veth's ring): tflow counted every one of them; and those sent before tflow had
# exited: tflow cannot have counted more.
res=$("$PY" - "$E2E_DIR" "$CAPTURE_PCAP" "$E2E_WORK/nfdump.csv" "$t0" "$t1" <<-'EOF'
	import sys
	sys.path.insert(0, sys.argv[1])
	import flows
	t_term, t_exit = float(sys.argv[4]) - 0.05, float(sys.argv[5])
	before_term, before_exit, whole = flows.Table(), flows.Table(), flows.Table()
	for ts, frame, ethertype, off, _d, _s in flows.frames(sys.argv[2]):
	    if ethertype != flows.ETH_P_IP:
	        continue
	    for t, table in ((t_term, before_term), (t_exit, before_exit), (None, whole)):
	        if t is None or ts <= t:
	            flows.parse_ipv4(frame[off:], table, "-")
	got = flows.read_nfdump_csv(sys.argv[3])
	bad = []
	for key in set(got.flows) | set(before_term.flows):
	    lo = before_term.flows.get(key, [0, 0])
	    hi = before_exit.flows.get(key, [0, 0])
	    g = got.flows.get(key, [0, 0, 0, 0])
	    if not (lo[0] <= g[0] <= hi[0] and lo[1] <= g[1] <= hi[1]):
	        bad.append("%s: exported %d packets %d bytes in %d records; the capture saw %d"
	                   " packets %d bytes before the SIGTERM, %d packets %d bytes before the exit"
	                   % (flows.flow_name(key), g[0], g[1], g[3], lo[0], lo[1], hi[0], hi[1]))
	print(whole.totals()[1], before_term.totals()[1], before_exit.totals()[1],
	      got.totals()[1], got.totals()[2], got.totals()[3], len(got.flows), len(bad))
	for b in sorted(bad)[:20]:
	    print(b)
	EOF
) || die "flows.py: reading the capture and nfdump's records" "$res"
read -r cap_p cap_term cap_exit exp_p exp_b exp_r exp_f n_bad <<<"$(head -1 <<<"$res")"
echo "# shutdown: capture $cap_p packets ($cap_term before the SIGTERM, $cap_exit before the" \
	"exit); nfdump $exp_p packets $exp_b bytes in $exp_r records ($exp_f 5-tuples)"
t_check "traffic: the capture holds more packets ($cap_p) than tflow counted ($accounted)" \
	test "$cap_p" -gt "$accounted"
t_check "stats: accounted is between the packets sent before the SIGTERM and before the exit" \
	test "$cap_term" -le "$accounted" -a "$accounted" -le "$cap_exit"
t_eq "export: nfdump packets = accounted - lost" "$exp_p" "$((accounted - lost))"
t_eq "export: nfdump bytes = $IPLEN x (accounted - lost)" "$exp_b" \
	"$((IPLEN * (accounted - lost)))"
check="export: each 5-tuple's exported sum is at least what the capture saw of it before the"
check="$check SIGTERM and at most what it saw before the exit (nothing lost, nothing exported twice)"
if [ "$n_bad" = 0 ]; then
	t_ok "$check"
else
	t_fail "$check" "$n_bad 5-tuples outside:" "$(tail -n +2 <<<"$res")"
fi
t_finish
