#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_nfacctd.sh - pmacct's nfacctd receives NetFlow v9 and IPFIX from tflow (two targets, two
# nfacctd), IPv4 and IPv6; then the same with packet sampling on.
#
# nfacctd runs in $NS_B on 127.0.0.1 with the print plugin: csv, aggregate src_host, dst_host,
# src_port, dst_port, proto, refreshed every second and appended to a file (nfacctd_start).
# Phase 1, no sampling. Pass: the capture holds exactly the scripted dual-stack traffic
# (dual_stack_oracle); each nfacctd's rows, summed per key, equal the capture's flows exactly
# (packets and bytes per flow, ICMP/ICMPv6 type and code in dst_port).
# Phase 2, a new tflow with --packet-sampling yes --sampling-interval 2 --sampling-space 3 and
# two new nfacctd: 100 datagrams sent from one process pinned to CPU 0 are counted 2 in every 5
# (see test_v5_sampling.sh): 40 packets, 40 x 128 bytes. Pass: the capture holds the 100; both
# nfacctd show 40 and 5120: nfacctd does not scale by the announced sampling
# (nfacctd_renormalize false).
TOPO_IPV6=1
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfacctd ping ss taskset tflow scapy
need_tflow_exporter
topo_create
nfacctd_start nfacctd-v9 2055
nfacctd_start nfacctd-ipfix 2056
exporter_start --target "127.0.0.1:2055,version=9" --target "127.0.0.1:2056,version=IPFIX" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
dual_stack_servers

capture_start
dual_stack_traffic
capture_stop
exporter_stop
nfacctd_stop nfacctd-v9 nfacctd-ipfix

dual_stack_oracle
check_flows_nfacctd nfacctd-v9 "nfacctd (v9) equals the capture, flow by flow (IPv4 and IPv6)"
check_flows_nfacctd nfacctd-ipfix \
	"nfacctd (IPFIX) equals the capture, flow by flow (IPv4 and IPv6)"

# Phase 2: sampling announced (v9 rate 3, IPFIX interval 2 space 3); nfacctd must not scale.
nfacctd_start nfacctd-v9-sampled 2057
nfacctd_start nfacctd-ipfix-sampled 2058
mv "$E2E_WORK/tflow.log" "$E2E_WORK/tflow-phase1.log"
exporter_start --target "127.0.0.1:2057,version=9" --target "127.0.0.1:2058,version=IPFIX" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s \
	--packet-sampling yes --sampling-interval 2 --sampling-space 3
mv "$E2E_WORK/oracle.pcap" "$E2E_WORK/oracle-phase1.pcap"
capture_start
t_check "traffic: 100 udp datagrams of 100 bytes from CPU 0" taskset -c 0 \
	ip netns exec "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-send "$IP_B" 5006:100:100 --sport 40009
capture_stop
exporter_stop
nfacctd_stop nfacctd-v9-sampled nfacctd-ipfix-sampled

oracle_table
t_eq "oracle: 100 x 128 bytes, nothing else" \
	"$(oracle_flow 17 "$IP_A" 40009 "$IP_B" 5006 | cut -d' ' -f1,2) $(table_count \
		"$E2E_WORK/oracle.tsv")" "100 12800 1"
for n in nfacctd-v9-sampled nfacctd-ipfix-sampled; do
	"$PY" "$E2E_DIR/flows.py" nfacctd "${COLL_DIR[$n]}" >"$E2E_WORK/$n.tsv"
	t_eq "$n: 40 of 100 packets (2 of every 5), 40 x 128 bytes, not scaled" \
		"$(table_flow "$E2E_WORK/$n.tsv" 17 "$IP_A" 40009 "$IP_B" 5006 | cut -d' ' -f1,2) \
$(table_count "$E2E_WORK/$n.tsv")" "40 5120 1"
done
t_finish
