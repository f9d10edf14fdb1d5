#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_nat.sh - a real NAT gateway: post-NAT addresses and ports from conntrack, address masks
# from the routing table, NAT session create/delete events.
#
#	[ $NS_A client + inside server ]   [ $NS_B gateway, tflow on vb and vw ]   [ $NS_C server ]
#	va 10.77.0.1/24 ---------------- vb 10.77.0.2/24     vw 172.16.77.1/24 ---- vs 172.16.77.2/24
#	default via 10.77.0.2                route 198.18.0.0/16 via 172.16.77.2      lo 198.18.5.5/32
#	                                     (and a /15 the /16 is added beside once tflow runs)
#
# nftables on the gateway: masquerade of the client's UDP :5001 and TCP :5002 out of vw, with
# fixed ports (61001, 61002); port forwards from 172.16.77.1 TCP :8080 and UDP :8081 to the
# inside server 10.77.0.1 :80 and :81. The outside server has no route to 10.77.0.0/24: only
# translated traffic reaches it. tflow runs as nobody (CAP_NET_ADMIN kept) with no target, so
# it prints JSON lines.
#
# Pass: each connection's flow is seen at four observation points (vb/vw, ingress/egress), each
# record carrying exactly the 5-tuple that packet direction has after NAT (its own when already
# translated), the prefix lengths of the gateway's routes (10.77.0.0/24, 172.16.77.0/24,
# 198.18.0.0/16) for source and destination, and the UDP packet counts sent; one NAT44 create
# event (natEvent 4) per connection when it is made and one delete (5) when `conntrack -D`
# removes it, with the original and the translated tuple; a SIGHUP after the privilege drop
# reads conntrack again.
#
# The expected records are the tables FLOWS and EVENTS below; a collector check (tshark, nfdump)
# compares its decode with the same tables (see check_json for the field order).
. "$(dirname "$0")/lib.sh"

need root ip ethtool nft conntrack tflow
need_tflow_exporter

NS_C=tfc-$$
LAN=10.77.0.1 GW_LAN=10.77.0.2 GW_WAN=172.16.77.1 SRV_WAN=172.16.77.2 SRV=198.18.5.5

nat_teardown() {
	local rc=$? pid
	for pid in $(ip netns pids "$NS_C" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	ip netns del "$NS_C" 2>/dev/null
	(exit $rc)
	e2e_teardown
}

nsc() { ip netns exec "$NS_C" "$@"; }

topo_create
trap nat_teardown EXIT
ip netns add "$NS_C" || die "topology: ip netns add $NS_C"
ip link add vw netns "$NS_B" type veth peer name vs netns "$NS_C" || die "topology: vw/vs"
nsb sysctl -qw net.ipv6.conf.vw.disable_ipv6=1 net.ipv4.ip_forward=1 || die "topology: sysctl"
nsc sysctl -qw net.ipv6.conf.vs.disable_ipv6=1 || die "topology: sysctl"
nsb ethtool -K vw tso off gso off gro off >/dev/null 2>&1 || die "topology: ethtool vw"
nsc ethtool -K vs tso off gso off gro off >/dev/null 2>&1 || die "topology: ethtool vs"
ip -n "$NS_B" addr add "$GW_WAN/24" dev vw || die "topology: vw address"
ip -n "$NS_C" addr add "$SRV_WAN/24" dev vs || die "topology: vs address"
ip -n "$NS_C" addr add "$SRV/32" dev lo || die "topology: server address"
ip -n "$NS_B" link set vw up && ip -n "$NS_C" link set vs up && ip -n "$NS_C" link set lo up ||
	die "topology: links up"
ip -n "$NS_A" route add default via "$GW_LAN" || die "topology: client default route"
# a /15 now; the /16 that the flows must show comes once tflow runs (a route change event)
ip -n "$NS_B" route add 198.18.0.0/15 via "$SRV_WAN" || die "topology: gateway /15 route"
nsb nft -f - <<EOF || die "nftables: NAT rules"
table ip tfnat {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "vw" tcp dport 8080 dnat to $LAN:80
		iifname "vw" udp dport 8081 dnat to $LAN:81
	}
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "vw" ip saddr 10.77.0.0/24 udp dport 5001 masquerade to :61001
		oifname "vw" ip saddr 10.77.0.0/24 tcp dport 5002 masquerade to :61002
		oifname "vw" ip saddr 10.77.0.0/24 udp dport 5003 masquerade
	}
}
EOF
wait_for 5 nsb ping -c 1 -W 1 -q "$SRV" >/dev/null || die "topology: gateway cannot reach $SRV"
IF_VB=$(nsb cat /sys/class/net/vb/ifindex)
IF_VW=$(nsb cat /sys/class/net/vw/ifindex)

