#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_ipfix_nfdump.sh - IPv4 and IPv6 (UDP, fragments, ICMP/ICMPv6, TCP, MLD, ND, extension
# headers) through tflow on vb; IPFIX to nfcapd, read back with nfdump.
#
# Pass: the capture on va holds exactly the scripted traffic (dual_stack_oracle in lib.sh); the
# IPFIX messages captured on lo obey RFC 7011 as flows.py decodes them (sequence = data records
# sent before, templates 256/257 and options template 258 in the first message, sampling announced
# as interval 1 space 0, no datagram over 1500 bytes; every flowEndReason 4, forced: nothing times
# out, everything is exported at shutdown); those records and nfdump's (nfcapd -s -1) equal the
# capture flow by flow, one record per flow (inactive timeout 60 s), IPv6 and ICMPv6 types
# included, flowDirection 0 for what vb received and 1 for what it sent; and nfdump shows each
# ICMP and ICMPv6 flow with the type and code sent.
TOPO_IPV6=1
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
need_tflow_exporter
topo_create
collector_start
capture_start export lo "$NS_B" udp port "$COLLECTOR_PORT"
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=IPFIX" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
dual_stack_servers

capture_start
dual_stack_traffic
capture_stop
exporter_stop
capture_stop export
collector_stop

dual_stack_oracle
check_export "export: every IPFIX message decodes (sequence, templates first, sampling 1:0, mtu)" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" 10 --mtu 1500 --refresh 20 --sampling 1:0
check_export "export: every IPFIX record ends with flowEndReason 4 (forced, at shutdown)" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" 10 --end-reasons 4
check_flows_export "export: the IPFIX records equal the capture (IPv4 and IPv6, flowDirection)" \
	"$E2E_WORK/export.pcap" "$COLLECTOR_PORT" --one-record-per-flow --check-direction
check_flows "nfdump IPFIX records equal the capture (packets, bytes, flows, IPv4 and IPv6)" \
	--one-record-per-flow --check-direction
nfdump_icmp_checks
t_finish
