#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_privileges.sh - least privilege: once attached tflow keeps CAP_BPF and CAP_NET_ADMIN only,
# can run as an unprivileged user, keeps its pins private, and reads nothing from the network.
#
# Pass: /proc shows exactly those two capabilities (effective, permitted, bounding) and
# no_new_privs; with --user nobody the process runs as nobody and still counts exactly, exits 0,
# detaches and removes its pins (the directory goes too, or stays empty, logged: see
# check_pins_gone); pins are mode 0600 in a 0700 directory; a datagram sent to tflow's export
# socket is never queued for it. In a bpffs whose root is mode 0700 (systemd's /sys/fs/bpf), tflow
# as nobody still removes every pin at exit, the maps are freed and it logs why the empty
# directory stays. The test runs in a private mount namespace with a bpffs of its own
# (pins_private); the second one is mounted in a namespace of its own below that.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ping ss tflow scapy nsenter
pins_private # its /sys/fs/bpf: a bpffs of its own, root mode 0700 (systemd's, tflow's)
topo_create
collector_start

WANT=0000008000001000 # bits 12 (CAP_NET_ADMIN) and 39 (CAP_BPF)
PIN_DIR=/sys/fs/bpf/tflow-e2e-priv-$$
status() { grep "^$1:" "/proc/$EXPORTER_PID/status" | awk '{print $2}'; }

capture_start
tflow_launch tflow nsenter --net="/run/netns/$NS_B" "$TFLOW" run --interfaces "$IF_B" \
	--pin-dir "$PIN_DIR" --user nobody --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
	--target "127.0.0.1:$((COLLECTOR_PORT + 100)),version=5" --inactive-flow-timeout 1s ||
	die "exporter: tflow started" "$TFLOW_WHY"
EXPORTER_PID=$TFLOW_PID
t_eq "CapEff: CAP_BPF and CAP_NET_ADMIN only" "$(status CapEff)" "$WANT"
t_eq "CapPrm: the same" "$(status CapPrm)" "$WANT"
t_eq "CapBnd: nothing else can come back" "$(status CapBnd)" "$WANT"
t_eq "NoNewPrivs set" "$(status NoNewPrivs)" 1
t_eq "runs as nobody" "$(status Uid | cut -f1)" "$(id -u nobody)"
t_eq "pin directory mode 0700" "$(stat -c %a "$PIN_DIR")" 700
t_eq "pins mode 0600" "$(stat -c %a "$PIN_DIR"/tflow_* | sort -u)" 600

# The second target's socket: its peer port is free, so a socket bound there is exactly the
# peer tflow connected to. What it sends back must never be queued: tflow reads nothing.
PEER=$((COLLECTOR_PORT + 100))
# ss -Hunp: Recv-Q Send-Q Local:Port Peer:Port Process
sock_line() { nsb ss -Hunp | awk -v p="pid=$EXPORTER_PID," -v peer=":$PEER" \
	'index($0, p) && substr($4, length($4) - length(peer) + 1) == peer'; }
sport=$(sock_line | awk '{split($3, a, ":"); print a[2]}')
t_check "export socket to :$PEER found (port $sport)" test -n "$sport"
nsb "$PY" -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
s.bind(('127.0.0.1', $PEER)); [s.sendto(b'x' * 100, ('127.0.0.1', $sport)) for _ in range(10)]"
sleep 0.2
t_eq "nothing the collector's address sends is queued for tflow" "$(sock_line | awk '{print $1}')" 0

t_check "traffic: ping 5" nsa ping -c 5 -i 0.2 -q "$IP_B"
sleep 0.3
capture_stop
kill -TERM "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 30
t_eq "exits 0 as nobody" "$WAIT_RC" 0
check_pins_gone "pins removed as nobody (the directory gone, or empty and logged)" "$PIN_DIR" \
	"$E2E_WORK/tflow.log"
t_check "XDP detached as nobody" sh -c "! ip -n $NS_B link show dev $IF_B | grep -q xdp"
collector_stop
check_flows "nfdump equals the capture when running as nobody"

# A bpffs root of mode 0700, as systemd mounts /sys/fs/bpf (and as tflow mounts it when nothing
# is mounted): nobody cannot reach its pin directory by path. A fresh bpffs mounted so, in a
# private mount namespace held by a sleeping process, stands for it.
BPFFS=$E2E_WORK/bpffs
mkdir "$BPFFS" || die "setup: mkdir $BPFFS"
unshare -m --propagation private sleep 600 &
MNT_PID=$!
E2E_PIDS+=($!)
wait_for 5 sh -c "[ \"\$(readlink /proc/$MNT_PID/ns/mnt)\" != \"\$(readlink /proc/self/ns/mnt)\" ]" ||
	die "setup: private mount namespace"
mns() { nsenter -t "$MNT_PID" -m "$@"; }
mns mount -t bpf bpf "$BPFFS" -o mode=0700 || die "setup: bpffs mode 0700 on $BPFFS"
t_eq "0700 bpffs: mounted root-only" "$(mns stat -c '%a %U' "$BPFFS")" "1700 root"
tflow_launch tflow2 nsenter -t "$MNT_PID" -m --net="/run/netns/$NS_B" "$TFLOW" run \
	--interfaces "$IF_B" --pin-dir "$BPFFS/tflow" --user nobody ||
	die "0700 bpffs: tflow started" "$TFLOW_WHY"
EXPORTER_PID=$TFLOW_PID
t_eq "0700 bpffs: runs as nobody" "$(status Uid | cut -f1)" "$(id -u nobody)"
# The maps tflow holds: they must be freed once it has gone.
MAP_IDS=$(sed -n 's/^map_id:[[:space:]]*//p' /proc/"$EXPORTER_PID"/fdinfo/* | sort -un)
t_check "0700 bpffs: pins made" mns test -e "$BPFFS/tflow/tflow_flows"
t_check "0700 bpffs: traffic: ping 3" nsa ping -c 3 -i 0.2 -q "$IP_B"
kill -TERM "$EXPORTER_PID"
wait_pid "$EXPORTER_PID" 30
t_eq "0700 bpffs: exits 0 as nobody" "$WAIT_RC" 0
t_eq "0700 bpffs: every pin removed as nobody" "$(mns ls -A "$BPFFS/tflow" 2>&1)" ""
# maps_left: the ids of MAP_IDS the kernel still has. A map goes once its last reference does,
# and a program's references go after an RCU grace period (its free is deferred): allow 5 s.
maps_left() {
	left=""
	for id in $MAP_IDS; do bpftool map show id "$id" >/dev/null 2>&1 && left="$left $id"; done
	[ -z "$left" ]
}
wait_for 5 maps_left
t_eq "0700 bpffs: the maps are freed ($(echo $MAP_IDS | wc -w) maps)" "$left" ""
# Removing the directory takes write access to the bpffs root, which nobody has not.
t_check "0700 bpffs: tflow says why the empty pin directory stays" \
	grep -q "the empty pin directory $BPFFS/tflow stays" "$E2E_WORK/tflow2.log"
t_check "0700 bpffs: XDP detached as nobody" sh -c "! ip -n $NS_B link show dev $IF_B | grep -q xdp"
t_finish
