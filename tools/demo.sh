#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# demo.sh - tflow in 30 seconds: a client, a gateway running tflow, a server; NetFlow v5 to nfcapd,
# and `tflow top`, the live view of the cache, while traffic flows.
#
# Run by `make demo` (as root, after the build). Everything happens inside three network
# namespaces created here and deleted on exit; no packet leaves them.
#
#   client 10.77.1.2 eth0 ── lan0 10.77.1.1  gateway  10.77.2.1 wan0 ── eth0 10.77.2.2 server
#                                 ▲ tflow (XDP in, tc out)
#                                 └► NetFlow v5 ► nfcapd 127.0.0.1:2055 (in the gateway)

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TFLOW=${TFLOW:-$ROOT/build/tflow}
PY=/usr/bin/python3
TRAFFIC=$ROOT/tests/e2e/traffic.py
CLIENT=tfdemo-client-$$
GW=tfdemo-gw-$$
SERVER=tfdemo-server-$$
PORT=2055
WORK=""
PIDS=()

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
fail() {
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, XDP): sudo make demo"
[ -x "$TFLOW" ] || fail "$TFLOW not built: run make"
for tool in ip ethtool nfcapd nfdump ping nsenter "$PY"; do
	command -v "$tool" >/dev/null || fail "$tool missing: run make deps"
done

cleanup() {
	local pid ns
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	sleep 0.2
	for ns in "$CLIENT" "$GW" "$SERVER"; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
WORK=$(mktemp -d /tmp/tflow-demo.XXXXXX) || fail "mktemp"
chmod 755 "$WORK"

# ip netns exec, short (only in the foreground: a backgrounded function is a subshell, and $!
# would be that subshell, not the program)
c() { ip netns exec "$CLIENT" "$@"; }
g() { ip netns exec "$GW" "$@"; }
s() { ip netns exec "$SERVER" "$@"; }

# link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair, IPv6 off (no ND/MLD chatter in the demo),
# offloads off (the packets counted are the packets on the wire).
link() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || fail "veth $2-$5"
	local ns ifc addr
	for t in "$1 $2 $3" "$4 $5 $6"; do
		read -r ns ifc addr <<<"$t"
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1"
		ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1
		ip -n "$ns" addr add "$addr" dev "$ifc"
		ip -n "$ns" link set "$ifc" up
	done
}

say "topology"
for ns in "$CLIENT" "$GW" "$SERVER"; do
	ip netns add "$ns" || fail "ip netns add $ns"
	ip -n "$ns" link set lo up
done
link "$CLIENT" eth0 10.77.1.2/24 "$GW" lan0 10.77.1.1/24
link "$GW" wan0 10.77.2.1/24 "$SERVER" eth0 10.77.2.2/24
ip -n "$CLIENT" route add default via 10.77.1.1
ip -n "$SERVER" route add default via 10.77.2.1
g sysctl -qw net.ipv4.ip_forward=1
cat <<'EOF'
  client 10.77.1.2 eth0 ── lan0 10.77.1.1  gateway  10.77.2.1 wan0 ── eth0 10.77.2.2 server
                                ▲ tflow (XDP in, tc out)
                                └► NetFlow v5 ► nfcapd 127.0.0.1:2055 (in the gateway)
EOF
for ns in "$CLIENT" "$GW" "$SERVER"; do
	printf '%s:\n' "${ns%-*}"
	ip -n "$ns" -o -4 addr show | awk '$2 != "lo" { printf "    %-6s %s\n", $2, $4 }'
done

say "collector: nfcapd on 127.0.0.1:$PORT in the gateway"
mkdir -p "$WORK/nf"
ip netns exec "$GW" nfcapd -w "$WORK/nf" -p "$PORT" -b 127.0.0.1 -s -1 >"$WORK/nfcapd.log" 2>&1 &
PIDS+=($!)
NFCAPD=$!
for _ in $(seq 50); do
	grep -q '^Startup' "$WORK/nfcapd.log" && break
	sleep 0.1
done
grep -q '^Startup' "$WORK/nfcapd.log" || fail "nfcapd did not start: $(cat "$WORK/nfcapd.log")"
echo "nfcapd -w $WORK/nf -p $PORT -b 127.0.0.1"

