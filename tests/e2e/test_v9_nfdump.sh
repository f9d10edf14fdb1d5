#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_v9_nfdump.sh - IPv4 and IPv6 (UDP, fragments, ICMP/ICMPv6, TCP, MLD, ND, extension
# headers) through tflow on vb; NetFlow v9 to nfcapd, read back with nfdump.
#
# Pass: the capture on va holds exactly the scripted traffic (dual_stack_oracle in lib.sh); the v9
# datagrams captured on lo obey RFC 3954 as flows.py decodes them (sequence +1 per datagram,
# templates 256/257 and options template 258 in the first datagram, sampling announced as rate 1,
# algorithm 0; field 32 = the ICMP/ICMPv6 destination port; no datagram over 1500 bytes); those records and nfdump's
# (nfcapd -s -1) equal the capture flow by flow, one record per flow (inactive timeout 60 s), IPv6
# included, flowDirection 0 for what vb received and 1 for what it sent; and nfdump shows each
# ICMP and ICMPv6 flow with the type and code that were sent.
#
# nfdump 1.7.1's v9 decoder takes an ICMP type/code only from field 32 (ICMP_TYPE): its v9 table
# has no 139 (icmpTypeCodeIPv6), and for ICMP it sets the destination port from 32 alone, 0
# without it. So the ICMPv6 checks here hold only if tflow's v9 IPv6 template carries field 32.
TOPO_IPV6=1
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
need_tflow_exporter
topo_create
collector_start
capture_start export lo "$NS_B" udp port "$COLLECTOR_PORT"
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=9" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
dual_stack_servers

capture_start
dual_stack_traffic
capture_stop
exporter_stop
capture_stop export
collector_stop

dual_stack_oracle
check_export "export: every v9 datagram decodes (sequence, templates first, sampling off, mtu)" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" 9 --mtu 1500 --refresh 20 --sampling 1:0
check_flows_export "export: the v9 records equal the capture (IPv4 and IPv6, flowDirection)" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" --one-record-per-flow --check-direction
check_flows "nfdump v9 records equal the capture (packets, bytes, flows, IPv4 and IPv6)" \
	--one-record-per-flow --check-direction
nfdump_icmp_checks
t_finish
