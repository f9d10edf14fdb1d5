#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_ipfix_nat_values.sh - every RouterOS IPFIX field with its true value, through a real NAT
# gateway, decoded by tshark and nfdump (the proof of the field-selection issue).
#
#	[ $NS_A client, inside server ]   [ $NS_B gateway: tflow on vb, vw ]   [ $NS_C next hop, server ]
#	va 10.77.0.1/24 fd77::1/64 ---- vb 10.77.0.2/24 fd77::2/64
#	default via 10.77.0.2, fd77::2      vw 172.16.77.1/24 fd78::1/64 ---- vs 172.16.77.2/24 fd78::2/64
#	                                    198.18.0.0/16 via 172.16.77.2     lo 198.18.5.5/32 fd79::5/128
#	                                    fd79::/48 via fd78::2             fd77::/64 via fd78::1
#
# nftables on the gateway: masquerade out of vw of the client's UDP :5001 (to port 61001), TCP
# :5002 (61002), ICMP, and IPv6 UDP :5001 (NAT66, port 61006); a port forward of 172.16.77.1 TCP
# :8080 to the inside server 10.77.0.1:80. $NS_C has no IPv4 route to 10.77.0.0/24: only
# translated IPv4 traffic reaches it; IPv6 other than UDP :5001 is routed untranslated. Every
# link is NOARP with static neighbours and no link-local noise: the two captures (va, the LAN
# link; vs, the WAN link) hold exactly the packets the test sent and their answers.
#
# Traffic, with header values the sender sets:
#   UDP 10.77.0.1:40001 -> 198.18.5.5:5001, 3 x 100 bytes echoed, TTL 50, ToS 0x28, 4 bytes of IP
#     options (header length 24), crafted by scapy
#   TCP 10.77.0.1:40002 -> 198.18.5.5:5002, 3000 bytes echoed, TTL 51, ToS 0x10 (kernel socket)
#   ICMP echo 10.77.0.1 -> 198.18.5.5, 2 x 72 bytes (type 8 code 0, replies 0/0), TTL 52, ToS 0x48
#   TCP 198.18.5.5:50002 -> 172.16.77.1:8080 (forwarded to 10.77.0.1:80), 2000 bytes, TTL 53
#   UDP 10.77.0.1:40009 -> 10.77.0.2:5009 (closed): the gateway's ICMP port unreachable (3/3)
#   IGMPv2 report for 224.1.2.3 (type 0x16, TTL 1, router alert: header length 24)
#   UDP6 [fd77::1]:40006 -> [fd79::5]:5001, 2 x 80 bytes echoed, flow label 0xabcde, hop limit 40,
#     traffic class 0x28 (scapy), NAT66 to [fd78::1]:61006
#   ICMPv6 echo fd77::1 -> fd79::5, 2 x 60 bytes, flow label 0x54321 (ping -F), hop limit 41
#   UDP6 [fd77::1]:40019 -> [fd79::5]:5009 (closed, routed): ICMPv6 port unreachable (1/4) back
#
# tflow exports v9 and IPFIX (every field, the default) to an nfcapd each; the export datagrams
# are captured on lo. Pass:
#   - tshark: every record of every expected flow at each of its observation points (vb and vw,
#     ingress and egress), element by element: pre- and post-NAT addresses and ports (225-228,
#     281/282), MACs of the veth ends (56/80), prefix lengths of the gateway's routes (9/13,
#     29/30), next hop (15/62), in/out ifindex (10/14), TTL as seen there (192), ToS (5), TCP
#     flags (6), first-packet TCP seq/ack/window (184-186), UDP length (205), ICMP type/code
#     (32, 139, 176-179), IGMP type (33), IP header and total length (189, 224), flow label (31),
#     isMulticast (206), packets and bytes: each equal to the literal the test knows and to the
#     first packet (and the totals) of that flow in the capture of that link; NAT events (230):
#     a create and a delete for each translated connection, with its tuples;
#   - nfdump (v9 and IPFIX): the same flows with the same NAT addresses and ports, masks, next
#     hop, MACs, ToS and ifindexes, and exact packet and byte totals; the NAT event records.
. "$(dirname "$0")/lib.sh"