# peer.py: echo servers and clients with fixed source ports, so every tuple is known.
cat >"$E2E_WORK/peer.py" <<'EOF'
import socket, sys
cmd, a = sys.argv[1], sys.argv[2:]
if cmd in ("udp-echo", "tcp-echo"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if cmd == "udp-echo" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a[0], int(a[1])))  # the address replies must come from
    if cmd == "tcp-echo":
        s.listen(4)
    print("ready", flush=True)
    while True:
        if cmd == "udp-echo":
            d, peer = s.recvfrom(65535)
            s.sendto(d, peer)
            continue
        c, _ = s.accept()
        data = b""
        while True:
            d = c.recv(65536)
            if not d:
                break
            data += d
        c.sendall(data)
        c.close()
src, dst, dport, sport, n = a[0], a[1], int(a[2]), int(a[3]), int(a[4])
if cmd == "udp-burst":  # n one-datagram flows from source ports sport..sport+n-1
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, sport + i))
        s.sendto(b"b" * 20, (dst, dport))
        s.close()
elif cmd == "udp-ping":  # n datagrams of 100 bytes, each echoed before the next
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sport))
    s.settimeout(3)
    for i in range(n):
        s.sendto(b"u" * 100, (dst, dport))
        s.recvfrom(65535)
elif cmd == "tcp-ping":  # n bytes there and back
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, sport))
    s.settimeout(3)
    s.connect((dst, dport))
    s.sendall(b"t" * n)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    sys.exit(0 if len(got) == n else 1)
EOF
peer() { local ns=$1; shift; ip netns exec "$ns" "$PY" "$E2E_WORK/peer.py" "$@"; }

bg_start udp-sink-5003 "$NS_C" "$PY" "$E2E_DIR/traffic.py" udp-sink 5003
bg_wait_line udp-sink-5003 '^ready' 10 || die "peer: udp-sink 5003"
for s in "udp-echo $SRV 5001 $NS_C" "tcp-echo $SRV 5002 $NS_C" "udp-echo $LAN 81 $NS_A" \
	"tcp-echo $LAN 80 $NS_A"; do
	read -r kind addr port ns <<<"$s"
	bg_start "$kind-$port" "$ns" "$PY" "$E2E_WORK/peer.py" "$kind" "$addr" "$port"
	bg_wait_line "$kind-$port" '^ready' 10 || die "peer: $kind $port"
done

exporter_start --interfaces vb,vw --scan-interval 250ms --user nobody --cache-entries 128k
OUT=$E2E_WORK/tflow.out
t_check "tflow follows conntrack (as nobody)" grep -q "NAT: following conntrack" "$E2E_WORK/tflow.log"
t_check "tflow reads the main routing table: 3 routes" \
	grep -q "address masks: 3 route(s) in the main table" "$E2E_WORK/tflow.log"
ip -n "$NS_B" route add 198.18.0.0/16 via "$SRV_WAN" || die "topology: gateway /16 route"

t_check "traffic: client UDP :40001 -> $SRV:5001, 5 echoed" \
	peer "$NS_A" udp-ping "$LAN" "$SRV" 5001 40001 5
t_check "traffic: client TCP :40002 -> $SRV:5002, 3000 bytes echoed" \
	peer "$NS_A" tcp-ping "$LAN" "$SRV" 5002 40002 3000
t_check "traffic: outside UDP :50001 -> $GW_WAN:8081 (forwarded to $LAN:81), 3 echoed" \
	peer "$NS_C" udp-ping "$SRV" "$GW_WAN" 8081 50001 3
t_check "traffic: outside TCP :50002 -> $GW_WAN:8080 (forwarded to $LAN:80), 2000 bytes" \
	peer "$NS_C" tcp-ping "$SRV" "$GW_WAN" 8080 50002 2000

# NAT events: the JSON lines are flushed at each scan (250 ms).
n_events() { grep -c "\"nat_event\":$1" "$OUT"; }
has_events() { [ "$(n_events "$1")" -ge "$2" ]; }
wait_for 5 has_events 4 4
t_eq "4 NAT44 session create events" "$(n_events 4)" 4
t_eq "no delete event while the connections live" "$(n_events 5)" 0

