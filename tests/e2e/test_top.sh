#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_top.sh - `tflow top` reads the running tflow's cache: rates, order, groups, exact totals.
#
# tflow runs on vb (no target). Three paced UDP flows for 5 s, each from its own sender:
#   F1 10.77.0.1:40001 -> 10.77.0.2:5001  200 pps x 1000 bytes payload (IP 1028): 205600 B/s  (vb in)
#   F2 10.77.0.1:40002 -> 10.77.0.2:5002  300 pps x   20 bytes payload (IP   48):  14400 B/s  (vb in)
#   F3 10.77.0.2:40003 -> 10.77.0.1:5003   50 pps x  100 bytes payload (IP  128):   6400 B/s  (vb out)
# F1 is the heavier by bytes, F2 by packets. Nothing else crosses the link (static neighbours, no
# IPv6). Seven `tflow top --count 9` run at the same time, each in tflow's mount and network
# namespaces (`ip netns exec` would give them a bpffs of their own, without the pins): six --json
# (--by flow, flow --sort packets --interface vb, src, dst, conv, proto) and a text one.
# Their first reading is taken before the senders start and their last after the senders end.
# Pass:
#   - exact, in every view: summed over the intervals, each flow and each group counted exactly
#     the packets its senders sent and their IP bytes; in every interval the rows add up to the
#     interval's totals and the rates are the counts divided by the interval;
#   - rates within 10% of the senders' rates, in every interval (at least one) during which each
#     flow of the row surely sent: after the end of the first interval in which the flow view
#     counted it, before the start of the last one (wall clock). Why 10%: the senders pace against the clock, so over a whole second they are off by one
#     packet (0.5% of F1); what moves packets across an interval boundary is a sender waking late
#     on this shared 2-core machine and catching up in a burst. 10% allows 100 ms of that;
#   - F1 first in --sort bytes, F2 first in --sort packets, in those intervals;
#   - group views: src 10.77.0.1 = F1+F2 (2 flows), conv = F1+F2+F3 (3 flows), proto udp/500N;
#   - the text view shows F1's row with its rate in Mbit/s and a TOTAL line;
#   - --interface lo shows nothing; SIGINT ends top with status 0; top exits 1 with a message
#     when tflow stops under it, and when no tflow runs (a bpffs without the pins, a missing
#     --pin-dir).
. "$(dirname "$0")/lib.sh"

need root ip ethtool ping ss nsenter tflow "$PY"
need_tflow_exporter
topo_create
udp_sink sink-b 5001 5002 || exit 1
bg_start sink-a "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-sink 5003
bg_wait_line sink-a '^ready' 10 || exit 1
exporter_start --inactive-flow-timeout 60s

# top_bg NAME ARGS...: `tflow top ARGS` in tflow's namespaces, output to $E2E_WORK/top-NAME.out.
top_bg() {
	local name=$1
	shift
	nsenter -t "$EXPORTER_PID" -m -n "$TFLOW" top "$@" >"$E2E_WORK/top-$name.out" \
		2>"$E2E_WORK/top-$name.err" &
	E2E_BG[top-$name]=$!
	E2E_PIDS+=($!)
}

# has_map PID: the process holds a BPF map open (tflow top has read the pin).
has_map() { ls -l /proc/"$1"/fd 2>/dev/null | grep -q 'anon_inode:bpf-map'; }

VIEWS="flow pkts src dst conv proto text"
COUNT=9 # seconds: the senders' 5 s, their start-up, margin
top_bg flow --json --count $COUNT
top_bg pkts --json --count $COUNT --sort packets --interface vb
for by in src dst conv proto; do top_bg "$by" --json --count $COUNT --by "$by"; done
top_bg text --count $COUNT
top_bg sigint --json
for v in $VIEWS sigint; do
	wait_for 5 has_map "${E2E_BG[top-$v]}" || die "top $v: opened the cache" \
		"$(cat "$E2E_WORK/top-$v.err")"
done
sleep 0.3 # the first reading follows the open at once; this is margin