need root ip ethtool nft conntrack tcpdump tshark nfcapd nfdump ping tflow scapy
need_tflow_exporter
TOPO_IPV6=1
LAN=10.77.0.1 GW_LAN=10.77.0.2 GW_WAN=172.16.77.1 NH=172.16.77.2 SRV=198.18.5.5
LAN6=fd77::1 GW_LAN6=fd77::2 GW_WAN6=fd78::1 NH6=fd78::2 SRV6=fd79::5
V9_PORT=2055 IPFIX_PORT=2056
NT=$E2E_DIR/nat_traffic.py

nv() {
	local ns=$1
	shift
	ip netns exec "$ns" "$PY" "$NT" "$@"
}

# ---------------------------------------------------------------- topology

topo_create
ip netns add "$NS_C" || die "topology: ip netns add $NS_C"
ip link add vw netns "$NS_B" type veth peer name vs netns "$NS_C" || die "topology: vw/vs"
for t in "$NS_B vw $GW_WAN $GW_WAN6" "$NS_C vs $NH $NH6"; do
	read -r ns ifc ip4 ip6 <<<"$t"
	# as topo_create's link: NOARP, no DAD, no link-local address, no router solicitation
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" \
		"net.ipv6.conf.$ifc.router_solicitations=0" "net.ipv6.conf.$ifc.accept_ra=0" \
		"net.ipv6.conf.$ifc.addr_gen_mode=1" "net.ipv6.conf.$ifc.disable_ipv6=0" ||
		die "topology: IPv6 settings on $ifc"
	ip -n "$ns" link set "$ifc" arp off || die "topology: $ifc arp off"
	ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1 ||
		die "topology: ethtool $ifc"
	ip -n "$ns" addr add "$ip4/24" dev "$ifc" || die "topology: address on $ifc"
	ip -n "$ns" addr add "$ip6/64" dev "$ifc" nodad || die "topology: IPv6 address on $ifc"
done
MAC_W=$(nsb cat /sys/class/net/vw/address)
MAC_S=$(nsc cat /sys/class/net/vs/address)
IF_VB=$IFINDEX_B
IF_VW=$(nsb cat /sys/class/net/vw/ifindex)
for a in "$NH" "$NH6"; do
	nsb ip neigh replace "$a" lladdr "$MAC_S" dev vw nud permanent || die "topology: neigh $a"
done
for a in "$GW_WAN" "$GW_WAN6"; do
	nsc ip neigh replace "$a" lladdr "$MAC_W" dev vs nud permanent || die "topology: neigh $a"
done
ip -n "$NS_B" link set vw up && ip -n "$NS_C" link set vs up && ip -n "$NS_C" link set lo up ||
	die "topology: links up"
nsc ip addr add "$SRV/32" dev lo && nsc ip addr add "$SRV6/128" dev lo ||
	die "topology: server addresses"
nsa ip route add default via "$GW_LAN" && nsa ip -6 route add default via "$GW_LAN6" ||
	die "topology: client default routes"
# IPv6 forwarding joins the all-routers groups, and the kernel reports them (MLD) whenever an
# XDP program is attached or detached on the veth: no multicast on the gateway's ends, no reports.
nsb ip link set vb multicast off && nsb ip link set vw multicast off ||
	die "topology: multicast off"
nsb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
	die "topology: forwarding on in $NS_B"
nsb ip route add 198.18.0.0/16 via "$NH" && nsb ip -6 route add fd79::/48 via "$NH6" ||
	die "topology: gateway routes"
nsc ip -6 route add fd77::/64 via "$GW_WAN6" || die "topology: server IPv6 route"
nsb nft -f - <<EOF || die "nftables: NAT rules"
table ip tfnat {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "vw" tcp dport 8080 dnat to $LAN:80
	}
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "vw" ip saddr 10.77.0.0/24 udp dport 5001 masquerade to :61001
		oifname "vw" ip saddr 10.77.0.0/24 tcp dport 5002 masquerade to :61002
		oifname "vw" ip saddr 10.77.0.0/24 meta l4proto icmp masquerade
	}
}
table ip6 tfnat6 {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "vw" ip6 saddr fd77::/64 udp dport 5001 masquerade to :61006
	}
}
EOF
wait_for 5 nsb ping -c 1 -W 1 -q "$SRV" >/dev/null || die "topology: gateway cannot reach $SRV"
wait_for 5 nsb ping -6 -c 1 -W 1 -q "$SRV6" >/dev/null || die "topology: gateway cannot reach $SRV6"
log "gateway: vb ifindex $IF_VB ($MAC_B), vw ifindex $IF_VW ($MAC_W); va $MAC_A, vs $MAC_S"

