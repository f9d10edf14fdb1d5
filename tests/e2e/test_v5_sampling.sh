#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_v5_sampling.sh - RouterOS packet sampling (interval 2, space 3) on one CPU, NetFlow v5.
#
# Two UDP flows sent by one process pinned to CPU 0 into a sink (no replies, no other IPv4 on the
# link, static neighbours: no ARP either), so CPU 0's counter sees exactly these packets:
#   flow A, 7 datagrams, first on a fresh counter: taken 1 2, skipped 3 4 5, taken 6 7 -> 4
#   flow B, 100 datagrams: any 5 consecutive packets hold exactly 2 taken ones -> 40
# Pass: the capture holds exactly these two flows (7 and 100 packets of 128 bytes); nfdump
# (nfcapd -s -1: no scaling) shows exactly 4 and 40 packets (x 128 bytes) and no other flow; every
# exported v5 datagram (captured on lo, decoded by tshark) announces sampling mode 1, interval 3
# (0x4003 = 01 << 14 | round((2 + 3) / 2)) and carries 40 packets for flow B.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump tshark taskset ss tflow scapy
need_tflow_exporter
topo_create
collector_start
capture_start export lo "$NS_B" udp port "$COLLECTOR_PORT"
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=5" --inactive-flow-timeout 60s \
	--packet-sampling yes --sampling-interval 2 --sampling-space 3
udp_sink udp-sink 5000 5001 || exit 1

capture_start
t_check "traffic: 7 then 100 udp datagrams from CPU 0" taskset -c 0 \
	ip netns exec "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-send "$IP_B" 5000:7:100 5001:100:100 \
	--sport 40000
capture_stop
exporter_stop
capture_stop export
collector_stop

oracle_table
t_eq "oracle: 2 flows crossed the link, nothing else" "$(table_count "$E2E_WORK/oracle.tsv")" 2
t_eq "oracle: flow A = 7 x 128 bytes" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5000)" "7 896 700"
t_eq "oracle: flow B = 100 x 128 bytes" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5001)" \
	"100 12800 10000"

nfdump_table
t_eq "nfdump: flow A, fresh counter: 4 of 7 packets taken (1 2 . . . 6 7)" \
	"$(table_flow "$E2E_WORK/nfdump.tsv" 17 "$IP_A" 40000 "$IP_B" 5000 | cut -d' ' -f1,2)" \
	"4 512"
t_eq "nfdump: flow B: 40 of 100 packets taken (2 of every 5), 40 x 128 bytes" \
	"$(table_flow "$E2E_WORK/nfdump.tsv" 17 "$IP_A" 40000 "$IP_B" 5001 | cut -d' ' -f1,2)" \
	"40 5120"
t_eq "nfdump: no other flow" "$(table_count "$E2E_WORK/nfdump.tsv")" 2

# tshark: one line per v5 datagram (header fields) and the flow's records
tshark -r "$E2E_WORK/export.pcap" -d "udp.port==$COLLECTOR_PORT,cflow" -T fields -E separator=' ' \
	-e cflow.version -e cflow.samplingmode -e cflow.samplerate \
	>"$E2E_WORK/export-hdr.txt" 2>"$E2E_WORK/tshark.err"
t_check "tshark: every datagram is v5 with sampling mode 1, interval 3 (0x4003)" \
	awk 'NF { n++; if ($1 != 5 || $2 != 1 || $3 != 3) { bad++; print "datagram " n ": " $0 } }
		END { if (!n) print "no NetFlow datagram captured"; exit !(n && !bad) }' \
	"$E2E_WORK/export-hdr.txt"
tshark -r "$E2E_WORK/export.pcap" -d "udp.port==$COLLECTOR_PORT,cflow" -T fields \
	-E separator=' ' -E occurrence=a -E aggregator=' ' \
	-e cflow.srcport -e cflow.dstport -e cflow.packets -e cflow.octets \
	>"$E2E_WORK/export-rec.txt" 2>>"$E2E_WORK/tshark.err"
t_eq "tshark: flow B's v5 records carry 40 packets, 5120 bytes" "$(awk '
	{ n = NF / 4; for (i = 1; i <= n; i++)
		if ($i == 40000 && $(n + i) == 5001) { p += $(2 * n + i); b += $(3 * n + i) } }
	END { printf "%d %d\n", p, b }' "$E2E_WORK/export-rec.txt")" "40 5120"
t_finish
