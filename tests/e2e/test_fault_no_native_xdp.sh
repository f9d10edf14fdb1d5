#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fault_no_native_xdp.sh - an interface whose driver has no native XDP (a Linux bridge):
# tflow says so, falls back to generic XDP, and still counts exactly.
#
# vb is enslaved to a bridge br0 in $NS_B, which takes vb's address and MAC: the traffic from va
# is delivered to br0 (ingress, generic XDP on br0) and br0's replies leave through it (tc
# egress on br0) and then vb. That the bridge has no native XDP on this kernel is checked first:
# attaching a tiny XDP_PASS program compiled here with `ip link set dev br0 xdpdrv` must fail.
# tflow runs on br0 only, NetFlow v5 to nfcapd; the traffic of test_v5_basic (UDP, ICMP echo, TCP).
# Pass:
#   - tflow's log has a line naming br0 that says native XDP is not available and generic XDP is
#     used; while it runs, br0's XDP program is tflow_xdp in generic mode (ip link: mode 2);
#   - nfdump's records equal the capture on va exactly, one record per flow, with br0's ifindex
#     as input (ingress) or output (egress) interface;
#   - tflow exits 0 on SIGTERM and br0 is left without XDP and without a clsact qdisc.
. "$(dirname "$0")/lib.sh"

need root ip tc ethtool tcpdump nfcapd nfdump ping ss clang tflow scapy
need_tflow_exporter
topo_create
BR=br0
nsb ip link add "$BR" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
	die "setup: a bridge in $NS_B"
nsb sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=1" || die "setup: IPv6 off on $BR"
nsb ethtool -K "$BR" tso off gso off gro off >/dev/null 2>&1 || die "setup: ethtool -K $BR"
nsb ip link set "$BR" address "$MAC_B" || die "setup: $BR takes vb's MAC"
nsb ip addr del "$IP_B/24" dev "$IF_B" || die "setup: address off vb"
nsb ip link set "$IF_B" master "$BR" || die "setup: vb into $BR"
nsb ip addr add "$IP_B/24" dev "$BR" || die "setup: address on $BR"
nsb ip link set "$BR" up || die "setup: $BR up"
nsb ip neigh replace "$IP_A" lladdr "$MAC_A" dev "$BR" nud permanent || die "setup: neigh on $BR"
wait_for 5 nsa ping -c 1 -W 1 -q "$IP_B" >/dev/null || die "setup: $IP_A cannot reach $IP_B via $BR"
IFINDEX_B=$(nsb cat "/sys/class/net/$BR/ifindex") # the observer for check_flows
O=$E2E_WORK/other.o
bpf_other_obj "$O" || die "setup: clang could not build the test XDP object"
if nsb ip link set dev "$BR" xdpdrv obj "$O" sec xdp 2>"$E2E_WORK/xdpdrv.err"; then
	nsb ip link set dev "$BR" xdpdrv off
	die "setup: the bridge has no native XDP on this kernel" \
		"ip link set dev $BR xdpdrv succeeded: this test needs another interface type"
fi
log "$BR: native XDP refused as expected: $(cat "$E2E_WORK/xdpdrv.err")"

collector_start
exporter_start --interfaces "$BR" --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
log "tflow's log about $BR:"
grep -w "$BR" "$E2E_WORK/tflow.log" | sed 's/^/#   /' >&2
t_check "tflow logs that $BR has no native XDP and that it uses generic XDP" \
	grep -iE "\b$BR\b.*native.*generic" "$E2E_WORK/tflow.log"
state=$(xdp_state "$NS_B" "$BR")
t_eq "$BR runs tflow_xdp in generic mode (mode 2)" "$(cut -d' ' -f1,3 <<<"$state")" "2 tflow_xdp"

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
collector_stop
t_eq "after tflow: no XDP left on $BR" "$(xdp_state "$NS_B" "$BR")" none
t_check "after tflow: no clsact qdisc left on $BR" eval "! has_clsact $NS_B $BR"

oracle_table
t_eq "oracle: udp 5001 = 10 x (64+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5001)" "10 920 640"
t_eq "oracle: udp 5002 = 7 x (512+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5002)" "7 3780 3584"
t_eq "oracle: udp 5003 = 3 x (1400+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5003)" "3 4284 4200"
t_eq "oracle: 5 echo requests, 5 replies of 128 bytes" \
	"$(oracle_flow 1 "$IP_A" 0 "$IP_B" 2048) $(oracle_flow 1 "$IP_B" 0 "$IP_A" 0)" \
	"5 640 540 5 640 540"
read -r up_payload <<<"$(oracle_flow 6 "$IP_A" '*' "$IP_B" 6000 | cut -d' ' -f3)"
read -r down_payload <<<"$(oracle_flow 6 "$IP_B" 6000 "$IP_A" '*' | cut -d' ' -f3)"
t_eq "oracle: tcp payload up and down" "$up_payload $down_payload" "5000 20000"
t_eq "oracle: 7 flows, nothing else crossed the link" "$(table_count "$E2E_WORK/oracle.tsv")" 7
check_flows "generic XDP on $BR: nfdump v5 records equal the capture (packets, bytes, flows)" \
	--one-record-per-flow
t_finish
