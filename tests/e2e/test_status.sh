#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_status.sh - `tflow status` and `--json`, run as another process while tflow runs.
#
# tflow on vb exports v5 to one nfcapd and IPFIX to another, pinned under a bpffs directory both
# processes see. 3 UDP flows cross the link and are exported when idle (4 s); then 2 UDP flows and
# a ping (2 flows), looked at while in the cache. Pass: status shows vb with its ifindex, native
# XDP and tc egress; the 4 flows of the second phase as active flows; records by end reason;
# per-interface packets and bytes equal to the capture; per target, datagrams equal to those
# captured on lo and records equal to what each collector stored. Without privileges status exits
# 4; after a SIGUSR1 restart and after a stop it exits 3 and says why; a resumed run says so.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy nsenter setpriv jq bpftool
pins_private # status runs as another command, and the pins outlive a run
topo_create
collector_start 2055 nfcapd
collector_start 4739 ipfix
udp_sink udp-sink 5001 5002 5003 5004 5005 || exit 1

# ip netns exec would give tflow a private bpffs: status from elsewhere could not see its pins.
PIN_DIR=/sys/fs/bpf/tflow-e2e-$$

RUN=0
tflow_start() {
	RUN=$((RUN + 1))
	ln -sf "tflow$RUN.log" "$E2E_WORK/tflow.log" # for exporter_stop's messages
	tflow_launch "tflow$RUN" nsenter --net="/run/netns/$NS_B" "$TFLOW" run --interfaces "$IF_B" \
		--pin-dir "$PIN_DIR" --scan-interval 250ms "$@" ||
		die "run $RUN: tflow started" "$TFLOW_WHY"
	EXPORTER_PID=$TFLOW_PID
}

# status [ARGS...]: `tflow status --pin-dir $PIN_DIR ARGS` from the root namespaces; output in
# $E2E_WORK/status.out and .err, exit status in STATUS_RC.
status() {
	"$TFLOW" status --pin-dir "$PIN_DIR" "$@" >"$E2E_WORK/status.out" 2>"$E2E_WORK/status.err"
	STATUS_RC=$?
}

# sj JQ_FILTER: a value of a fresh `tflow status --json`.
sj() {
	status --json
	jq -r "$1" "$E2E_WORK/status.out"
}

# idle_is N: status says N flows were exported when idle.
idle_is() { [ "$(sj .flows.idle)" = "$1" ]; }

# collector_records NAME: records a collector stored.
collector_records() { nfdump -R "${COLL_DIR[$1]}" -q -o csv -N | grep -c .; }

# From before tflow starts: the templates it sends at once are counted too.
capture_start export lo "$NS_B" udp
tflow_start --target "127.0.0.1:2055,version=5" --target "127.0.0.1:4739,version=IPFIX" \
	--inactive-flow-timeout 4s

status --json
t_eq "status --json: exit 0 while tflow runs" "$STATUS_RC" 0
t_check "status --json: one JSON object" jq -e 'type == "object"' "$E2E_WORK/status.out"
t_eq "status: pid, running" "$(jq -r '"\(.pid) \(.running)"' "$E2E_WORK/status.out")" \
	"$EXPORTER_PID true"
t_eq "status: vb, its ifindex, native XDP, tc egress, up" \
	"$(jq -r '.interfaces[] | "\(.name) \(.ifindex) \(.attached) \(.xdp) \(.tc_egress) \(.up)"' \
		"$E2E_WORK/status.out")" "$IF_B $IFINDEX_B true native true true"
t_eq "status: settings" "$(jq -r '.settings | [.interfaces[], .cache_entries,
	.active_flow_timeout_ms, .inactive_flow_timeout_ms, .scan_interval_ms, .packet_sampling] |
	map(tostring) | join(" ")' "$E2E_WORK/status.out")" "vb 4096 1800000 4000 250 false"
t_eq "status: targets as configured" \
	"$(jq -r '[.targets[] | "\(.address) \(.version)"] | join(", ")' "$E2E_WORK/status.out")" \
	"127.0.0.1:2055 5, 127.0.0.1:4739 IPFIX"
