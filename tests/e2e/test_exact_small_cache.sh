#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_exact_small_cache.sh - 50,000 concurrent flows through a 1024-entry flow cache, IPFIX to
# nfcapd, sent as fast as gen.c can (raw AF_PACKET frames, sendmmsg).
#
# Traffic: one UDP packet of each of 50,000 distinct flows (source 10.78.a.b, random-looking
# source ports, to 10.77.0.2:7000), then a second packet of every other flow: 75,000 packets of
# 46 IP bytes. Flows whose first packet was evicted or spilled get their second packet into a new
# map entry or the spill table, so one 5-tuple may be split across records.
#
# Pass:
#   - the capture on va holds exactly what gen.c says it sent (75,000 packets, 50,000 flows),
#     tcpdump and the veth dropped nothing;
#   - nfdump's totals equal the capture exactly, and so do its records summed per 5-tuple
#     (flows.py compare, with vb's ifindex as input interface);
#   - tflow's exit stats: seen = accounted = the packets sent, the overflow path was used
#     (overflow > 0, cache_full > 0), lost = 0;
#   - flowEndReason 5 (lack of resources) is on exactly as many records as tflow says it evicted
#     early (> 0), decoded both by flows.py's own IPFIX decoder and by tshark; every other record
#     is 4 (forced, at shutdown: nothing times out in this test).
# EXACT_FLOWS=N changes the number of flows; above 65,536 the spill table's own limit is crossed
# too (its flows are then exported early with reason 5 as well).
. "$(dirname "$0")/lib.sh"

FLOWS=${EXACT_FLOWS:-50000} # more than 65,536 also exercises the spill table's own limit
SECOND=2 # a second packet for every SECOND-th flow
PAYLOAD=18 # IP length 20 + 8 + 18 = 46
IPLEN=46
PACKETS=$((FLOWS + (FLOWS + SECOND - 1) / SECOND))

need root ip ethtool tcpdump nfcapd nfdump ss tshark gcc tflow scapy
need_tflow_exporter
topo_create

# stat_of NAME: a counter of tflow's closing `tflow: stats:` line (a counter that is 0 is not
# printed: 0).
stat_of() {
	sed -n 's/^tflow: stats: //p' "$E2E_WORK/tflow.log" | tr ' ' '\n' |
		sed -n "s/^$1=//p" | awk '{ v = $1 } END { print v + 0 }'
}

gcc -O2 -Wall -o "$E2E_WORK/gen" "$E2E_DIR/gen.c" || die "gen.c compiles"

collector_start
# the shutdown flush sends ~2,200 datagrams in one burst: a 64 MiB buffer and a snap length that
# just holds a datagram (tcpdump takes the last -B/-s it is given)
capture_start export lo "$NS_B" -B 65536 -s 2048 udp port "$COLLECTOR_PORT"
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=IPFIX" --cache-entries 1k \
	--inactive-flow-timeout 60s --active-flow-timeout 30m
t_eq "exporter: the flows map is a hash of 1024 entries" "$(exporter_map flows)" "1024 hash"

# The oracle capture: a larger buffer (64 MiB) and a shorter snap length than capture_start's
# defaults (tcpdump takes the last -B/-s it is given), so that it keeps up with gen.c.
capture_start oracle "$IF_A" "$NS_A" -B 65536 -s 96
start=$(date +%s.%N)
out=$(nsa "$E2E_WORK/gen" "$IF_A" "$MAC_B" "$IP_B" --proto udp --dport 7000 \
	--payload "$PAYLOAD" --flows "$FLOWS" --second "$SECOND" 2>&1) ||
	die "traffic: gen.c sent $FLOWS flows" "$out"
log "gen: $out"
rate=$(sed -n 's/.* pps=\([0-9]*\).*/\1/p' <<<"$out")
t_eq "traffic: gen.c sent $PACKETS packets of $FLOWS flows" \
	"$(sed -n 's/^sent=\([0-9]*\) .* flows=\([0-9]*\) .*/\1 \2/p' <<<"$out")" "$PACKETS $FLOWS"