spray() { # NS NAME DST PORT SIZE RATE SPORT
	ip netns exec "$1" "$PY" "$E2E_DIR/traffic.py" udp-spray "$3" "$4" 1 "$5" --rate "$6" \
		--duration 5 --sport "$7" >"$E2E_WORK/$2.out" 2>&1 &
	E2E_PIDS+=($!)
	SPRAY_PIDS+=($!)
}
SPRAY_PIDS=()
spray "$NS_A" f1 "$IP_B" 5001 1000 200 40001
spray "$NS_A" f2 "$IP_B" 5002 20 300 40002
spray "$NS_B" f3 "$IP_A" 5003 100 50 40003
for pid in "${SPRAY_PIDS[@]}"; do wait_pid "$pid" 20; done
sent() { sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$E2E_WORK/$1.out"; }
N1=$(sent f1) N2=$(sent f2) N3=$(sent f3)
[ -n "$N1" ] && [ -n "$N2" ] && [ -n "$N3" ] || die "traffic: the three senders ran" \
	"$(cat "$E2E_WORK"/f?.out)"
log "sent: F1 $N1, F2 $N2, F3 $N3 datagrams"

# --interface lo while the traffic is over but the tops still run: nothing there
nsenter -t "$EXPORTER_PID" -m -n "$TFLOW" top --json --once --interface lo >"$E2E_WORK/lo.out"
t_eq "top --interface lo: status 0" "$?" 0
t_check "top --interface lo: no flow, nothing counted" grep -q \
	'"cache_flows":0,"active_flows":0,"groups":0,"packets":0,"bytes":0,.*"top":\[\]}$' \
	"$E2E_WORK/lo.out"

for v in $VIEWS; do
	wait_pid "${E2E_BG[top-$v]}" 20
	t_eq "top $v: $COUNT intervals, status 0" "$WAIT_RC" 0
	[ -s "$E2E_WORK/top-$v.err" ] && t_fail "top $v: nothing on stderr" \
		"$(cat "$E2E_WORK/top-$v.err")"
done
kill -INT "${E2E_BG[top-sigint]}"
wait_pid "${E2E_BG[top-sigint]}" 5
t_eq "top without --count: SIGINT ends it with status 0" "$WAIT_RC" 0

t_check "top text: F1's row, its rate in Mbit/s" grep -qE \
	'^vb +in +udp +10\.77\.0\.1:40001 +10\.77\.0\.2:5001 +1\.[5-7] Mbit/s +(1[89][0-9]|2[01][0-9]) pps$' \
	"$E2E_WORK/top-text.out"
t_check "top text: a TOTAL line" grep -qE '^TOTAL +[0-9.]+ [kM]?bit/s +[0-9.]+ k?pps$' \
	"$E2E_WORK/top-text.out"

# check_want: the first part of check's program: the senders' flows, the rows each view should
# show and when each flow surely sent.
check_want() {
	cat <<-'EOF'
		import json, sys
		view, path, flow_path = sys.argv[1:4]
		n1, n2, n3 = (int(x) for x in sys.argv[4:7])
		COUNT = int(sys.argv[7])
		A, B = "10.77.0.1", "10.77.0.2"
		F = {  # flow row -> (packets, IP bytes, rate pps)
		    ("vb", "ingress", 17, A, 40001, B, 5001): (n1, n1 * 1028, 200),
		    ("vb", "ingress", 17, A, 40002, B, 5002): (n2, n2 * 48, 300),
		    ("vb", "egress", 17, B, 40003, A, 5003): (n3, n3 * 128, 50),
		}
		def flow_key(r):
		    return (r["ifname"], r["dir"], r["proto"], r["src"], r["sport"], r["dst"], r["dport"])
		def key(r):
		    if view in ("flow", "pkts"):
		        return flow_key(r)
		    return {"src": lambda: r["src"], "dst": lambda: r["dst"],
		            "conv": lambda: (r["a"], r["b"]),
		            "proto": lambda: (r["proto"], r["dport"])}[view]()
		F1, F2, F3 = F
		def add(*ks):
		    return (sum(F[k][0] for k in ks), sum(F[k][1] for k in ks),
		            sum(F[k][2] for k in ks), ks)
		want = {  # row -> (packets, bytes, rate pps, the flows in it)
		    "flow": {k: add(k) for k in F},
		    "src": {A: add(F1, F2), B: add(F3)},
		    "dst": {B: add(F1, F2), A: add(F3)},
		    "conv": {(A, B): add(F1, F2, F3)},
		    "proto": {(17, 5001): add(F1), (17, 5002): add(F2), (17, 5003): add(F3)},
		}
		want["pkts"] = want["flow"]
		want = want[view]
		def load(p):
		    return [json.loads(line) for line in open(p)]
		# When each flow surely sent (wall clock), from the flow view: from the end of the first
		# interval that counted it to the start of the last one.
		sending = {}
		for iv in load(flow_path):
		    for r in iv["top"]:
		        k = flow_key(r)
		        start, end = iv["time"] - iv["interval"], iv["time"]
		        sending[k] = (sending.get(k, (end, 0))[0], start)
	EOF
}

# check_got: the rest: the view's intervals, their rows and rates against those.
check_got() {
	cat <<-'EOF'
		errors = []
		ivs = load(path)
		if len(ivs) != COUNT:
		    errors.append("%d intervals, want %d" % (len(ivs), COUNT))
		got = {}  # key -> [packets, bytes]
		for i, iv in enumerate(ivs):
		    rows = {key(r): r for r in iv["top"]}
		    for what in ("packets", "bytes"):
		        s = sum(r[what] for r in iv["top"])
		        if s != iv[what]:
		            errors.append("interval %d: rows sum to %d %s, total says %d" %
		                          (i, s, what, iv[what]))
		        rate = iv[what] / iv["interval"]
		        # printed to 0.1, the interval to 1 us
		        if abs(iv[what + "_per_s"] - rate) > 0.051 + rate * 1e-6:
		            errors.append("interval %d: %s_per_s %s, want %.1f" %
		                          (i, what, iv[what + "_per_s"], rate))
		    if (iv["groups"] != len(iv["top"]) or
		            iv["active_flows"] != sum(r["flows"] for r in iv["top"])):
		        errors.append("interval %d: groups %d, active %d, rows %s" %
		                      (i, iv["groups"], iv["active_flows"], iv["top"]))
		    for k, r in rows.items():
		        if k not in want:
		            errors.append("interval %d: unexpected row %s" % (i, r))
		            continue
		        g = got.setdefault(k, [0, 0])
		        g[0] += r["packets"]
		        g[1] += r["bytes"]
		for k, (pk, by, pps, flows) in want.items():
		    if got.get(k) != [pk, by]:
		        errors.append("%s: counted %s, sent [%d, %d]" % (k, got.get(k), pk, by))
		    if any(f not in sending for f in flows):
		        errors.append("%s: the flow view does not show all of %s" % (k, flows))
		        continue
		    t0 = max(sending[f][0] for f in flows)
		    t1 = min(sending[f][1] for f in flows)
		    steady = [i for i, iv in enumerate(ivs)
		              if t0 <= iv["time"] - iv["interval"] and iv["time"] <= t1]
		    if not steady:
		        errors.append("%s: no interval while all of %s sent (%.3f-%.3f)" %
		                      (k, flows, t0, t1))
		    for i in steady:
		        r = next((r for r in ivs[i]["top"] if key(r) == k), None)
		        if r is None:
		            errors.append("interval %d: no row %s" % (i, k))
		            continue
		        bps = by / pk * pps
		        if (abs(r["packets_per_s"] - pps) > 0.1 * pps or
		                abs(r["bytes_per_s"] - bps) > 0.1 * bps):
		            errors.append("interval %d: %s at %.1f pps %.1f B/s, sent %d pps %.1f B/s" %
		                          (i, k, r["packets_per_s"], r["bytes_per_s"], pps, bps))
		        if r["flows"] != len(flows):
		            errors.append("interval %d: %s groups %d flows, want %d" %
		                          (i, k, r["flows"], len(flows)))
		        lead = (F1, F2)[view == "pkts"]  # the heavier by bytes, by packets
		        if view in ("flow", "pkts") and k == lead and key(ivs[i]["top"][0]) != lead:
		            errors.append("interval %d: first row %s, want %s" %
		                          (i, key(ivs[i]["top"][0]), lead))
		print("\n".join(errors) or "ok")
		sys.exit(1 if errors else 0)
	EOF
}

# check VIEW: the JSON lines of one view against the senders.
check() {
	t_check "top $1: exact totals, consistent intervals, rates within 10%" "$PY" - "$1" \
		"$E2E_WORK/top-$1.out" \
		"$E2E_WORK/top-flow.out" "$N1" "$N2" "$N3" "$COUNT" < <(check_want; check_got)
}
for v in flow pkts src dst conv proto; do check "$v"; done

# tflow stops under a running top: it says so and exits 1
top_bg stops --json
wait_for 5 has_map "${E2E_BG[top-stops]}" || die "top stops: opened the cache"
exporter_stop
wait_pid "${E2E_BG[top-stops]}" 5
t_eq "top: exits 1 when tflow stops" "$WAIT_RC" 1
t_check "top: says tflow stopped" grep -q 'tflow_flows is gone: tflow stopped' \
	"$E2E_WORK/top-stops.err"

# no tflow: `ip netns exec` has a bpffs of its own, without the pins; a missing --pin-dir
nsb "$TFLOW" top --once >"$E2E_WORK/none.out" 2>"$E2E_WORK/none.err"
t_eq "no tflow running: exit status 1" "$?" 1
t_check "no tflow running: says so" grep -q 'no tflow is running with this pin directory' \
	"$E2E_WORK/none.err"
"$TFLOW" top --once --pin-dir "/sys/fs/bpf/tflow-e2e-none-$$" 2>"$E2E_WORK/none2.err"
t_eq "missing --pin-dir: exit status 1" "$?" 1
t_check "missing --pin-dir: names it" grep -q "tflow-e2e-none-$$/tflow_flows does not exist" \
	"$E2E_WORK/none2.err"
"$TFLOW" top --by nothing 2>/dev/null
t_eq "bad --by: exit status 2" "$?" 2
t_finish