t_eq "status: no flow before any traffic" "$(jq -r .cache.active_flows "$E2E_WORK/status.out")" 0

capture_start
# Phase A: 3 flows, exported when idle (4 s) and removed from the cache.
t_check "traffic: 3 UDP flows of 3 datagrams" traffic "$NS_A" udp-send "$IP_B" \
	5001:3:100 5002:3:200 5003:3:300 --sport 40000
wait_for 15 idle_is 3 ||
	t_fail "status: 3 flows exported when idle" "$(cat "$E2E_WORK/status.out")"
t_eq "status: after phase A, no active flow, 3 finished, 3 records to the v5 target" \
	"$(sj '"\(.cache.active_flows) \(.flows.finished) \(.targets[0].records)"')" "0 3 3"
# Phase B: 4 flows, looked at well within their inactive timeout.
t_check "traffic: 2 UDP flows of 3 datagrams" traffic "$NS_A" udp-send "$IP_B" \
	5004:3:400 5005:3:500 --sport 40000
t_check "traffic: ping, 2 echo requests and 2 replies" nsa ping -c 2 -i 0.2 -W 2 -q "$IP_B"
status --json
cp "$E2E_WORK/status.out" "$E2E_WORK/status-b.json"
status
cp "$E2E_WORK/status.out" "$E2E_WORK/status-b.txt"
J=$E2E_WORK/status-b.json
t_eq "status: active flows = the 4 flows of phase B" "$(jq -r .cache.active_flows "$J")" 4
t_eq "status: cache size and pressure" "$(jq -r '"\(.cache.size) \(.cache.used_percent)"' "$J")" \
	"4096 0.1"
t_check "status: aligned like RouterOS print (active flows)" grep -qx \
	'         active-flows: 4' "$E2E_WORK/status-b.txt"
t_check "status: aligned like RouterOS print (cache used)" grep -qx \
	'           cache-used: 4 of 4096 (0.1%)' "$E2E_WORK/status-b.txt"
# The same through plain bpftool: field names from BTF, and the cache's fill.
t_eq "bpftool: tflow_flows holds the 4 flows, by field name" \
	"$(bpftool map dump pinned "$PIN_DIR/tflow_flows" | jq '[.[] | select(.value.packets > 0)] |
	length')" 4
t_eq "bpftool: tflow_stats by field name, summed over the CPUs" \
	"$(bpftool -j map dump pinned "$PIN_DIR/tflow_stats" |
		jq '[.[0].formatted.values[].value.accounted] | add')" 19
t_eq "bpftool: tflow_state by field name" \
	"$(bpftool map dump pinned "$PIN_DIR/tflow_state" | jq -r '.[0].value | "\(.pid) \(.ifs[0].name)"')" \
	"$EXPORTER_PID $IF_B"

wait_for 15 idle_is 7 ||
	t_fail "status: 7 flows exported when idle" "$(cat "$E2E_WORK/status.out")"
sleep 0.5 # a datagram still on its way to lo is captured
capture_stop
capture_stop export
oracle_table
t_eq "oracle: 7 flows crossed the link" "$(table_count "$E2E_WORK/oracle.tsv")" 7
status --json
cp "$E2E_WORK/status.out" "$E2E_WORK/status-end.json"
J=$E2E_WORK/status-end.json
t_eq "status: no flow left in the cache" "$(jq -r .cache.active_flows "$J")" 0
t_eq "status: flows exported, finished, by reason" \
	"$(jq -r '.flows | "\(.exported) \(.finished) \(.idle) \(.active) \(.eof) \(.forced)"' "$J")" \
	"7 7 7 0 0 0"
t_eq "status: datapath counters: accounted, flows created, lost" \
	"$(jq -r '.datapath | "\(.accounted) \(.flows_created) \(.lost)"' "$J")" "19 7 0"
