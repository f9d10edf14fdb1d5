#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_metrics.sh - Prometheus metrics over HTTP (--metrics) and as a textfile (--metrics-textfile).
#
# tflow runs as nobody (--user) with its metrics on port 919: the listening socket must be opened
# before privileges are dropped. 3 UDP flows of 4 datagrams cross vb and are exported when idle.
# Pass: GET /metrics answers 200 with the exposition format's content type, and the text passes a
# strict check of the format (tests/e2e/promcheck.py, and prometheus_client's own parser). The
# values equal `tflow status --json`'s and the traffic sent: packets and bytes of vb by direction,
# records by end reason, datagrams and records per target. The textfile holds the same, owned by
# nobody; every read of it while tflow rewrites it 4 times a second is whole, and each rewrite is
# a new file renamed over the old one (a file held open keeps its text). Other paths, methods and malformed requests get 404, 405,
# 400. With every connection slot held by idle clients a new one is closed at once while the loop
# goes on scanning, and idle clients are dropped after 10 s. After SIGTERM the port is closed and
# the textfile removed.
. "$(dirname "$0")/lib.sh"

need root ip ethtool nfcapd nfdump ss tflow scapy nsenter jq
"$PY" -c 'import prometheus_client.parser' 2>/dev/null || need python3-prometheus-client
pins_private # `tflow status` from another command reads the pins
topo_create
collector_start
udp_sink udp-sink 5001 5002 5003 || exit 1

PIN_DIR=/sys/fs/bpf/tflow-e2e-$$
PORT=919
TEXTDIR=$E2E_WORK/textfile
TEXTFILE=$TEXTDIR/tflow.prom
mkdir -p "$TEXTDIR" && chown nobody "$TEXTDIR"

tflow_launch tflow nsenter --net="/run/netns/$NS_B" "$TFLOW" run --interfaces "$IF_B" \
	--pin-dir "$PIN_DIR" --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
	--inactive-flow-timeout 2s --scan-interval 250ms --metrics "127.0.0.1:$PORT" \
	--metrics-textfile "$TEXTFILE" --user nobody || die "tflow started" "$TFLOW_WHY"
EXPORTER_PID=$TFLOW_PID
t_check "tflow: serving metrics on port $PORT, running as nobody" \
	grep -q "serving http://127.0.0.1:$PORT/metrics" "$E2E_WORK/tflow.log"

req() { nsb "$PY" "$E2E_DIR/httpreq.py" "$@"; }

# metrics NAME: GET /metrics into $E2E_WORK/NAME.txt, checked into $E2E_WORK/NAME.json.
metrics() {
	local head
	head=$(req get 127.0.0.1 $PORT GET /metrics "$E2E_WORK/$1.txt") ||
		{ t_fail "GET /metrics ($1)" "$head"; return 1; }
	t_eq "GET /metrics ($1): 200, the exposition format's content type" "${head% *}" \
		"200 text/plain; version=0.0.4; charset=utf-8"
	t_check "GET /metrics ($1): the text passes the strict format check" \
		sh -c "'$PY' '$E2E_DIR/promcheck.py' '$E2E_WORK/$1.txt' >'$E2E_WORK/$1.json'"
}

# m FILE SERIES: the value of SERIES (labels sorted by name) in a checked metrics file.
m() { jq -r --arg k "$2" '.[$k] // "missing" | tostring' "$1"; }

metrics start
t_eq "metrics: no flow yet" "$(m "$E2E_WORK/start.json" tflow_cache_entries)" 0

# 3 flows of 4 datagrams: 100, 200, 300 payload bytes (+ 28 of headers) each.
t_check "traffic: 3 UDP flows of 4 datagrams" traffic "$NS_A" udp-send "$IP_B" \
	5001:4:100 5002:4:200 5003:4:300 --sport 40000
sleep 0.6 # two scans, well within the inactive timeout (2 s)
metrics mid
t_eq "metrics: the 3 flows in the cache, as the last scan found them" \
	"$(m "$E2E_WORK/mid.json" tflow_cache_entries)" 3
