#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fib.sh - out-interface and gateway from the kernel's FIB, on a real router.
#
#	[ $NS_A ] va 10.77.0.1 ---- vb 10.77.0.2 [ $NS_B router, tflow on vb and vbc ]
#	                                         vbc 10.78.0.2 ---- vc 10.78.0.3 [ $NS_C ]
#	                                                                lo 10.79.0.3, fd79::3
#
# $NS_B forwards; 10.79.0.0/24 and fd79::/64 are routed via $NS_C (10.78.0.3, fd78::3),
# 10.80.0.0/24 via 10.78.0.9, a next hop nobody answers ARP for (the route, not the neighbour,
# is what the datapath reports). tflow has no target: the flows come out as JSON lines at exit.
# Pass: each flow's out interface and gateway are the route's, for XDP ingress flows (the output
# interface comes from the FIB) and tc egress flows (the gateway does), IPv4 and IPv6; a packet
# for the router itself has no route out; the first-packet fields (MACs, UDP length) are the
# frame's.
. "$(dirname "$0")/lib.sh"

need root ip ethtool ping tflow
need_tflow_exporter
TOPO_IPV6=1
topo_create
NS_C=tfc-$$
trap 'rc=$?; ip netns del "$NS_C" 2>/dev/null; (exit $rc); e2e_teardown' EXIT
nsc() { ip netns exec "$NS_C" "$@"; }

ip netns add "$NS_C" || die "topology: ip netns add $NS_C"
ip link add vbc netns "$NS_B" type veth peer name vc netns "$NS_C" || die "topology: veth vbc/vc"
for t in "$NS_B vbc 10.78.0.2 fd78::2" "$NS_C vc 10.78.0.3 fd78::3"; do
	read -r ns ifc ip ip6 <<<"$t"
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" \
		"net.ipv6.conf.$ifc.accept_ra=0" "net.ipv6.conf.$ifc.addr_gen_mode=1" ||
		die "topology: IPv6 settings on $ifc"
	ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1 ||
		die "topology: ethtool $ifc"
	ip -n "$ns" addr add "$ip/24" dev "$ifc" || die "topology: address on $ifc"
	ip -n "$ns" addr add "$ip6/64" dev "$ifc" nodad || die "topology: IPv6 address on $ifc"
	ip -n "$ns" link set "$ifc" up || die "topology: $ifc up"
done
MAC_BC=$(nsb cat /sys/class/net/vbc/address)
MAC_C=$(nsc cat /sys/class/net/vc/address)
IFINDEX_BC=$(nsb cat /sys/class/net/vbc/ifindex)
nsb ip neigh replace 10.78.0.3 lladdr "$MAC_C" dev vbc nud permanent || die "topology: neigh"
nsb ip neigh replace fd78::3 lladdr "$MAC_C" dev vbc nud permanent || die "topology: neigh"
nsc ip neigh replace 10.78.0.2 lladdr "$MAC_BC" dev vc nud permanent || die "topology: neigh"
nsc ip neigh replace fd78::2 lladdr "$MAC_BC" dev vc nud permanent || die "topology: neigh"
nsc ip link set lo up || die "topology: lo up in $NS_C"
nsc ip addr add 10.79.0.3/32 dev lo || die "topology: 10.79.0.3 on $NS_C's lo"
nsc ip addr add fd79::3/128 dev lo || die "topology: fd79::3 on $NS_C's lo"
nsc ip route add default via 10.78.0.2 || die "topology: $NS_C default route"
nsc ip -6 route add default via fd78::2 || die "topology: $NS_C IPv6 default route"
nsa ip route add 10.64.0.0/10 via "$IP_B" || die "topology: $NS_A route"
nsa ip -6 route add fd78::/15 via "$IP6_B" || die "topology: $NS_A IPv6 route"
nsb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
	die "topology: forwarding on in $NS_B"
nsb ip route add 10.79.0.0/24 via 10.78.0.3 || die "topology: route via 10.78.0.3"
nsb ip route add 10.80.0.0/24 via 10.78.0.9 || die "topology: route via 10.78.0.9"
nsb ip -6 route add fd79::/64 via fd78::3 || die "topology: route via fd78::3"
wait_for 5 nsa ping -c 1 -W 1 -q 10.79.0.3 >/dev/null || die "topology: $NS_A reaches 10.79.0.3"
wait_for 5 nsa ping -6 -c 1 -W 1 -q fd79::3 >/dev/null || die "topology: $NS_A reaches fd79::3"

log "exporter: $TFLOW run --interfaces $IF_B,vbc (JSON lines)"
tflow_launch tflow ip netns exec "$NS_B" "$TFLOW" run --interfaces "$IF_B,vbc" \
	--inactive-flow-timeout 10m || die "exporter: tflow started" "$TFLOW_WHY"
EXPORTER_PID=$TFLOW_PID
t_ok "exporter: tflow running"