bg_start udp-echo "$NS_C" "$PY" "$NT" udp-echo "$SRV:5001" "[$SRV6]:5001"
bg_start tcp-echo-srv "$NS_C" "$PY" "$NT" tcp-echo "$SRV:5002"
bg_start tcp-echo-lan "$NS_A" "$PY" "$NT" tcp-echo "$LAN:80"
for s in udp-echo tcp-echo-srv tcp-echo-lan; do
	bg_wait_line "$s" '^ready' 10 || die "peer: $s"
done

# ---------------------------------------------------------------- export and traffic

collector_start "$V9_PORT" v9
collector_start "$IPFIX_PORT" ipfix
capture_start export lo "$NS_B" udp port "$V9_PORT" or udp port "$IPFIX_PORT"
exporter_start --interfaces vb,vw --target "127.0.0.1:$V9_PORT,version=9" \
	--target "127.0.0.1:$IPFIX_PORT,version=IPFIX" --active-flow-timeout 30m \
	--inactive-flow-timeout 10m --scan-interval 250ms
t_check "tflow follows conntrack and the routing table" \
	grep -q "NAT: following conntrack" "$E2E_WORK/tflow.log"
capture_start                # va: the LAN link
capture_start wan vs "$NS_C" # vs: the WAN link

t_check "traffic: UDP $LAN:40001 -> $SRV:5001, 3 x 100 bytes echoed (TTL 50, ToS 0x28, options)" \
	nv "$NS_A" udp va "$MAC_B" "$LAN:40001" "$SRV:5001" 3 100 --ttl 50 --tos 0x28 --ip-options
t_check "traffic: TCP $LAN:40002 -> $SRV:5002, 3000 bytes echoed (TTL 51, ToS 0x10)" \
	nv "$NS_A" tcp "$LAN:40002" "$SRV:5002" 3000 --ttl 51 --tos 0x10
t_check "traffic: ping $SRV, 2 x 72 bytes (TTL 52, ToS 0x48)" \
	nsa ping -c 2 -i 0.2 -s 72 -t 52 -Q 0x48 -q "$SRV"
t_check "traffic: TCP $SRV:50002 -> $GW_WAN:8080 (to $LAN:80), 2000 bytes (TTL 53, ToS 0x08)" \
	nv "$NS_C" tcp "$SRV:50002" "$GW_WAN:8080" 2000 --ttl 53 --tos 0x08
t_check "traffic: UDP $LAN:40009 -> $GW_LAN:5009, closed (ICMP port unreachable back)" \
	traffic "$NS_A" udp-send "$GW_LAN" 5009:1:20 --sport 40009
t_check "traffic: IGMPv2 report for 224.1.2.3" nv "$NS_A" igmp va "$LAN"
t_check "traffic: UDP6 [$LAN6]:40006 -> [$SRV6]:5001, 2 x 80 bytes echoed (flow label 0xabcde)" \
	nv "$NS_A" udp va "$MAC_B" "[$LAN6]:40006" "[$SRV6]:5001" 2 80 --ttl 40 --tos 0x28 \
	--flow-label 0xabcde
t_check "traffic: ping -6 $SRV6, 2 x 60 bytes (flow label 0x54321, hop limit 41)" \
	nsa ping -6 -c 2 -i 0.2 -s 60 -F 0x54321 -t 41 -q "$SRV6"
t_check "traffic: UDP6 [$LAN6]:40019 -> [$SRV6]:5009, closed (ICMPv6 port unreachable back)" \
	traffic "$NS_A" udp-send "$SRV6" 5009:1:30 --sport 40019