idle3() { [ "$("$TFLOW" status --json --pin-dir "$PIN_DIR" | jq .flows.idle)" = 3 ]; }
wait_for 15 idle3 || t_fail "status: the 3 flows were exported"
sleep 0.5 # a scan after the export, so the textfile has it too
metrics after
"$TFLOW" status --json --pin-dir "$PIN_DIR" >"$E2E_WORK/status.json"
M=$E2E_WORK/after.json
S=$E2E_WORK/status.json

t_eq "metrics: vb ingress packets and bytes = the traffic" \
	"$(m $M 'tflow_interface_packets_total{direction="ingress",interface="vb"}') \
$(m $M 'tflow_interface_bytes_total{direction="ingress",interface="vb"}')" "12 2736"
t_eq "metrics: vb egress: nothing" \
	"$(m $M 'tflow_interface_packets_total{direction="egress",interface="vb"}')" 0
t_eq "metrics: vb attached, native XDP, tc egress" \
	"$(m $M "tflow_interface_info{ifindex=\"$IFINDEX_B\",interface=\"vb\",tc=\"egress\",xdp=\"native\"}")" \
	1
t_eq "metrics: flows exported when idle" "$(m $M 'tflow_flows_exported_total{reason="idle"}')" 3
t_eq "metrics: packets seen, accounted, lost" "$(m $M tflow_packets_seen_total) \
$(m $M tflow_packets_accounted_total) $(m $M tflow_packets_lost_total)" "12 12 0"
T='{target="127.0.0.1:2055",version="5"}'
t_eq "metrics: records to the target" "$(m $M "tflow_target_records_total$T")" 3

# The same figures as tflow status --json (nothing moved in between: no traffic).
eq_status() {
	t_eq "metrics = status --json: $1" "$(m $M "$1")" "$(jq -r "$2" "$S")"
}
eq_status tflow_cache_entries .cache.active_flows
eq_status tflow_cache_size .cache.size
eq_status tflow_spill_entries .cache.spill_entries
for f in seen non_ip sampled skipped accounted overflow lost; do
	eq_status "tflow_packets_${f}_total" ".datapath.$f"
done
eq_status tflow_flows_created_total .datapath.flows_created
for r in idle active eof forced resources; do
	eq_status "tflow_flows_exported_total{reason=\"$r\"}" ".flows.$r"
done
eq_status 'tflow_interface_bytes_total{direction="ingress",interface="vb"}' .interfaces[0].in_bytes
for k in datagrams:datagrams records:records send_errors:send_errors refused:refused \
	template_datagrams:templates; do
	eq_status "tflow_target_${k%%:*}_total$T" ".targets[0].${k#*:}"
done

# The textfile: the same text, written by nobody.
t_eq "textfile: owned by nobody (written after privileges were dropped)" \
	"$(stat -c %U "$TEXTFILE")" nobody
t_check "textfile: passes the strict format check" \
	sh -c "'$PY' '$E2E_DIR/promcheck.py' '$TEXTFILE' >'$E2E_WORK/textfile.json'"
for k in 'tflow_interface_bytes_total{direction="ingress",interface="vb"}' \
	'tflow_flows_exported_total{reason="idle"}' tflow_packets_seen_total \
	"tflow_target_datagrams_total$T"; do
	t_eq "textfile = GET /metrics: $k" "$(m "$E2E_WORK/textfile.json" "$k")" "$(m $M "$k")"
done
# Whole at every read; replaced by rename: a file held open keeps its text while the path moves
# on to a new inode (an in-place rewrite would change the held file).
t_check "textfile: every read whole for 3 s of rewrites, each a new file" "$PY" - "$TEXTFILE" \
	"$E2E_DIR" <<-'EOF'
	import os, sys, time
	sys.path.insert(0, sys.argv[2])
	import promcheck
	path, reads, replaced, end = sys.argv[1], 0, 0, time.time() + 3
	while time.time() < end:
	    with open(path) as held:
	        text = held.read()
	        promcheck.check(text)  # exits 1 on half a file
	        assert "tflow_target_last_template_timestamp_seconds{" in text, "cut short"
	        until = time.time() + 0.3
	        while time.time() < until:  # meanwhile, reads by path must be whole too
	            with open(path) as f:
	                promcheck.check(f.read())
	            reads += 1
	        held.seek(0)
	        assert held.read() == text, "the file held open changed: rewritten in place"
	        replaced += os.stat(path).st_ino != os.fstat(held.fileno()).st_ino
	assert replaced >= 8, "replaced only %d times in 3 s" % replaced
	print(reads, "reads,", replaced, "replacements")
	EOF
