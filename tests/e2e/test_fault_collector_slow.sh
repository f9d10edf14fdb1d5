#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fault_collector_slow.sh - two collectors stop reading: the third target gets everything,
# on time, and tflow's loop is not held up.
#
# One tflow, three targets on lo in $NS_B:
#   2055  IPFIX to nfcapd (healthy)
#   2056  v5 to a socket that is bound but never read, with the smallest receive buffer: it is
#         full after a datagram or two and the kernel drops the rest
#   2057  v9 to nfcapd stopped with SIGSTOP right after it started (its buffer fills, unread)
# Active and inactive timeout 1 s, scan every 250 ms; 80 UDP flows sprayed at 800 packets/s for
# 5 s. The datagrams to 2055 are captured on lo and decoded by flows.py.
# Pass:
#   - the stalled sockets really were: the never-read one dropped datagrams, the stopped nfcapd
#     has datagrams queued unread;
#   - the collector on 2055 holds exactly the capture's flows, and dropped nothing itself;
#   - on time: every record to 2055 was sent within 0.45 s (scan interval + 0.2 s) of the moment
#     it became due (its active or inactive timeout); the lags are printed;
#   - tflow used less than 10% of a CPU during the spray, and exits 0 on SIGTERM.
. "$(dirname "$0")/lib.sh"

GOOD=2055
DEAF=2056
STOPPED=2057

need root ip ethtool tcpdump nfcapd nfdump ss tflow scapy
need_tflow_exporter
topo_create
collector_start "$GOOD" good
bg_start deaf "$NS_B" "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # the kernel rounds up to its minimum
s.bind(("127.0.0.1", int(sys.argv[1])))
print("ready rcvbuf", s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), flush=True)
while True:
    time.sleep(60)' "$DEAF"
bg_wait_line deaf '^ready' 10 || exit 1
collector_start "$STOPPED" stopped
kill -STOP "${E2E_BG[stopped]}" || die "setup: SIGSTOP nfcapd on $STOPPED"
capture_start export lo "$NS_B" "udp port $GOOD"
exporter_start --target "127.0.0.1:$GOOD,version=IPFIX" --target "127.0.0.1:$DEAF,version=5" \
	--target "127.0.0.1:$STOPPED,version=9" \
	--active-flow-timeout 1s --inactive-flow-timeout 1s --scan-interval 250ms
udp_sink udp-sink $(seq 5001 5080) || exit 1

capture_start
cpu0=$(proc_cpu_ticks "$EXPORTER_PID")
t0=$(date +%s.%N)
bg_start spray "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-spray "$IP_B" 5001 80 64 --rate 800 \
	--duration 5 --sport 40000
wait_pid "${E2E_BG[spray]}" 15
t_eq "traffic: udp spray exits 0" "$WAIT_RC" 0
cpu1=$(proc_cpu_ticks "$EXPORTER_PID")
t1=$(date +%s.%N)
sleep 1.6 # the idle exports: inactive timeout + a scan or two
capture_stop
deaf_drops=$(udp_sock_drops "$DEAF")
good_drops=$(udp_sock_drops "$GOOD")
stopped_q=$(nsb ss -Hnlu "sport = :$STOPPED" | awk '{ print $2 }')
exporter_stop
kill -CONT "${E2E_BG[stopped]}"
# the never-read socket's drops are counted in the namespace's RcvbufErrors too: the healthy
# collector's own socket is checked above instead (good_drops)
COLLECTOR_RCVBUF_ERRORS=$(udp_rcvbuf_errors)
collector_stop good
collector_stop stopped
capture_stop export

log "deaf socket on $DEAF: $(head -1 "$E2E_WORK/deaf.log"), dropped ${deaf_drops:-?};" \
	"stopped nfcapd on $STOPPED: ${stopped_q:-?} bytes queued unread"
t_check "the never-read socket on $DEAF dropped datagrams (${deaf_drops:-?})" \
	test "${deaf_drops:-0}" -gt 0
t_check "the stopped nfcapd on $STOPPED had datagrams queued unread (${stopped_q:-?} bytes)" \
	test "${stopped_q:-0}" -gt 0
t_eq "the healthy collector on $GOOD dropped nothing" "${good_drops:-?}" 0

sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$E2E_WORK/spray.log")
oracle_table
t_eq "oracle: 80 flows, the $sent datagrams sent, 92 bytes each" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow 17 "$IP_A" 40000 "$IP_B" '*' |
		cut -d' ' -f1,2)" "80 ${sent:-?} $((${sent:-0} * 92))"
check_flows_in "${COLL_DIR[good]}" "the healthy collector holds exactly the capture's flows"

# Lag: when a record was sent (capture on lo) less when it became due: the earlier of its
# inactive timeout (last packet + 1 s) and its active timeout (the flow's previous export + 1 s,
# or its first packet + 1 s for the first record). A scan every 250 ms sends each record at most
# 250 ms after it is due; 0.2 s more are allowed. Records forced out at exit are not counted.
export_lags "$E2E_WORK/export.pcap" "$GOOD" 1.0 1.0 >"$E2E_WORK/lags.txt"
read -r n_lag med_lag max_lag min_lag <<<"$(head -1 "$E2E_WORK/lags.txt")"
log "lag of the records to $GOOD after they were due: $n_lag records, median $med_lag s," \
	"max $max_lag s, min $min_lag s; the largest:"
sed -n '2,$p' "$E2E_WORK/lags.txt" | sed 's/^/#  /' >&2
t_check "on time: all $n_lag records sent within 0.45 s of being due (max $max_lag s)" \
	awk -v n="$n_lag" -v m="$max_lag" 'BEGIN { exit !(n > 0 && m <= 0.45) }'

hz=$(getconf CLK_TCK)
cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "%.3f %.2f", (b - a) / hz, (b - a) / hz / (t1 - t0) }')
log "tflow's CPU during the spray: ${cpu% *} s, ${cpu#* } of a CPU"
t_check "tflow used less than 10% of a CPU during the spray (${cpu#* })" \
	awk -v c="${cpu#* }" 'BEGIN { exit !(c < 0.10) }'
log "tflow's counters: $(grep -E '^tflow: target' "$E2E_WORK/tflow.log" | tr '\n' ';')"
t_finish
