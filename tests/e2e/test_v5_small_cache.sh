#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_v5_small_cache.sh - 5000 one-packet UDP flows through a 1024-entry flow cache.
#
# The flow map holds 1024 entries; the other flows must reach userspace through the overflow
# ring buffer, so totals stay exact. Pass: the capture holds exactly the 5000 flows sent
# (5000 packets, 5000 x 92 bytes) and nfdump's records, summed per 5-tuple, equal the capture
# flow by flow (a flow may be split into several records, never lost or double counted).
. "$(dirname "$0")/lib.sh"

FLOWS=5000
PAYLOAD=64 # IP total length 20 + 8 + 64 = 92

need root ip ethtool tcpdump nfcapd nfdump ss bpftool tflow scapy
topo_create
collector_start
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=5" --cache-entries 1k
udp_sink udp-sink 7000 || exit 1
[ "$E2E_EXPORTER" = tflow ] &&
	t_eq "exporter: the flows map is a hash of 1024 entries" "$(exporter_map flows)" "1024 hash"

capture_start
t_check "traffic: $FLOWS one-packet udp flows" traffic "$NS_A" udp-flows "$IF_A" "$MAC_B" \
	"$IP_A" "$IP_B" 7000 "$FLOWS" "$PAYLOAD" --sport-base 10000
capture_stop
exporter_stop
collector_stop

oracle_table
t_eq "oracle: $FLOWS flows, $FLOWS packets, $((FLOWS * 92)) bytes crossed the link" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow '*' '*' '*' '*' '*' | cut -d' ' -f1,2)" \
	"$FLOWS $FLOWS $((FLOWS * 92))"
nfdump_table
log "nfdump: $(tail -n +2 "$E2E_WORK/nfdump.tsv" | grep '^total')"
check_flows "nfdump totals and per-flow sums equal the capture"
t_finish