echo "# small_cache: $PACKETS packets of $FLOWS flows sent at $rate packets/s"
capture_stop
exporter_stop
capture_stop export
collector_stop
log "traffic, shutdown and collection took" \
	"$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

oracle_table
t_eq "oracle: $FLOWS flows, $PACKETS packets, $((PACKETS * IPLEN)) bytes crossed the link" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow '*' '*' '*' '*' '*' | cut -d' ' -f1,2)" \
	"$FLOWS $PACKETS $((PACKETS * IPLEN))"

nfdump_table
log "nfdump: $(grep '^total' "$E2E_WORK/nfdump.tsv")"
t_eq "nfdump: totals equal the capture (packets bytes)" \
	"$(table_flow "$E2E_WORK/nfdump.tsv" '*' '*' '*' '*' '*' | cut -d' ' -f1,2)" \
	"$PACKETS $((PACKETS * IPLEN))"
check_flows "nfdump: records summed per 5-tuple equal the capture, flow by flow"

# tflow's own accounting
seen=$(stat_of seen)
accounted=$(stat_of accounted)
overflow=$(stat_of overflow)
cache_full=$(stat_of cache_full)
lost=$(stat_of lost)
evicted=$(sed -n 's/^tflow: exported [0-9]* records (\([0-9]*\) evicted early)$/\1/p' \
	"$E2E_WORK/tflow.log")
records=$(sed -n 's/^tflow: exported \([0-9]*\) records .*/\1/p' "$E2E_WORK/tflow.log")
echo "# small_cache: tflow seen=$seen accounted=$accounted overflow=$overflow" \
	"cache_full=$cache_full lost=$lost; $records records, ${evicted:-?} evicted early"
t_eq "stats: seen and accounted equal the packets sent" "$seen $accounted" "$PACKETS $PACKETS"
t_check "stats: the overflow path was used (overflow $overflow > 0, cache_full $cache_full > 0)" \
	test "$overflow" -gt 0 -a "$cache_full" -gt 0
t_eq "stats: lost = 0" "$lost" 0
[ -n "$evicted" ] || t_fail "exporter: prints 'exported N records (M evicted early)'" \
	"$(tail -5 "$E2E_WORK/tflow.log")"

# flowEndReason of every IPFIX record, decoded by flows.py (independent of nfdump)
reasons=$("$PY" - "$E2E_DIR" "$E2E_WORK/export.pcap" "$COLLECTOR_PORT" <<-'EOF'
	import sys
	from collections import Counter
	sys.path.insert(0, sys.argv[1])
	import flows
	c = Counter()
	for d in flows.export_datagrams(sys.argv[2], int(sys.argv[3])):
	    if d.get("error"):
	        c["error"] += 1
	    for r in d.get("records", []):
	        c[r.get("end_reason", "none")] += 1
	print(" ".join("%s:%d" % (k, v) for k, v in sorted(c.items(), key=lambda x: str(x[0]))))
	EOF
)
log "flowEndReason of the exported records (flows.py): $reasons"
r5=$(tr ' ' '\n' <<<"$reasons" | sed -n 's/^5://p')
t_eq "export: one record per record tflow counted, every one reason 4 or 5 (flows.py)" \
	"$reasons" "4:$((records - ${r5:-0})) 5:${r5:-0}"
t_check "export: flowEndReason 5 (lack of resources) appears (${r5:-0} records)" \
	test "${r5:-0}" -gt 0
t_eq "export: records with flowEndReason 5 = flows tflow evicted early" "${r5:-0}" "${evicted:-?}"

# the same with tshark's IPFIX decoder
t5=$(tshark -r "$E2E_WORK/export.pcap" -n -d "udp.port==$COLLECTOR_PORT,cflow" -T fields \
	-e cflow.flow_end_reason 2>"$E2E_WORK/tshark.err" | tr ',' '\n' | grep -c '^5$')
t_eq "export: tshark counts as many flowEndReason 5 records (cflow.flow_end_reason)" "$t5" \
	"${r5:-0}"
t_finish
