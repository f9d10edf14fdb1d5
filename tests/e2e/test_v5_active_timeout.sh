#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_v5_active_timeout.sh - a long flow crosses the active timeout several times; NetFlow v5.
#
# Pass: with active-flow-timeout 2s, a UDP flow sending for ~7 s is exported as several delta
# records (at least 3) whose sums equal the capture exactly: no increment between a scan's read
# and its export is lost or counted twice, and no record is empty.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ss tflow scapy
topo_create
collector_start
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
	--active-flow-timeout 2s --inactive-flow-timeout 2s --scan-interval 250ms
udp_sink udp-sink 5001 || exit 1

capture_start
# 140 datagrams, one every 50 ms: about 7 s, so three or more active timeouts pass.
t_check "traffic: udp sent for ~7 s" traffic "$NS_A" udp-send "$IP_B" 5001:140:100 --sport 40001 \
	--gap 0.05
capture_stop
exporter_stop
collector_stop

oracle_table
t_eq "oracle: 140 x (100+28) bytes" "$(oracle_flow 17 "$IP_A" 40001 "$IP_B" 5001)" "140 17920 14000"
nfdump_table
read -r pkts bytes _ records <<<"$(table_flow "$E2E_WORK/nfdump.tsv" 17 "$IP_A" 40001 "$IP_B" 5001)"
t_eq "nfdump: the deltas add up to 140 packets, 17920 bytes" "$pkts $bytes" "140 17920"
t_check "nfdump: exported in 3 or more records ($records)" test "$records" -ge 3
t_eq "nfdump: no empty record" \
	"$(nfdump -R "$COLLECTOR_DIR" -q -N -o 'fmt:%pkt' | awk '$1 == 0' | wc -l)" 0
check_flows "nfdump v5 records equal the capture (packets, bytes, flows)"
t_finish