read -r in_p in_b _ <<<"$(table_flow "$E2E_WORK/oracle.tsv" '*' "$IP_A" '*' "$IP_B" '*')"
read -r out_p out_b _ <<<"$(table_flow "$E2E_WORK/oracle.tsv" '*' "$IP_B" '*' "$IP_A" '*')"
t_eq "status: vb packets and bytes in/out = the capture" \
	"$(jq -r '.interfaces[0] | "\(.in_packets) \(.in_bytes) \(.out_packets) \(.out_bytes)"' "$J")" \
	"$in_p $in_b $out_p $out_b"
for port in 2055 4739; do
	got=$(jq -r ".targets[] | select(.address == \"127.0.0.1:$port\") | .datagrams" "$J")
	want=$(tcpdump -r "$E2E_WORK/export.pcap" -n "udp dst port $port" 2>/dev/null | wc -l)
	if [ "$got" -gt 0 ]; then
		t_eq "status: datagrams to $port = those captured on lo ($want)" "$got" "$want"
	else
		t_fail "status: datagrams to $port > 0" "got $got"
	fi
done
t_eq "status: records to the v5 target" "$(jq -r .targets[0].records "$J")" 7
t_eq "status: no send errors" "$(jq -r '[.targets[].send_errors] | add' "$J")" 0
t_check "status: IPFIX templates sent, and when" jq -e \
	'.targets[1] | .templates > 0 and .last_template_ms > 0 and .last_template_ms <= now * 1000' "$J"

status
t_eq "status: exit 0" "$STATUS_RC" 0
t_check "status: the interface row" grep -qE \
	"^0 +$IF_B +$IFINDEX_B +native +egress +up +$in_p +$in_b +$out_p +$out_b\$" \
	"$E2E_WORK/status.out"

status_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$TFLOW" status --pin-dir "$PIN_DIR" >"$E2E_WORK/status.out" 2>"$E2E_WORK/status.err"
	STATUS_RC=$?
}
status_nobody
t_eq "status without privileges: exit 4" "$STATUS_RC" 4
t_check "status without privileges: says so" grep -q "Permission denied.*run as root" \
	"$E2E_WORK/status.err"

exporter_stop
collector_stop nfcapd
collector_stop ipfix
# v5 records are the flows; an IPFIX target's records also count one sampling options record per
# template message and the interface options records naming vb (template 261, counted in the
# capture), which the collector keeps apart.
t_eq "collector v5: records = status's records for the v5 target" \
	"$(collector_records nfcapd)" \
	"$(jq -r '.targets[0].records' "$J")"
IFNAMES=$("$PY" "$E2E_DIR/flows.py" datagrams "$E2E_WORK/export.pcap" --port 4739 --json |
	jq -s '[.[].options[] | select(.template == 261)] | length')
t_check "IPFIX: interface names sent ($IFNAMES records)" test "$IFNAMES" -gt 0
t_eq "collector IPFIX: flows = status's records less options records" \
	"$(collector_records ipfix)" \
	"$(jq -r ".targets[1].records - .targets[1].templates - $IFNAMES" "$J")"

status
t_eq "after a stop: exit 3" "$STATUS_RC" 3
t_check "after a stop: not running, no pins" grep -q "not running: no $PIN_DIR/tflow_state" \
	"$E2E_WORK/status.err"

# A restart: pins kept, nobody holds them; the next run reuses the state and says it resumed.
tflow_start
kill -USR1 "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 10
status --json
t_eq "after SIGUSR1: exit 3" "$STATUS_RC" 3
t_check "after SIGUSR1: says it exited for a restart" grep -q "exited for a restart" \
	"$E2E_WORK/status.err"
tflow_start
t_eq "resumed run: running, resumed, its own pid" \
	"$(sj '"\(.running) \(.resumed) \(.pid)"')" "true true $EXPORTER_PID"
kill -KILL "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 10
status
t_eq "after a crash: exit 3" "$STATUS_RC" 3
t_check "after a crash: says it did not exit cleanly" grep -q "without exiting cleanly" \
	"$E2E_WORK/status.err"
tflow_start
exporter_stop
t_check "after the last stop: no pins left" test ! -e "$PIN_DIR"
t_finish
