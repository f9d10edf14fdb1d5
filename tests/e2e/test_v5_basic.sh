#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_v5_basic.sh - UDP, ICMP echo and a TCP exchange through tflow on vb; NetFlow v5 to nfcapd.
#
# Pass: the capture on va holds exactly the scripted traffic (counts computed from the script),
# and nfdump's records equal the capture's flows exactly: same 7 flows, same packets and bytes
# per flow, one record per flow (nothing can time out: inactive timeout 60 s).
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
topo_create
collector_start
exporter_start --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
udp_sink udp-sink 5001 5002 5003 || exit 1
bg_start tcp-server "$NS_B" "$PY" "$E2E_DIR/traffic.py" tcp-server 6000 20000
bg_wait_line tcp-server '^ready' 10 || exit 1

capture_start
# UDP: 10 x 64, 7 x 512 and 3 x 1400 payload bytes, from source port 40000
t_check "traffic: udp sent" traffic "$NS_A" udp-send "$IP_B" 5001:10:64 5002:7:512 5003:3:1400 \
	--sport 40000
t_check "traffic: ping 5 echo requests, 5 replies" nsa ping -c 5 -s 100 -i 0.2 -W 2 -q "$IP_B"
t_check "traffic: tcp 5000 bytes up, 20000 down" traffic "$NS_A" tcp-client "$IP_B" 6000 5000 20000
wait_pid "${E2E_BG[tcp-server]}" 10
capture_stop
exporter_stop
collector_stop

# The oracle first: the capture must hold exactly what the script sent.
oracle_table
t_eq "oracle: udp 5001 = 10 x (64+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5001)" "10 920 640"
t_eq "oracle: udp 5002 = 7 x (512+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5002)" "7 3780 3584"
t_eq "oracle: udp 5003 = 3 x (1400+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5003)" "3 4284 4200"
t_eq "oracle: 5 echo requests of 128 bytes (dport 8*256)" \
	"$(oracle_flow 1 "$IP_A" 0 "$IP_B" 2048)" "5 640 540"
t_eq "oracle: 5 echo replies of 128 bytes (dport 0)" "$(oracle_flow 1 "$IP_B" 0 "$IP_A" 0)" "5 640 540"
read -r up_pkts _ up_payload <<<"$(oracle_flow 6 "$IP_A" '*' "$IP_B" 6000)"
read -r down_pkts _ down_payload <<<"$(oracle_flow 6 "$IP_B" 6000 "$IP_A" '*')"
t_eq "oracle: tcp payload client->server" "$up_payload" 5000
t_eq "oracle: tcp payload server->client" "$down_payload" 20000
t_eq "oracle: 7 flows, nothing else crossed the link" \
	"$(table_count "$E2E_WORK/oracle.tsv")" 7
log "oracle: tcp $up_pkts packets up, $down_pkts down"

# Then the exporter: nfdump must equal the capture, flow by flow.
check_flows "nfdump v5 records equal the capture (packets, bytes, flows)" --one-record-per-flow
t_finish