say "exporter: tflow on the gateway's client side (lan0)"
CMD=(run --interfaces lan0 --target "127.0.0.1:$PORT,version=5" --inactive-flow-timeout 5s)
echo "tflow ${CMD[*]}"
ip netns exec "$GW" "$TFLOW" "${CMD[@]}" >"$WORK/tflow.out" 2>"$WORK/tflow.log" &
TFLOW_PID=$!
PIDS+=($!)
for _ in $(seq 150); do
	grep -q running "$WORK/tflow.log" && break
	kill -0 "$TFLOW_PID" 2>/dev/null || break
	sleep 0.1
done
sed 's/^/    /' "$WORK/tflow.log"
grep -q running "$WORK/tflow.log" || fail "tflow did not start"

say "traffic for 10 s: ping, UDP, a UDP stream, a TCP transfer (client -> server)"
ip netns exec "$SERVER" "$PY" "$TRAFFIC" udp-sink 5353 5004 9999 >"$WORK/sink.log" 2>&1 &
PIDS+=($!)
ip netns exec "$SERVER" "$PY" "$TRAFFIC" tcp-server 8080 4000000 >"$WORK/tcp-server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	grep -q ready "$WORK/sink.log" && grep -q ready "$WORK/tcp-server.log" && break
	sleep 0.1
done
ip netns exec "$CLIENT" ping -c 20 -i 0.5 -q 10.77.2.2 >"$WORK/ping.log" 2>&1 &
PING=$!
ip netns exec "$CLIENT" "$PY" "$TRAFFIC" udp-send 10.77.2.2 5353:40:80 --gap 0.25 >"$WORK/udp1.log" 2>&1 &
UDP1=$!
ip netns exec "$CLIENT" "$PY" "$TRAFFIC" udp-spray 10.77.2.2 5004 1 1200 --rate 250 --duration 6 \
	>"$WORK/stream.log" 2>&1 &
STREAM=$!
# the TCP transfer and a UDP burst land in the middle of the live view below
(
	sleep 2
	ip netns exec "$CLIENT" "$PY" "$TRAFFIC" tcp-client 10.77.2.2 8080 1000000 4000000
	sleep 1.5
	ip netns exec "$CLIENT" "$PY" "$TRAFFIC" udp-send 10.77.2.2 9999:200:1000
) >"$WORK/bursts.log" 2>&1 &
BURSTS=$!

# tflow top reads the pinned cache while tflow runs. `ip netns exec` would give it a bpffs of
# its own, without the pins: nsenter joins tflow's mount (and network) namespace instead.
say "live view: tflow top on the gateway for 5 s, then once by conversation"
echo "tflow top --count 5 -n 8"
nsenter -t "$TFLOW_PID" -m -n "$TFLOW" top --count 5 -n 8
echo
echo "tflow top --by conv --once"
nsenter -t "$TFLOW_PID" -m -n "$TFLOW" top --by conv --once

echo
wait "$BURSTS"
echo "  tcp: client sends 1 MB, server answers 4 MB"
grep '^sent .* received' "$WORK/bursts.log" | sed 's/^/    /'
echo "  udp: 200 datagrams of 1000 bytes to port 9999"
grep '^sent [0-9]* datagrams$' "$WORK/bursts.log" | sed 's/^/    /'
wait "$STREAM"
echo "  udp stream, 1200 bytes to port 5004, 250 a second: $(cat "$WORK/stream.log")"
wait "$UDP1"
echo "  udp: $(cat "$WORK/udp1.log") of 80 bytes to port 5353, one every 0.25 s"
wait "$PING"
echo "  ping: $(grep -E 'packets transmitted' "$WORK/ping.log")"

say "stopping tflow (SIGTERM: every remaining flow is exported)"
kill -TERM "$TFLOW_PID"
wait "$TFLOW_PID"
echo "tflow exited with status $?"
sed -n '/signal/,$p' "$WORK/tflow.log" | sed 's/^/    /'
kill -TERM "$NFCAPD"
wait "$NFCAPD"

say "what the collector received (nfdump, in = ingress ifindex, out = egress ifindex)"
nfdump -R "$WORK/nf" -O tstart -o "fmt:%ts %td %pr %sap -> %dap %in %out %pkt %byt %flg" |
	grep -v -E '^(Time window|Total flows processed|Sys:)'
nfdump -R "$WORK/nf" -o csv -N -q 2>/dev/null | awk -F, '
	NF > 12 { n++; p += $12; b += $13 }
	END { printf "\ntotal: %d flows, %d packets, %d bytes exported by tflow on lan0\n", n, p, b }'