sleep 1
nsb conntrack -D >/dev/null 2>&1
nsb conntrack -D -f ipv6 >/dev/null 2>&1
# A deleted entry stays counted until its destroy event reaches the listeners (tflow): on a loaded
# machine that takes a moment. tflow's own datagrams to the collectors on 127.0.0.1, sent after
# the delete, make entries of their own: not the gateway's connections, left out of the count.
ct_left() {
	{ nsb conntrack -L -f ipv4; nsb conntrack -L -f ipv6; } 2>/dev/null |
		grep -vc 'src=127\.0\.0\.1 dst=127\.0\.0\.1 '
}
ct_empty() { [ "$(ct_left)" = 0 ]; }
wait_for 15 ct_empty
t_eq "conntrack -D: every connection of the gateway ends" "$(ct_left)" 0
# delete_events: the 5 delete events (NAT44 5, NAT66 2) have been exported (at the next scan)
delete_events() {
	[ "$(tshark -n -r "$E2E_WORK/export.pcap" -d "udp.port==$IPFIX_PORT,cflow" \
		-Y "udp.dstport == $IPFIX_PORT" -T fields -e cflow.nat_event 2>/dev/null |
		tr ',' '\n' | grep -c '^[52]$')" -ge 5 ]
}
wait_for 10 delete_events || t_fail "tflow exports the delete events within 10 s"
capture_stop wan
capture_stop
exporter_stop
capture_stop export
collector_stop v9
collector_stop ipfix

# ---------------------------------------------------------------- what is true

