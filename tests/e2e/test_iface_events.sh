#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_iface_events.sh - interfaces that come and go while tflow runs (netlink link events).
#
# tflow is told to watch vb, vz and vzr; vz does not exist at start. It is created later (as a PPP
# session or VLAN would be), gets traffic, is renamed to vzr (also selected, so it stays attached;
# a rename out of the selection detaches, see test_iface_match), goes down and up, and is deleted.
# Pass: tflow starts anyway (with a warning), attaches vz when it appears, logs the rename, the
# link changes and the deletion, keeps counting on vb, and vz's flows are exported exactly.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy
topo_create
collector_start
exporter_start --interfaces vb,vz,vzr --target "127.0.0.1:$COLLECTOR_PORT,version=IPFIX" \
	--inactive-flow-timeout 30s --scan-interval 250ms
t_check "a missing interface is a warning, not a failure" \
	grep -q "'vz' does not exist (yet)" "$E2E_WORK/tflow.log"

# vz appears: a veth whose peer sits in the sender's namespace, on its own subnet.
nsb ip link add vz type veth peer name vz-peer netns "$NS_A" || die "topology: vz"
nsb ip addr add 10.77.9.2/24 dev vz
nsa ip addr add 10.77.9.1/24 dev vz-peer
nsb ip link set vz up
nsa ip link set vz-peer up
wait_for 5 grep -q "vz: attached" "$E2E_WORK/tflow.log"
t_check "vz attached when it appeared" grep -q "vz: attached" "$E2E_WORK/tflow.log"
t_check "vz has tflow's XDP program" sh -c "ip -n $NS_B link show dev vz | grep -q xdp"
t_check "traffic: 4 pings over vz" nsa ping -c 4 -i 0.2 -q 10.77.9.2
t_check "traffic: 3 pings over vb" nsa ping -c 3 -i 0.2 -q "$IP_B"

nsb ip link set vz down
nsb ip link set vz name vzr
nsb ip link set vzr up
wait_for 5 grep -q "renamed to vzr" "$E2E_WORK/tflow.log"
t_check "rename logged" grep -q "vz: renamed to vzr" "$E2E_WORK/tflow.log"
t_check "link down logged" grep -q "link down" "$E2E_WORK/tflow.log"
t_check "traffic: 2 more pings over the renamed interface" nsa ping -c 2 -i 0.2 -q 10.77.9.2
nsb ip link del vzr
wait_for 5 grep -q "vzr: deleted" "$E2E_WORK/tflow.log"
t_check "deletion logged" grep -q "vzr: deleted" "$E2E_WORK/tflow.log"
t_check "tflow still runs" kill -0 "$EXPORTER_PID"
exporter_stop
collector_stop

flows=$(nfdump -R "$COLLECTOR_DIR" -q -N -o 'fmt:%sa %da %pr %pkt' 2>/dev/null)
got() { echo "$flows" | awk -v s="$1" -v d="$2" '$1 == s && $2 == d && $3 ~ /ICMP|^1$/ {p += $4} END {print p + 0}'; }
t_eq "vz: 6 echo requests exported (4 before, 2 after the rename)" "$(got 10.77.9.1 10.77.9.2)" 6
t_eq "vz: 6 echo replies exported" "$(got 10.77.9.2 10.77.9.1)" 6
t_eq "vb: 3 echo requests exported" "$(got "$IP_A" "$IP_B")" 3
t_finish