# SIGHUP after the privilege drop: the conntrack table is read again (a dump needs CAP_NET_ADMIN).
kill -HUP "$EXPORTER_PID"
wait_for 5 grep -q "NAT: conntrack read again" "$E2E_WORK/tflow.log"
t_check "SIGHUP as nobody: conntrack read again, the 4 NAT'd connections" \
	grep -q "NAT: conntrack read again, 4 NAT'd connection(s)" "$E2E_WORK/tflow.log"

t_check "conntrack -D the UDP connections" sh -c "ip netns exec $NS_B conntrack -D -p udp >/dev/null 2>&1"
t_check "conntrack -D the TCP connections" sh -c "ip netns exec $NS_B conntrack -D -p tcp >/dev/null 2>&1"
wait_for 5 has_events 5 4
t_eq "4 NAT44 session delete events" "$(n_events 5)" 4

# Events lost: tflow stopped while BURST new NAT'd connections overflow its socket buffer (16
# MiB, ~1 KiB an event). On ENOBUFS it reads the table again, so each of these flows resolves.
BURST=30000
kill -STOP "$EXPORTER_PID"
t_check "traffic: $BURST one-datagram UDP flows to $SRV:5003 while tflow is stopped" \
	peer "$NS_A" udp-burst "$LAN" "$SRV" 5003 20000 "$BURST"
kill -CONT "$EXPORTER_PID"
wait_for 10 grep -q "conntrack events lost" "$E2E_WORK/tflow.log"
t_check "lost conntrack events: the table is read again" \
	grep -q "conntrack events lost (socket buffer full): table read again (1 time(s) so far)$" \
	"$E2E_WORK/tflow.log"
exporter_stop
t_check "no NAT warning in tflow's log but the lost events" \
	sh -c "! grep -i 'warning.*NAT' '$E2E_WORK/tflow.log' | grep -v 'events lost'"

# One line per record expected, fields in check_json's order:
#	proto dir ifindex src sport dst dport | nat_src nat_sport nat_dst nat_dport | src_mask dst_mask | packets
# ('-' packets: not checked, TCP's count depends on the stacks).
FLOWS=(
	# masquerade, UDP: the client's datagrams (LAN in, WAN out), the echoes (WAN in, LAN out)
	"17 ingress $IF_VB $LAN 40001 $SRV 5001 $GW_WAN 61001 $SRV 5001 24 16 5"
	"17 egress $IF_VW $GW_WAN 61001 $SRV 5001 $GW_WAN 61001 $SRV 5001 24 16 5"
	"17 ingress $IF_VW $SRV 5001 $GW_WAN 61001 $SRV 5001 $LAN 40001 16 24 5"
	"17 egress $IF_VB $SRV 5001 $LAN 40001 $SRV 5001 $LAN 40001 16 24 5"
	# masquerade, TCP
	"6 ingress $IF_VB $LAN 40002 $SRV 5002 $GW_WAN 61002 $SRV 5002 24 16 -"
	"6 egress $IF_VW $GW_WAN 61002 $SRV 5002 $GW_WAN 61002 $SRV 5002 24 16 -"
	"6 ingress $IF_VW $SRV 5002 $GW_WAN 61002 $SRV 5002 $LAN 40002 16 24 -"
	"6 egress $IF_VB $SRV 5002 $LAN 40002 $SRV 5002 $LAN 40002 16 24 -"
	# port forward, UDP: the outside's datagrams (WAN in, LAN out), the inside's replies
	"17 ingress $IF_VW $SRV 50001 $GW_WAN 8081 $SRV 50001 $LAN 81 16 24 3"
	"17 egress $IF_VB $SRV 50001 $LAN 81 $SRV 50001 $LAN 81 16 24 3"
	"17 ingress $IF_VB $LAN 81 $SRV 50001 $GW_WAN 8081 $SRV 50001 24 16 3"
	"17 egress $IF_VW $GW_WAN 8081 $SRV 50001 $GW_WAN 8081 $SRV 50001 24 16 3"
	# port forward, TCP
	"6 ingress $IF_VW $SRV 50002 $GW_WAN 8080 $SRV 50002 $LAN 80 16 24 -"
	"6 egress $IF_VB $SRV 50002 $LAN 80 $SRV 50002 $LAN 80 16 24 -"
	"6 ingress $IF_VB $LAN 80 $SRV 50002 $GW_WAN 8080 $SRV 50002 24 16 -"
	"6 egress $IF_VW $GW_WAN 8080 $SRV 50002 $GW_WAN 8080 $SRV 50002 24 16 -"
)
#	nat_event proto src sport dst dport | nat_src nat_sport nat_dst nat_dport (the original tuple,
#	then the original direction after NAT)
EVENTS=()
for ev in 4 5; do
	EVENTS+=("$ev 17 $LAN 40001 $SRV 5001 $GW_WAN 61001 $SRV 5001"
		"$ev 6 $LAN 40002 $SRV 5002 $GW_WAN 61002 $SRV 5002"
		"$ev 17 $SRV 50001 $GW_WAN 8081 $SRV 50001 $LAN 81"
		"$ev 6 $SRV 50002 $GW_WAN 8080 $SRV 50002 $LAN 80")
