#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_restart.sh - the cache survives a restart (SIGUSR1) and a crash (SIGKILL) of tflow.
#
# Three tflow runs in a row share pinned maps while traffic flows without a pause: the first exits
# with SIGUSR1 (programs stay attached, counting), the second is killed with SIGKILL, the third
# takes over and ends with SIGTERM. Active timeout 1s, so deltas were exported before each switch.
# Pass: nfdump's totals equal the capture exactly, flow by flow: nothing counted before a switch
# is lost or exported twice, and the pins are gone at the end.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy nsenter
pins_private # the pins outlive a run
topo_create
collector_start
udp_sink udp-sink 5001 || exit 1

# ip netns exec would give tflow a private bpffs that dies with it; pins must outlive a run.
PIN_DIR=/sys/fs/bpf/tflow-e2e-$$

RUN=0
tflow_start() {
	RUN=$((RUN + 1))
	tflow_launch "tflow$RUN" nsenter --net="/run/netns/$NS_B" "$TFLOW" run --interfaces "$IF_B" \
		--pin-dir "$PIN_DIR" --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
		--active-flow-timeout 1s --inactive-flow-timeout 1s --scan-interval 250ms ||
		die "run $RUN: tflow started" "$TFLOW_WHY"
	EXPORTER_PID=$TFLOW_PID
	t_ok "run $RUN: tflow running$(grep -q resumed "$E2E_WORK/tflow$RUN.log" && echo ', resumed')"
}

capture_start
tflow_start
# ~8 s of traffic in the background while tflow is switched twice.
traffic "$NS_A" udp-send "$IP_B" 5001:160:100 --sport 40001 --gap 0.05 >"$E2E_WORK/udp.out" &
UDP_PID=$!
nsa ping -c 80 -i 0.1 -s 56 -q "$IP_B" >"$E2E_WORK/ping.out" &
PING_PID=$!

sleep 2.5
kill -USR1 "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 10
t_eq "run 1: exits 0 on SIGUSR1" "$WAIT_RC" 0
t_check "run 1: XDP still attached after SIGUSR1" sh -c "ip -n $NS_B link show dev $IF_B | grep -q xdp"
t_check "run 1: pins kept" test -e "$PIN_DIR/tflow_flows"
sleep 1 # nobody reads the cache now; the datapath keeps counting
tflow_start
t_check "run 2: resumed the cache" grep -q resumed "$E2E_WORK/tflow2.log"
sleep 2
kill -KILL "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 10
sleep 0.5
tflow_start
t_check "run 3: resumed the cache after a crash" grep -q resumed "$E2E_WORK/tflow3.log"
wait_pid "$UDP_PID" 30
wait_pid "$PING_PID" 30
sleep 0.5
kill -TERM "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 30
t_eq "run 3: exits 0 on SIGTERM" "$WAIT_RC" 0
capture_stop
collector_stop
t_check "pins removed at the end" test ! -e "$PIN_DIR/tflow_flows"
t_check "XDP detached at the end" sh -c "! ip -n $NS_B link show dev $IF_B | grep -q xdp"

oracle_table
t_eq "oracle: udp 160 x 128 bytes" "$(oracle_flow 17 "$IP_A" 40001 "$IP_B" 5001)" "160 20480 16000"
t_eq "oracle: 80 echo requests" "$(oracle_flow 1 "$IP_A" 0 "$IP_B" 2048 | cut -d' ' -f1)" 80
nfdump_table
read -r pkts _ _ records <<<"$(table_flow "$E2E_WORK/nfdump.tsv" 17 "$IP_A" 40001 "$IP_B" 5001)"
t_check "nfdump: the long flow was exported in several deltas ($records)" test "$records" -ge 4
check_flows "nfdump totals equal the capture across a restart and a crash"
t_finish