# One expected record a line (nat_values.py): the observation (protocol, in = XDP ingress
# or out = tc egress, the interface, the 5-tuple there; ICMP: dport = type*256 + code), then what
# the record must carry. First-packet values not written here (the server's TTL, TCP sequence
# numbers, ...) are still checked: against the capture of that link.
V4_VB="in=$IF_VB out=$IF_VW gw=$NH"     # LAN -> WAN, routed via the next hop
V4_VW="in=$IF_VW out=$IF_VB gw=0.0.0.0" # WAN -> LAN, 10.77.0.0/24 is connected
V6_VB="in=$IF_VB out=$IF_VW gw=$NH6"
V6_VW="in=$IF_VW out=$IF_VB gw=::"
cat >"$E2E_WORK/expect.txt" <<EOF
# masquerade, UDP (sent: TTL 50, ToS 0x28, 4 option bytes, 100 bytes payload)
17 in $IF_VB $LAN 40001 $SRV 5001 $V4_VB nat=$GW_WAN,61001,$SRV,5001 mask=24/16 mac=$MAC_A,$MAC_B ttl=50 tos=0x28 hl=24 tl=132 udp=108 pk=3
17 out $IF_VW $GW_WAN 61001 $SRV 5001 $V4_VB nat=$GW_WAN,61001,$SRV,5001 mask=24/16 mac=$MAC_W,$MAC_S ttl=49 tos=0x28 hl=24 tl=132 udp=108 pk=3
17 in $IF_VW $SRV 5001 $GW_WAN 61001 $V4_VW nat=$SRV,5001,$LAN,40001 mask=16/24 mac=$MAC_S,$MAC_W ttl=64 hl=20 tl=128 udp=108 pk=3
17 out $IF_VB $SRV 5001 $LAN 40001 $V4_VW nat=$SRV,5001,$LAN,40001 mask=16/24 mac=$MAC_B,$MAC_A ttl=63 hl=20 tl=128 udp=108 pk=3
# masquerade, TCP (client: TTL 51, ToS 0x10; the SYN acknowledges nothing)
6 in $IF_VB $LAN 40002 $SRV 5002 $V4_VB nat=$GW_WAN,61002,$SRV,5002 mask=24/16 mac=$MAC_A,$MAC_B ttl=51 tos=0x10 ack=0
6 out $IF_VW $GW_WAN 61002 $SRV 5002 $V4_VB nat=$GW_WAN,61002,$SRV,5002 mask=24/16 mac=$MAC_W,$MAC_S ttl=50 tos=0x10 ack=0
6 in $IF_VW $SRV 5002 $GW_WAN 61002 $V4_VW nat=$SRV,5002,$LAN,40002 mask=16/24 mac=$MAC_S,$MAC_W ttl=64
6 out $IF_VB $SRV 5002 $LAN 40002 $V4_VW nat=$SRV,5002,$LAN,40002 mask=16/24 mac=$MAC_B,$MAC_A ttl=63
# masquerade, ICMP echo 8/0 and reply 0/0 (TTL 52, ToS 0x48, 72 bytes payload)
1 in $IF_VB $LAN 0 $SRV 2048 $V4_VB nat=$GW_WAN,0,$SRV,2048 mask=24/16 mac=$MAC_A,$MAC_B ttl=52 tos=0x48 hl=20 tl=100 pk=2
1 out $IF_VW $GW_WAN 0 $SRV 2048 $V4_VB nat=$GW_WAN,0,$SRV,2048 mask=24/16 mac=$MAC_W,$MAC_S ttl=51 tos=0x48 tl=100 pk=2
1 in $IF_VW $SRV 0 $GW_WAN 0 $V4_VW nat=$SRV,0,$LAN,0 mask=16/24 mac=$MAC_S,$MAC_W ttl=64 tl=100 pk=2
1 out $IF_VB $SRV 0 $LAN 0 $V4_VW nat=$SRV,0,$LAN,0 mask=16/24 mac=$MAC_B,$MAC_A ttl=63 tl=100 pk=2
# port forward, TCP (outside client: TTL 53, ToS 0x08)
6 in $IF_VW $SRV 50002 $GW_WAN 8080 $V4_VW nat=$SRV,50002,$LAN,80 mask=16/24 mac=$MAC_S,$MAC_W ttl=53 tos=0x08 ack=0
6 out $IF_VB $SRV 50002 $LAN 80 $V4_VW nat=$SRV,50002,$LAN,80 mask=16/24 mac=$MAC_B,$MAC_A ttl=52 tos=0x08 ack=0
6 in $IF_VB $LAN 80 $SRV 50002 $V4_VB nat=$GW_WAN,8080,$SRV,50002 mask=24/16 mac=$MAC_A,$MAC_B ttl=64
6 out $IF_VW $GW_WAN 8080 $SRV 50002 $V4_VB nat=$GW_WAN,8080,$SRV,50002 mask=24/16 mac=$MAC_W,$MAC_S ttl=63
# to the gateway itself: no route out; its ICMP port unreachable (3/3) has no input interface
17 in $IF_VB $LAN 40009 $GW_LAN 5009 in=$IF_VB out=0 gw=0.0.0.0 nat=- mask=24/24 mac=$MAC_A,$MAC_B ttl=64 hl=20 tl=48 udp=28 pk=1
1 out $IF_VB $GW_LAN 0 $LAN 771 in=0 out=$IF_VB gw=0.0.0.0 nat=- mask=24/24 mac=$MAC_B,$MAC_A ttl=64 hl=20 tl=76 pk=1
# IGMPv2 report: multicast, not forwarded, no route matches 224.1.2.3
2 in $IF_VB $LAN 0 224.1.2.3 0 in=$IF_VB out=0 gw=0.0.0.0 nat=- mask=24/0 mac=$MAC_A,01:00:5e:01:02:03 ttl=1 tos=0xc0 hl=24 tl=32 igmp=0x16 ismc=0x80 pk=1
# NAT66, UDP (hop limit 40, traffic class 0x28, flow label 0xabcde, 80 bytes payload)
17 in $IF_VB $LAN6 40006 $SRV6 5001 $V6_VB nat=$GW_WAN6,61006,$SRV6,5001 mask=64/48 mac=$MAC_A,$MAC_B ttl=40 tos=0x28 fl=0xabcde hl=40 tl=128 udp=88 pk=2
17 out $IF_VW $GW_WAN6 61006 $SRV6 5001 $V6_VB nat=$GW_WAN6,61006,$SRV6,5001 mask=64/48 mac=$MAC_W,$MAC_S ttl=39 tos=0x28 fl=0xabcde hl=40 tl=128 udp=88 pk=2
17 in $IF_VW $SRV6 5001 $GW_WAN6 61006 $V6_VW nat=$SRV6,5001,$LAN6,40006 mask=48/64 mac=$MAC_S,$MAC_W ttl=64 hl=40 tl=128 udp=88 pk=2
17 out $IF_VB $SRV6 5001 $LAN6 40006 $V6_VW nat=$SRV6,5001,$LAN6,40006 mask=48/64 mac=$MAC_B,$MAC_A ttl=63 hl=40 tl=128 udp=88 pk=2
# routed IPv6: ICMPv6 echo 128/0, reply 129/0 (flow label 0x54321, hop limit 41, 60 bytes payload)
58 in $IF_VB $LAN6 0 $SRV6 32768 $V6_VB nat=- mask=64/48 mac=$MAC_A,$MAC_B ttl=41 fl=0x54321 tl=108 pk=2
58 out $IF_VW $LAN6 0 $SRV6 32768 $V6_VB nat=- mask=64/48 mac=$MAC_W,$MAC_S ttl=40 fl=0x54321 tl=108 pk=2
58 in $IF_VW $SRV6 0 $LAN6 33024 $V6_VW nat=- mask=48/64 mac=$MAC_S,$MAC_W ttl=64 tl=108 pk=2
58 out $IF_VB $SRV6 0 $LAN6 33024 $V6_VW nat=- mask=48/64 mac=$MAC_B,$MAC_A ttl=63 tl=108 pk=2
# routed IPv6: UDP to a closed port, ICMPv6 port unreachable (1/4) back
17 in $IF_VB $LAN6 40019 $SRV6 5009 $V6_VB nat=- mask=64/48 mac=$MAC_A,$MAC_B ttl=64 tl=78 udp=38 pk=1
17 out $IF_VW $LAN6 40019 $SRV6 5009 $V6_VB nat=- mask=64/48 mac=$MAC_W,$MAC_S ttl=63 tl=78 udp=38 pk=1
58 in $IF_VW $SRV6 0 $LAN6 260 $V6_VW nat=- mask=48/64 mac=$MAC_S,$MAC_W ttl=64 pk=1
58 out $IF_VB $SRV6 0 $LAN6 260 $V6_VW nat=- mask=48/64 mac=$MAC_B,$MAC_A ttl=63 pk=1
EOF
# NAT events: EVENT PROTO and the original tuple, then the original direction after NAT. NAT44
# create 4 / delete 5; NAT66 (no IANA session type) create 1 / delete 2.
for ev in "4 1" "5 2"; do
	set -- $ev
	printf '%s\n' "$1 17 $LAN 40001 $SRV 5001 $GW_WAN 61001 $SRV 5001" \
		"$1 6 $LAN 40002 $SRV 5002 $GW_WAN 61002 $SRV 5002" \
		"$1 1 $LAN 0 $SRV 2048 $GW_WAN 0 $SRV 2048" \
		"$1 6 $SRV 50002 $GW_WAN 8080 $SRV 50002 $LAN 80" \
		"$2 17 $LAN6 40006 $SRV6 5001 $GW_WAN6 61006 $SRV6 5001"
