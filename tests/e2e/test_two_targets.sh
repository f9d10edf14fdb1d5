#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_two_targets.sh - one tflow, two targets: NetFlow v5 to one nfcapd, IPFIX to another.
#
# Pass: the capture on va holds exactly the scripted IPv4 traffic (UDP, ICMP echo, TCP), and each
# collector's records equal the capture flow by flow, exactly, one record per flow: the same
# totals reach both targets, whatever their format.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
need_tflow_exporter
topo_create
collector_start 2055 nfcapd-v5
collector_start 2056 nfcapd-ipfix
exporter_start --target "127.0.0.1:2055,version=5" --target "127.0.0.1:2056,version=IPFIX" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
udp_sink udp-sink 5001 5002 5003 || exit 1
bg_start tcp-server "$NS_B" "$PY" "$E2E_DIR/traffic.py" tcp-server 6000 20000
bg_wait_line tcp-server '^ready' 10 || exit 1

capture_start
t_check "traffic: udp sent" traffic "$NS_A" udp-send "$IP_B" 5001:10:64 5002:7:512 5003:3:1400 \
	--sport 40000
t_check "traffic: ping 5 echo requests, 5 replies" nsa ping -c 5 -s 100 -i 0.2 -W 2 -q "$IP_B"
t_check "traffic: tcp 5000 bytes up, 20000 down" traffic "$NS_A" tcp-client "$IP_B" 6000 5000 20000
wait_pid "${E2E_BG[tcp-server]}" 10
capture_stop
exporter_stop
collector_stop nfcapd-v5
collector_stop nfcapd-ipfix

oracle_table
t_eq "oracle: udp 5001 = 10 x (64+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5001)" "10 920 640"
t_eq "oracle: udp 5002 = 7 x (512+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5002)" "7 3780 3584"
t_eq "oracle: udp 5003 = 3 x (1400+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5003)" "3 4284 4200"
t_eq "oracle: 5 echo requests of 128 bytes (dport 8*256)" \
	"$(oracle_flow 1 "$IP_A" 0 "$IP_B" 2048)" "5 640 540"
t_eq "oracle: 5 echo replies of 128 bytes (dport 0)" "$(oracle_flow 1 "$IP_B" 0 "$IP_A" 0)" \
	"5 640 540"
read -r up_payload <<<"$(oracle_flow 6 "$IP_A" '*' "$IP_B" 6000 | cut -d' ' -f3)"
read -r down_payload <<<"$(oracle_flow 6 "$IP_B" 6000 "$IP_A" '*' | cut -d' ' -f3)"
t_eq "oracle: tcp payload up and down" "$up_payload $down_payload" "5000 20000"
t_eq "oracle: 7 flows, nothing else crossed the link" "$(table_count "$E2E_WORK/oracle.tsv")" 7

check_flows_in "${COLL_DIR[nfcapd-v5]}" "nfdump of the v5 target equals the capture" \
	--one-record-per-flow
check_flows_in "${COLL_DIR[nfcapd-ipfix]}" "nfdump of the IPFIX target equals the capture" \
	--one-record-per-flow
nfdump_table "${COLL_DIR[nfcapd-v5]}" "$E2E_WORK/v5.tsv"
nfdump_table "${COLL_DIR[nfcapd-ipfix]}" "$E2E_WORK/ipfix.tsv"
t_check "nfdump: both targets hold the same flow table" \
	diff "$E2E_WORK/v5.tsv" "$E2E_WORK/ipfix.tsv"
t_finish
