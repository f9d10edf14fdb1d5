#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fault_collector_slow_link.sh - a collector behind a link slower than the export stream:
# tflow's socket buffer to it fills and send() says EAGAIN; the other target must not wait.
#
# One tflow, two targets: IPFIX to nfcapd on 127.0.0.1:2055 (healthy) and NetFlow v5, mtu 576, to
# 10.88.0.2:2058, reached through sl0, a veth in $NS_B shaped by tbf to 64 kbit/s with a queue
# that never drops (so the datagrams stay charged to tflow's socket until they leave). The
# socket buffer of that one target is then shrunk to the kernel's minimum from outside (a
# duplicate of tflow's descriptor through pidfd_getfd, then SO_SNDBUF): a real 64 kbit/s link
# fills tflow's own 4 MB buffer the same way, only after minutes instead of a second.
# Active and inactive timeout 1 s, scan every 250 ms; 400 UDP flows sprayed at 2000 packets/s for
# 5 s: about 40 datagrams a second to the slow target, which drains about 13.
# Pass:
#   - the slow target really was slow: tflow could not hand over every datagram (its closing
#     counters show send errors for it) and sl0's tbf queued them;
#   - the collector on 2055 holds exactly the capture's flows;
#   - on time: every record to 2055 was sent within 0.45 s (scan interval + 0.2 s) of the moment
#     it became due (see export_lags in lib.sh);
#   - tflow exits 0 on SIGTERM within 30 s.
. "$(dirname "$0")/lib.sh"

GOOD=2055
SLOW=2058
SLOW_IP=10.88.0.2

need root ip tc ethtool tcpdump nfcapd nfdump ss tflow scapy
need_tflow_exporter
topo_create
nsb ip link add sl0 type veth peer name sl1 || die "setup: veth sl0/sl1 in $NS_B"
for i in sl0 sl1; do
	nsb sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" || die "setup: IPv6 off on $i"
	nsb ip link set "$i" up || die "setup: $i up"
done
nsb ip addr add 10.88.0.1/24 dev sl0 || die "setup: address on sl0"
nsb ip neigh replace "$SLOW_IP" lladdr "$(nsb cat /sys/class/net/sl1/address)" dev sl0 \
	nud permanent || die "setup: neighbour $SLOW_IP"
# sl1 has no address and $NS_B does not forward: what arrives there is dropped without an answer
nsb tc qdisc add dev sl0 root tbf rate 64kbit burst 1600 limit 4000000 ||
	die "setup: tbf on sl0"

collector_start "$GOOD" good
capture_start export lo "$NS_B" "udp port $GOOD"
exporter_start --target "127.0.0.1:$GOOD,version=IPFIX" \
	--target "$SLOW_IP:$SLOW,version=5,mtu=576" \
	--active-flow-timeout 1s --inactive-flow-timeout 1s --scan-interval 250ms
fd=$(nsb ss -Hnuap "dst $SLOW_IP:$SLOW" | sed -n 's/.*pid='"$EXPORTER_PID"',fd=\([0-9]*\).*/\1/p')
[ -n "$fd" ] || die "setup: tflow's socket to $SLOW_IP:$SLOW" "$(nsb ss -Hnuap)"
"$PY" - "$EXPORTER_PID" "$fd" <<-'EOF' || die "setup: shrink the send buffer of tflow's fd $fd"
	import ctypes, os, socket, sys
	libc = ctypes.CDLL(None, use_errno=True)
	pidfd = os.pidfd_open(int(sys.argv[1]))
	fd = libc.syscall(438, pidfd, int(sys.argv[2]), 0)  # pidfd_getfd
	if fd < 0:
	    sys.exit("pidfd_getfd: " + os.strerror(ctypes.get_errno()))
	s = socket.socket(fileno=fd)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1)  # the kernel rounds up to its minimum
	print("SO_SNDBUF", s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
EOF
log "tflow's socket to $SLOW_IP:$SLOW:" \
	"$(nsb ss -Hnuam "dst $SLOW_IP:$SLOW" | grep -o 'skmem:([^)]*)')"
udp_sink udp-sink $(seq 5001 5400) || exit 1

capture_start
cpu0=$(proc_cpu_ticks "$EXPORTER_PID")
t0=$(date +%s.%N)
bg_start spray "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-spray "$IP_B" 5001 400 64 --rate 2000 \
	--duration 5 --sport 40000
wait_pid "${E2E_BG[spray]}" 15
t_eq "traffic: udp spray exits 0" "$WAIT_RC" 0
cpu1=$(proc_cpu_ticks "$EXPORTER_PID")
t1=$(date +%s.%N)
sleep 1.6 # the last exports: a timeout and a scan or two
capture_stop
tbf=$(nsb tc -s qdisc show dev sl0 | tr '\n' ' ')
exporter_stop
collector_stop good
capture_stop export

log "sl0: $tbf"
slow_line=$(grep -E '^tflow: target 1 ' "$E2E_WORK/tflow.log")
log "tflow's counters for the slow target: $slow_line"
t_check "the slow target was slow: tflow counted send errors for it" \
	test "$(sed -n 's/.* \([0-9]*\) send errors.*/\1/p' <<<"$slow_line")" -gt 0
t_check "the slow target was slow: sl0's tbf held packets back (overlimits)" \
	grep -qE 'overlimits [1-9]' <<<"$tbf"

sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$E2E_WORK/spray.log")
oracle_table
t_eq "oracle: 400 flows, the $sent datagrams sent, 92 bytes each" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow 17 "$IP_A" 40000 "$IP_B" '*' |
		cut -d' ' -f1,2)" "400 ${sent:-?} $((${sent:-0} * 92))"
check_flows_in "${COLL_DIR[good]}" "the healthy collector holds exactly the capture's flows"

export_lags "$E2E_WORK/export.pcap" "$GOOD" 1.0 1.0 >"$E2E_WORK/lags.txt"
read -r n_lag med_lag max_lag min_lag <<<"$(head -1 "$E2E_WORK/lags.txt")"
log "lag of the records to $GOOD after they were due: $n_lag records, median $med_lag s," \
	"max $max_lag s, min $min_lag s; the largest:"
sed -n '2,$p' "$E2E_WORK/lags.txt" | sed 's/^/#  /' >&2
t_check "on time: all $n_lag records to $GOOD sent within 0.45 s of being due (max $max_lag s)" \
	awk -v n="$n_lag" -v m="$max_lag" 'BEGIN { exit !(n > 0 && m <= 0.45) }'
cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "%.3f %.2f", (b - a) / hz, (b - a) / hz / (t1 - t0) }')
log "tflow's CPU during the spray: ${cpu% *} s, ${cpu#* } of a CPU"
t_finish