done >"$E2E_WORK/events.txt"

# check tshark|nfdump JSON VERSION: nat_values.py on one collector's view.
check() {
	"$PY" "$E2E_DIR/nat_values.py" --lan "$E2E_WORK/oracle.pcap,$MAC_B,$IF_VB" \
		--wan "$E2E_WORK/wan.pcap,$MAC_W,$IF_VW" --expect "$E2E_WORK/expect.txt" \
		--events "$E2E_WORK/events.txt" "--$1" "$2" --version "$3"
}

# ---------------------------------------------------------------- tshark

for p in "$V9_PORT 9" "$IPFIX_PORT 10"; do
	set -- $p
	json=$E2E_WORK/tshark-$1.json
	tshark -n -r "$E2E_WORK/export.pcap" -d "udp.port==$1,cflow" -Y "udp.dstport == $1" \
		-T json --no-duplicate-keys >"$json" 2>"$json.err" ||
		t_fail "tshark: decodes the export to $1" "$(cat "$json.err")"
	t_check "tshark, v$2: 31 flow records, each element equal to the truth; 10 NAT events" \
		check tshark "$json" "$2"
done

# ---------------------------------------------------------------- nfdump

for c in "v9 9" "ipfix 10"; do
	set -- $c
	nfdump -R "${COLL_DIR[$1]}" -o json >"$E2E_WORK/nfdump-$1.json" 2>"$E2E_WORK/nfdump-$1.err" ||
		t_fail "nfdump: reads the $1 files" "$(cat "$E2E_WORK/nfdump-$1.err")"
	t_check "nfdump, $1: 31 flows (NAT tuples, masks, next hop, MACs, exact counts); 10 NAT events" \
		check nfdump "$E2E_WORK/nfdump-$1.json" "$2"
done
t_finish
