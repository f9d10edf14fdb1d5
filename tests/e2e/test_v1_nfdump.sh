#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_v1_nfdump.sh - NetFlow v1 to nfcapd: IPv4 flows exact, IPv6 flows left out, 24 records a
# datagram at most.
#
# The link is dual-stack and carries the scripted IPv4 and IPv6 traffic (dual_stack_traffic) plus
# 50 one-packet UDP flows, so the flush at shutdown holds 58 IPv4 flows (more than two full v1
# datagrams). Pass: the capture holds exactly the scripted traffic; every v1 datagram decodes
# (16-byte header, count x 48-byte records, at most 24, no more than 1500 bytes); the records, as
# flows.py decodes them and as nfdump shows them, equal the capture's IPv4 flows flow by flow, one
# record per flow; no IPv6 flow reaches the collector (v1 carries IPv4 only).
TOPO_IPV6=1
ORACLE_IPV6= # the collector is compared with the capture's IPv4 flows
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
need_tflow_exporter
topo_create
collector_start
capture_start export lo "$NS_B" udp port "$COLLECTOR_PORT"
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=1" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
dual_stack_servers
udp_sink udp-sink7000 7000 || exit 1

capture_start
dual_stack_traffic
t_check "traffic: 50 one-packet udp flows" traffic "$NS_A" udp-flows "$IF_A" "$MAC_B" \
	"$IP_A" "$IP_B" 7000 50 64 --sport-base 10000
capture_stop
exporter_stop
capture_stop export
collector_stop

dual_stack_oracle 50
t_eq "oracle: 50 one-packet udp flows of 92 bytes to port 7000" \
	"$(awk -F'\t' '$1 == 17 && $5 == 7000 && $7 == 1 && $8 == 92' "$E2E_WORK/oracle.tsv" |
		wc -l) $(oracle_flow 17 "$IP_A" '*' "$IP_B" 7000 | cut -d' ' -f1,2)" "50 50 4600"

check_export "export: every v1 datagram decodes, at most 24 records, at most 1500 bytes" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" 1 --mtu 1500 --max-records 24
check_flows_export "export: the v1 records equal the capture's 58 IPv4 flows" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" --one-record-per-flow
check_flows "nfdump v1 records equal the capture's IPv4 flows (packets, bytes, flows)" \
	--one-record-per-flow
t_eq "nfdump: no IPv6 record" "$(nfdump_csv | awk -F, 'NF > 20 && $4 ~ /:/' | wc -l)" 0
t_finish