done

# check_json: tflow's JSON lines hold exactly the FLOWS (a flow exported in several records must
# say the same in each; packets are summed) and the EVENTS, nothing else NAT'd.
check_json() {
	"$PY" - "$OUT" <<-EOF
		import json, sys
		flows = """$(printf '%s\n' "${FLOWS[@]}")""".split("\n")
		events = """$(printf '%s\n' "${EVENTS[@]}")""".split("\n")
		recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
		bad = []
		got_flows, got_events = {}, []
		for r in recs:
		    if 5003 in (r["sport"], r["dport"]):
		        continue  # check_burst
		    if r.get("nat_event"):
		        got_events.append("%d %d %s %d %s %d %s %d %s %d" % (r["nat_event"], r["proto"],
		            r["src"], r["sport"], r["dst"], r["dport"], r["nat_src"], r["nat_sport"],
		            r["nat_dst"], r["nat_dport"]))
		        continue
		    if r["proto"] not in (6, 17):
		        continue
		    k = "%d %s %d %s %d %s %d" % (r["proto"], r["dir"], r["ifindex"], r["src"], r["sport"],
		        r["dst"], r["dport"])
		    v = "%s %s %s %s %s %s" % (r.get("nat_src"), r.get("nat_sport"), r.get("nat_dst"),
		        r.get("nat_dport"), r.get("src_mask"), r.get("dst_mask"))
		    if k in got_flows and got_flows[k][0] != v:
		        bad.append("%s: records disagree: %s / %s" % (k, got_flows[k][0], v))
		    got_flows[k] = (v, got_flows.get(k, (v, 0))[1] + r["packets"])
		for f in flows:
		    w = f.split()
		    k, v, pk = " ".join(w[:7]), " ".join(w[7:13]), w[13]
		    if k not in got_flows:
		        bad.append("missing flow %s" % k)
		        continue
		    g, p = got_flows.pop(k)
		    if g != v:
		        bad.append("%s: got %s, want %s" % (k, g, v))
		    if pk != "-" and p != int(pk):
		        bad.append("%s: %d packets, want %s" % (k, p, pk))
		for k, (v, p) in got_flows.items():
		    if not v.startswith("None"):
		        bad.append("unexpected NAT'd flow %s: %s" % (k, v))
		if sorted(got_events) != sorted(events):
		    bad.append("events: got %s, want %s" % (sorted(got_events), sorted(events)))
		print("\n".join(b[:300] for b in bad[:20]))
		sys.exit(1 if bad else 0)
	EOF
}
t_check "JSON: post-NAT tuples, masks and packets of 16 observations; 8 NAT events" check_json

# check_burst: every flow of the burst, as it came in on vb and as it left on vw, carries its
# translation (masquerade keeps a free source port).
check_burst() {
	"$PY" - "$OUT" "$BURST" "$IF_VB" "$IF_VW" "$LAN" "$GW_WAN" "$SRV" <<-'EOF'
		import json, sys
		out, n, vb, vw, lan, wan, srv = sys.argv[1:]
		seen, bad = {}, []
		for l in open(out):
		    r = json.loads(l)
		    if r["dport"] != 5003 or r.get("nat_event"):
		        continue
		    where = (r["dir"], r["ifindex"])
		    want_src = {("ingress", int(vb)): lan, ("egress", int(vw)): wan}.get(where)
		    got = (r["src"], r["dst"], r.get("nat_src"), r.get("nat_sport"), r.get("nat_dst"))
		    if got != (want_src, srv, wan, r["sport"], srv) or not 20000 <= r["sport"] < 20000 + int(n):
		        bad.append("%s %s: %s" % (where, r["sport"], got))
		    seen[where] = seen.get(where, 0) + 1
		want = {("ingress", int(vb)): int(n), ("egress", int(vw)): int(n)}
		if seen != want:
		    bad.append("flows: %s, want %s" % (seen, want))
		print("\n".join(bad[:20]))
		sys.exit(1 if bad else 0)
	EOF
}
t_check "JSON: the $BURST flows made while events were lost all carry their translation" check_burst
t_finish
