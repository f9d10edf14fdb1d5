#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fault_collector_down.sh - one of two collectors is down (ICMP port unreachable), then comes
# back: tflow keeps running, the other target gets everything, the errors are logged rate-limited,
# and data resumes on the collector that came back.
#
# One tflow, two targets on lo in $NS_B: IPFIX to nfcapd on 2055 (up all along) and NetFlow v5 to
# 2056, where nothing listens at first (every datagram draws an ICMP port unreachable). Active and
# inactive timeout 1 s, scan every 250 ms, mtu 576: 80 UDP flows sprayed at 800 packets/s for
# 6 s give several export datagrams a second to each target. After 3 s a nfcapd starts on 2056.
# The export datagrams to 2056 and the ICMP errors are captured on lo; flows.py decodes them.
# Pass:
#   - tflow is still running when the collector comes back, and exits 0 on SIGTERM;
#   - the collector on 2055 holds exactly the capture's flows (packets and bytes per flow);
#   - at least 10 datagrams to 2056 were refused before the collector came back; tflow warns
#     about the failing target (at least one warning naming 127.0.0.1:2056), rate-limited: at
#     most one line per 10 s of outage plus one, never one per refused datagram;
#   - tflow's closing counters for 2056 count as refused exactly the datagrams the capture shows
#     answered with ICMP port unreachable;
#   - the stream to 2056 is a valid v5 stream (sequence counts every flow offered, sent or not)
#     and no datagram was refused after the collector was up;
#   - the first datagram delivered to the new collector was sent within 1.5 s (active timeout +
#     two scans) of its start, and the new collector holds exactly the records of the datagrams
#     from that one on.
. "$(dirname "$0")/lib.sh"

GOOD=2055
DEAD=2056

need root ip ethtool tcpdump nfcapd nfdump ss tflow scapy
need_tflow_exporter
topo_create
# on lo the kernel does not rate-limit ICMP errors anyway; say so explicitly
nsb sysctl -qw net.ipv4.icmp_ratelimit=0 || die "setup: icmp_ratelimit in $NS_B"
collector_start "$GOOD" good
capture_start export lo "$NS_B" "udp port $DEAD or icmp"
exporter_start --target "127.0.0.1:$GOOD,version=IPFIX,mtu=576" \
	--target "127.0.0.1:$DEAD,version=5,mtu=576" \
	--active-flow-timeout 1s --inactive-flow-timeout 1s --scan-interval 250ms
udp_sink udp-sink $(seq 5001 5080) || exit 1

capture_start
T0=$(date +%s.%N)
bg_start spray "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-spray "$IP_B" 5001 80 64 --rate 800 \
	--duration 6 --sport 40000
sleep 3
if kill -0 "$EXPORTER_PID" 2>/dev/null; then
	t_ok "tflow still running after 3 s of a collector refusing every datagram"
else
	t_fail "tflow still running after 3 s of a collector refusing every datagram" \
		"$(tail -20 "$E2E_WORK/tflow.log")"
fi
T_UP0=$(date +%s.%N) # the late collector is starting
collector_start "$DEAD" late
T_UP=$(date +%s.%N) # ... and is bound
wait_pid "${E2E_BG[spray]}" 15
t_eq "traffic: udp spray exits 0" "$WAIT_RC" 0
sleep 1.2 # the last active-timeout exports
capture_stop
exporter_stop
collector_stop good
collector_stop late
capture_stop export

X=$E2E_WORK/export.pcap
sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$E2E_WORK/spray.log")
oracle_table
t_eq "oracle: 80 flows, the $sent datagrams sent, 92 bytes each" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow 17 "$IP_A" 40000 "$IP_B" '*' |
		cut -d' ' -f1,2)" "80 ${sent:-?} $((${sent:-0} * 92))"

check_flows_in "${COLL_DIR[good]}" "the collector that stayed up holds exactly the capture's flows"

# The stream to the dead port: n time ip_len family version sequence source_id templates options
# data_records refused error
export_datagrams "$X" "$DEAD" >"$E2E_WORK/dead.tsv" || die "flows.py datagrams failed"
n_dg=$(grep -c . "$E2E_WORK/dead.tsv")
n_refused=$(awk -F'\t' '$11 == 1' "$E2E_WORK/dead.tsv" | wc -l)
refused_late=$(awk -F'\t' -v t="$T_UP" '$11 == 1 && $2 > t + 0.05' "$E2E_WORK/dead.tsv" |
	wc -l)
log "port $DEAD: $n_dg datagrams, $n_refused refused; collector started at $T_UP0, bound at $T_UP"
t_check "$n_refused datagrams to the dead port refused before it came back (at least 10)" \
	test "$n_refused" -ge 10
t_eq "no datagram refused once the collector was up" "$refused_late" 0
check_export "stream to $DEAD: v5 rules (sequence counts every flow offered, mtu 576)" "$X" \
	"$DEAD" 5 --mtu 576

# tflow's log about the dead target: present, and rate-limited
outage=$(awk -v a="$T0" -v b="$T_UP" 'BEGIN { printf "%d", b - a + 1 }')
warn_re="(warning|error).*127\.0\.0\.1:$DEAD\b"
n_lines=$(grep -cE "$warn_re" "$E2E_WORK/tflow.log")
log "tflow's warnings and errors about 127.0.0.1:$DEAD ($n_lines lines):"
grep -E "$warn_re" "$E2E_WORK/tflow.log" | head -10 | sed 's/^/#   /' >&2
t_check "tflow logs the failing target 127.0.0.1:$DEAD while it refuses datagrams" \
	test "$n_lines" -ge 1
t_check "the log is rate-limited: $n_lines lines for $n_refused refused datagrams in ${outage} s" \
	test "$n_lines" -le $((outage / 10 + 1)) -a "$n_lines" -lt "$n_refused"
stat_line=$(grep -E "^tflow: target 1 \(v5\):" "$E2E_WORK/tflow.log")
log "tflow's counters for the dead target: $stat_line"
t_eq "tflow counted the refused datagrams: its 'refused' counter equals the capture's" \
	"$(sed -n 's/.* \([0-9]*\) refused.*/\1/p' <<<"$stat_line")" "$n_refused"

# Data resumes: the first datagram delivered after the refused run, and what the new collector got
first=$(awk -F'\t' -v t="$T_UP0" '$2 >= t && $11 == 0 { print $1, $2; exit }' \
	"$E2E_WORK/dead.tsv")
read -r k tk <<<"${first:-0 0}"
log "first datagram to $DEAD after the collector came back: #$k at $tk (bound at $T_UP)"
t_check "data resumes: a datagram reaches the new collector within 1.5 s of its start" \
	awk -v k="$k" -v tk="$tk" -v t="$T_UP" 'BEGIN { exit !(k > 0 && tk - t < 1.5) }'
[ "$k" -gt 0 ] && check_nfdump_export \
	"the new collector holds exactly the records of datagrams $k on" \
	"${COLL_DIR[late]}" "$X" "$DEAD" "$k"
t_finish