nsa ping -c 3 -i 0.2 -q 10.79.0.3 >"$E2E_WORK/ping.out" || t_fail "ping 10.79.0.3 via the gateway"
REPLIES=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$E2E_WORK/ping.out")
nsa ping -c 2 -i 0.2 -q 10.78.0.3 >/dev/null || t_fail "ping 10.78.0.3 (directly connected)"
nsa ping -c 2 -i 0.2 -W 1 -q 10.80.0.1 >/dev/null # the router cannot resolve 10.78.0.9
nsa ping -c 2 -i 0.2 -q "$IP_B" >/dev/null || t_fail "ping the router"
nsa ping -6 -c 2 -i 0.2 -q fd79::3 >/dev/null || t_fail "ping fd79::3 via the gateway"
traffic "$NS_A" udp-send 10.79.0.3 5001:2:100 --sport 40001 >/dev/null || t_fail "udp-send"
sleep 0.3

kill -TERM "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 15
t_eq "tflow exits 0 on SIGTERM" "$WAIT_RC" 0

# flow SRC DST PROTO DPORT DIR IFINDEX FIELD...: the fields of that flow's JSON line, space
# separated (ICMP's DPORT is type * 256 + code).
flow() {
	"$PY" - "$E2E_WORK/tflow.out" "$@" <<'EOF'
import json, sys
path, src, dst, proto, dport, direction, ifindex, *fields = sys.argv[1:]
for line in open(path):
    r = json.loads(line)
    if (r["src"], r["dst"], str(r["proto"]), str(r["dport"]), r["dir"], str(r["ifindex"])) == (
            src, dst, proto, dport, direction, ifindex):
        print(" ".join(str(r.get(f, "-")) for f in fields))
        break
else:
    print("no such flow")
EOF
}

IN="in_if out_if gateway fib_if packets"
t_eq "ingress via a gateway: out vbc, gateway 10.78.0.3" \
	"$(flow "$IP_A" 10.79.0.3 1 2048 ingress "$IFINDEX_B" $IN)" \
	"$IFINDEX_B $IFINDEX_BC 10.78.0.3 $IFINDEX_BC 3"
t_eq "egress via a gateway: in vb, gateway 10.78.0.3" \
	"$(flow "$IP_A" 10.79.0.3 1 2048 egress "$IFINDEX_BC" $IN)" \
	"$IFINDEX_B $IFINDEX_BC 10.78.0.3 $IFINDEX_BC 3"
t_eq "the replies ping received: out vb, directly connected (gateway 0.0.0.0)" \
	"$(flow 10.79.0.3 "$IP_A" 1 0 ingress "$IFINDEX_BC" $IN)" \
	"$IFINDEX_BC $IFINDEX_B 0.0.0.0 $IFINDEX_B $REPLIES"
t_eq "directly connected destination: out vbc, gateway 0.0.0.0" \
	"$(flow "$IP_A" 10.78.0.3 1 2048 ingress "$IFINDEX_B" $IN)" \
	"$IFINDEX_B $IFINDEX_BC 0.0.0.0 $IFINDEX_BC 2"
t_eq "unresolved next hop: the route is still reported (gateway 10.78.0.9)" \
	"$(flow "$IP_A" 10.80.0.1 1 2048 ingress "$IFINDEX_B" $IN)" \
	"$IFINDEX_B $IFINDEX_BC 10.78.0.9 $IFINDEX_BC 2"
t_eq "to the router itself: no route out" \
	"$(flow "$IP_A" "$IP_B" 1 2048 ingress "$IFINDEX_B" $IN)" \
	"$IFINDEX_B 0 0.0.0.0 0 2"
t_eq "ipv6 ingress via a gateway: out vbc, gateway fd78::3" \
	"$(flow "$IP6_A" fd79::3 58 32768 ingress "$IFINDEX_B" $IN)" \
	"$IFINDEX_B $IFINDEX_BC fd78::3 $IFINDEX_BC 2"
t_eq "ipv6 egress via a gateway: gateway fd78::3" \
	"$(flow "$IP6_A" fd79::3 58 32768 egress "$IFINDEX_BC" $IN)" \
	"$IFINDEX_B $IFINDEX_BC fd78::3 $IFINDEX_BC 2"
t_eq "first-packet fields at ingress: MACs of va and vb, UDP length 108, TTL 64" \
	"$(flow "$IP_A" 10.79.0.3 17 5001 ingress "$IFINDEX_B" src_mac dst_mac udp_len ip_tot_len \
		ip_hdr_len ttl packets)" \
	"$MAC_A $MAC_B 108 128 20 64 2"
t_eq "first-packet fields at egress: MACs the router wrote, TTL decremented" \
	"$(flow "$IP_A" 10.79.0.3 17 5001 egress "$IFINDEX_BC" src_mac dst_mac udp_len ttl)" \
	"$MAC_BC $MAC_C 108 63"
t_check "ext_failed=0 in the exit summary" grep -q ' ext_failed=0' "$E2E_WORK/tflow.log"
t_finish