t_eq "textfile: no temporary file left" "$(ls -A "$TEXTDIR")" tflow.prom

# Other requests.
req get 127.0.0.1 $PORT GET / "$E2E_WORK/root.txt" >"$E2E_WORK/root.head"
t_eq "GET /: 404" "$(cut -d' ' -f1 "$E2E_WORK/root.head")" 404
t_eq "POST /metrics: 405" "$(req raw 127.0.0.1 $PORT 'POST /metrics HTTP/1.0\r\n\r\n')" \
	"HTTP/1.0 405 Method Not Allowed"
t_eq "HEAD /metrics: 200, no body" \
	"$(req get 127.0.0.1 $PORT HEAD /metrics "$E2E_WORK/head.txt" | cut -d' ' -f1) \
$(stat -c %s "$E2E_WORK/head.txt")" "200 0"
t_eq "HTTP/1.0 with a query string: 200" \
	"$(req raw 127.0.0.1 $PORT 'GET /metrics?x=1 HTTP/1.0\r\nAccept: */*\r\n\r\n')" \
	"HTTP/1.0 200 OK"
t_eq "a malformed request: 400" "$(req raw 127.0.0.1 $PORT 'hello\r\n\r\n')" \
	"HTTP/1.0 400 Bad Request"
t_eq "a request head past 2 KB: 400" \
	"$(req raw 127.0.0.1 $PORT "GET /metrics HTTP/1.0\\r\\nX: $(head -c 3000 /dev/zero | tr '\0' a)")" \
	"HTTP/1.0 400 Bad Request"

# Bounded connections: 8 idle clients take every slot.
bg_start hold "$NS_B" "$PY" "$E2E_DIR/httpreq.py" hold 127.0.0.1 $PORT 8
bg_wait_line hold '^ready' 10
sleep 0.3
before=$("$TFLOW" status --json --pin-dir "$PIN_DIR" | jq .updated_ms)
t_eq "9th connection while 8 are held: closed at once" \
	"$(req raw 127.0.0.1 $PORT 'GET /metrics HTTP/1.0\r\n\r\n')" closed
sleep 1
after=$("$TFLOW" status --json --pin-dir "$PIN_DIR" | jq .updated_ms)
t_check "the event loop goes on scanning meanwhile" test "$after" -gt "$before"
# Idle clients are dropped after 10 s; the slots serve again.
sleep 10.5
t_eq "after the idle timeout: served again" \
	"$(req raw 127.0.0.1 $PORT 'GET /metrics HTTP/1.0\r\n\r\n')" "HTTP/1.0 200 OK"
bg_stop hold

exporter_stop
t_eq "after SIGTERM: the port is closed" \
	"$(req raw 127.0.0.1 $PORT 'GET /metrics HTTP/1.0\r\n\r\n')" refused
t_check "after SIGTERM: the textfile is removed" test ! -e "$TEXTFILE"
check_pins_gone "after SIGTERM: the pins are removed (by nobody)" "$PIN_DIR" "$E2E_WORK/tflow.log"
for bad in 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:9469 '[::1]9469' :9469; do
	nsenter --net="/run/netns/$NS_B" "$TFLOW" run --interfaces "$IF_B" --pin-dir "$PIN_DIR" \
		--metrics "$bad" >/dev/null 2>"$E2E_WORK/bad.err"
	rc=$?
	t_eq "--metrics '$bad': exit 2, says what is accepted, nothing pinned" \
		"$rc $(grep -c 'ADDR:PORT' "$E2E_WORK/bad.err") $(pins_in "$PIN_DIR")" "2 1 "
done
collector_stop
t_finish
