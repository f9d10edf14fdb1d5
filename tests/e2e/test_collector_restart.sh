#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_collector_restart.sh - a v9/IPFIX collector restarts and loses the templates: tflow's
# template refresh, or a SIGHUP, lets the new one decode again.
#
# One tflow, four targets, all mtu=576 (several datagrams per scan): v9 and IPFIX with
# v9-template-refresh=5 (ports 2055, 2056) and with v9-template-refresh=1000 (2057, 2058);
# active and inactive timeout 1 s, scan every 250 ms; 40 UDP flows sent at 400 packets/s for 6 s,
# so every flow is exported as an active-timeout delta about once a second (about 4 datagrams a
# second per target). After 1.5 s the four nfcapd are stopped; once a datagram to each port has
# been refused (ICMP port unreachable on lo), four new nfcapd start in new directories, with no
# templates. 1.5 s later tflow gets SIGHUP.
# The export datagrams and the ICMP errors are captured on lo; flows.py decodes them.
# Pass:
#   - the capture on va holds exactly the 40 flows sent, and the records of all the export
#     datagrams of each target (delivered or not) equal it exactly: the streams themselves are
#     whole and obey their rules (sequence, mtu 576, templates at least every 5 or 1000; IPFIX
#     flowEndReason 2 for the active-timeout deltas, 1 idle or 4 forced for the last ones);
#   - refresh 5: the first datagram carrying templates after the restart comes within 5 datagrams
#     of the first one the new collector received, and before the SIGHUP;
#   - refresh 1000: the new collector received at least one datagram it could not decode, and the
#     first datagram sent after the SIGHUP carries the templates, within 1 s of it;
#   - each old collector holds exactly the records of the datagrams before the first refused one;
#     each new collector holds exactly the records from the first templated datagram on (nothing
#     before it decodes).
. "$(dirname "$0")/lib.sh"

PORTS=(2055 2056 2057 2058)
declare -A VERSION=([2055]=9 [2056]=IPFIX [2057]=9 [2058]=IPFIX)
declare -A REFRESH=([2055]=5 [2056]=5 [2057]=1000 [2058]=1000)

need root ip ethtool tcpdump nfcapd nfdump ss tflow scapy
need_tflow_exporter
topo_create
# on lo the kernel does not rate-limit ICMP errors anyway; say so explicitly
nsb sysctl -qw net.ipv4.icmp_ratelimit=0 || die "setup: icmp_ratelimit in $NS_B"
targets=()
for p in "${PORTS[@]}"; do
	collector_start "$p" "old-$p"
	targets+=(--target
		"127.0.0.1:$p,version=${VERSION[$p]},mtu=576,v9-template-refresh=${REFRESH[$p]}")
done
# with every ipfix field a 576-byte datagram holds 4 records, so a scan sends ~40 datagrams at
# once: a 64 MiB buffer and a snap length that holds a datagram (the last -B/-s given counts)
capture_start export lo "$NS_B" -B 65536 -s 2048 '(udp portrange 2055-2058) or icmp'
exporter_start "${targets[@]}" --active-flow-timeout 1s --inactive-flow-timeout 1s \
	--scan-interval 250ms
udp_sink udp-sink $(seq 5001 5040) || exit 1

capture_start
bg_start spray "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-spray "$IP_B" 5001 40 64 --rate 400 \
	--duration 6 --sport 40000
sleep 1.5
for p in "${PORTS[@]}"; do collector_stop "old-$p"; done
refused_all() {
	local p out
	out=$(tcpdump -r "$E2E_WORK/export.pcap" -n icmp 2>/dev/null)
	for p in "${PORTS[@]}"; do grep -q "udp port $p unreachable" <<<"$out" || return 1; done
}
wait_for 5 refused_all || t_fail "collectors down: a datagram to each port refused"
for p in "${PORTS[@]}"; do collector_start "$p" "new-$p"; done
sleep 1.5
T_HUP=$(date +%s.%N)
kill -HUP "$EXPORTER_PID"
wait_pid "${E2E_BG[spray]}" 15
t_eq "traffic: udp spray exits 0" "$WAIT_RC" 0
sleep 1.2 # the last active-timeout exports
capture_stop
exporter_stop
for p in "${PORTS[@]}"; do collector_stop "new-$p"; done
capture_stop export

X=$E2E_WORK/export.pcap
sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$E2E_WORK/spray.log")
oracle_table
t_eq "oracle: 40 flows, the $sent datagrams sent, 92 bytes each" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow 17 "$IP_A" 40000 "$IP_B" '*' |
		cut -d' ' -f1,2)" "40 ${sent:-?} $((${sent:-0} * 92))"
for p in "${PORTS[@]}"; do
	v=${VERSION[$p]}
	opts=()
	[ "$v" = IPFIX ] && opts=(--end-reasons 1,2,4)
	check_export "export to $p: $v stream rules (sequence, mtu 576, refresh ${REFRESH[$p]})" \
		"$X" "$p" "${v/IPFIX/10}" --mtu 576 --refresh "${REFRESH[$p]}" "${opts[@]}"
	check_flows_export "export to $p: all records together equal the capture" "$X" "$p"
	if ! pts=$("$PY" "$E2E_DIR/flows.py" restart-points "$X" --port "$p" --hup "$T_HUP" 2>&1)
	then
		t_fail "export to $p: the restart shows in the stream" "$pts"
		continue
	fi
	read -r r1 r2 k j tj h th <<<"$pts"
	log "port $p: refused $r1..$r2, new collector from $k, templates at $j ($tj), HUP $T_HUP," \
		"next datagram $h ($th)"
	if [ "${REFRESH[$p]}" = 5 ]; then
		name="restart $p ($v, refresh 5): templates within 5 datagrams of the new collector's"
		t_check "$name first ($k -> templates at $j), before the SIGHUP" \
			awk -v k="$k" -v j="$j" -v tj="$tj" -v th="$T_HUP" \
			'BEGIN { exit !(j > 0 && j - k + 1 <= 5 && tj < th) }'
	else
		name="restart $p ($v, refresh 1000): undecodable data ($k..$((h - 1))) before the SIGHUP,"
		t_check "$name templates in the first datagram after it ($h = $j), within 1 s" \
			awk -v k="$k" -v j="$j" -v h="$h" -v th="$th" -v hup="$T_HUP" \
			'BEGIN { exit !(j > 0 && j == h && h > k && th - hup < 1) }'
	fi
	check_nfdump_export "old collector $p: exactly the records of datagrams 1..$((r1 - 1))" \
		"${COLL_DIR[old-$p]}" "$X" "$p" 1 "$r1"
	[ "$j" -gt 0 ] && check_nfdump_export \
		"new collector $p: exactly the records from the templated datagram $j on" \
		"${COLL_DIR[new-$p]}" "$X" "$p" "$j"
done
t_finish
