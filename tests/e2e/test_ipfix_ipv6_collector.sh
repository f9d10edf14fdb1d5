#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_ipfix_ipv6_collector.sh - IPFIX to a collector on an IPv6 address: --target [::1]:PORT.
#
# nfcapd 1.7.1 listens on IPv6 with -6 -b ::1 (collector_start with an IPv6 address). Pass: the
# capture on va holds exactly the scripted dual-stack traffic; every export datagram is IPv6 from
# ::1 to [::1]:PORT, at most 1500 bytes, and the stream obeys RFC 7011 (flows.py); nfdump's records
# were received from ::1 and equal the capture flow by flow, one record per flow.
TOPO_IPV6=1
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
need_tflow_exporter
topo_create
collector_start 2056 nfcapd ::1
capture_start export lo "$NS_B" udp port 2056
exporter_start --target "[::1]:2056,version=IPFIX" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
dual_stack_servers

capture_start
dual_stack_traffic
capture_stop
exporter_stop
capture_stop export
collector_stop

dual_stack_oracle
t_eq "export: datagrams captured; none but IPv6 from ::1 to [::1]:2056" \
	"$(tcpdump -r "$E2E_WORK/export.pcap" -n 2>/dev/null | grep -c .) \
$(tcpdump -r "$E2E_WORK/export.pcap" -n 'not (ip6 src ::1 and ip6 dst ::1 and udp dst port 2056)' \
		2>/dev/null | grep -c .)" "$(export_datagrams "$E2E_WORK/export.pcap" 2056 | grep -c .) 0"
check_export "export: every IPFIX message decodes (sequence, templates first, sampling 1:0, mtu)" \
	"$E2E_WORK/export.pcap" 2056 10 --mtu 1500 --refresh 20 --sampling 1:0
t_eq "nfdump: every record was received from ::1" \
	"$(nfdump_csv | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ra") c = i; next }
		NF > 20 { print $c }' | sort -u)" "::1"
check_flows "nfdump IPFIX records (over IPv6) equal the capture, IPv4 and IPv6 flows" \
	--one-record-per-flow --check-direction
t_finish
