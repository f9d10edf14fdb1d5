#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_scan_iter.sh - idle flows leave the cache through each scan this kernel offers: the BPF
# syscall program (the default), the BPF map element iterator (TFLOW_SCAN=iterator; a kernel that
# refuses tracing programs makes that a skip naming the refusal, and its fallback runs), and the
# batched fallback (TFLOW_NO_ITER=1), with exact counters and their first-packet fields.
#
# tflow has no target: finished flows come out as JSON lines while it runs. Each run sends two
# UDP flows, waits until both were exported as idle (inactive-flow-timeout 1s, a scan every
# 250 ms), then stops tflow. Pass, for each scan: the log names the scan used; each flow is
# exported once, as idle, before the stop, with the packets and bytes sent and the frame's MACs,
# UDP and IP lengths; nothing else is exported.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tflow scapy
need_tflow_exporter
topo_create
udp_sink udp-sink 5001 5002 || exit 1

# flow DPORT FIELD...: the fields of the JSON lines of the flow to DPORT, one line per record.
flow() {
	"$PY" - "$E2E_WORK/tflow.out" "$@" <<'EOF'
import json, sys
path, dport, *fields = sys.argv[1:]
for line in open(path):
    r = json.loads(line)
    if (r["src"], r["dst"], r["proto"], r["dport"], r["sport"]) == (
            "10.77.0.1", "10.77.0.2", 17, int(dport), 40001):
        print(" ".join(str(r.get(f, "-")) for f in fields))
EOF
}

idle_both() { [ "$(grep -c '"end":"idle"' "$E2E_WORK/tflow.out")" -ge 2 ]; }

# run_scan NAME LOG_LINE [ENV...]: one tflow run with the scan the log line names.
run_scan() {
	local name=$1 line=$2
	shift 2
	log "$name: ${*:-(default environment)}"
	# exporter_start runs "$TFLOW": a wrapper puts the environment in front of it.
	printf '#!/bin/sh\nexec env %s %q "$@"\n' "$*" "$TFLOW" >"$E2E_WORK/tflow-env"
	chmod +x "$E2E_WORK/tflow-env"
	TFLOW="$E2E_WORK/tflow-env" exporter_start --inactive-flow-timeout 1s --scan-interval 250ms
	t_check "$name: the log says '$line'" grep -q "$line" "$E2E_WORK/tflow.log"
	t_check "$name: traffic" traffic "$NS_A" udp-send "$IP_B" 5001:3:100 5002:5:200 --sport 40001
	wait_for 10 idle_both ||
		t_fail "$name: both flows exported as idle within 10 s" "$(cat "$E2E_WORK/tflow.out")"
	cp "$E2E_WORK/tflow.out" "$E2E_WORK/before-stop.out"
	exporter_stop
	t_eq "$name: nothing exported at the stop" \
		"$(cmp -s "$E2E_WORK/tflow.out" "$E2E_WORK/before-stop.out" && echo same)" same
	local f="packets bytes end src_mac dst_mac udp_len ip_tot_len ip_hdr_len"
	t_eq "$name: 3 x 128 bytes to 5001, idle, with the frame's fields" "$(flow 5001 $f)" \
		"3 384 idle $MAC_A $MAC_B 108 128 20"
	t_eq "$name: 5 x 228 bytes to 5002, idle, with the frame's fields" "$(flow 5002 $f)" \
		"5 1140 idle $MAC_A $MAC_B 208 228 20"
	t_eq "$name: no other record" "$(wc -l <"$E2E_WORK/tflow.out")" 2
	t_eq "$name: no scan failure logged" "$(grep -c "scan failed" "$E2E_WORK/tflow.log")" 0
}

run_scan "in-kernel scan" "cache scan: in the kernel (BPF syscall program"

# The iterator: where the kernel refuses it, tflow says why, and the batched scan takes over.
iter_log=$E2E_WORK/iter-probe.log
printf '#!/bin/sh\nexec env TFLOW_SCAN=iterator %q "$@"\n' "$TFLOW" >"$E2E_WORK/tflow-iter"
chmod +x "$E2E_WORK/tflow-iter"
TFLOW="$E2E_WORK/tflow-iter" exporter_start --inactive-flow-timeout 1s --scan-interval 250ms
cp "$E2E_WORK/tflow.log" "$iter_log"
exporter_stop
if grep -q "cache scan: in the kernel (BPF map element iterator" "$iter_log"; then
	run_scan "map iterator" "cache scan: in the kernel (BPF map element iterator" \
		TFLOW_SCAN=iterator
else
	why=$(sed -n 's/.*cache scan: no BPF map element iterator: //p' "$iter_log" | head -1)
	t_check "map iterator refused: the log says why" test -n "$why"
	t_skip "map iterator: idle flows exported exactly" "BPF map element iterator: $why"
	run_scan "map iterator refused, its fallback" "cache scan: batched map syscalls, one per" \
		TFLOW_SCAN=iterator
fi
run_scan "batched fallback" "cache scan: batched map syscalls (TFLOW_NO_ITER is set)" \
	TFLOW_NO_ITER=1
t_finish
