#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_fault_iface.sh - one of two watched interfaces goes down and up, is renamed, and is
# deleted while tflow runs and traffic flows on the other.
#
# Two veth pairs: va/vb (10.77.0.0/24) and vc/vd (10.78.0.0/24); tflow on vb and vd (and vdx, so
# vd stays selected once renamed; test_iface_match covers a rename out of the selection), NetFlow v5
# to nfcapd, timeouts long enough that every flow is exported once, at exit. UDP is sprayed
# through vb for 5 s (10 flows, 200 packets/s) while vd goes through:
#   P1 traffic (5 x 100 bytes to port 5001) - vd down, 0.5 s, up - P2 traffic (6 x 100 to 5002)
#   - vd down, renamed vdx, up - P3 traffic (7 x 100 to 5003) - vdx deleted.
# Every vd phase sends from its own source port, only while vd is up; va and vc are captured.
# Pass:
#   - tflow is running after each fault, and exits 0 on SIGTERM at the end;
#   - the records of 10.77.0.0/24 equal the capture on va exactly (one record per flow, vb's
#     ifindex): the other interface was counted throughout;
#   - the records of 10.78.0.0/24 equal the capture on vc exactly (one record per flow, vd's
#     ifindex): vd was counted before the faults, after down/up and after the rename, and the
#     flows of the deleted interface still in the cache were exported;
#   - after exit, vb has no XDP program and no clsact qdisc (tflow created it).
# tflow's log is printed for the record.
. "$(dirname "$0")/lib.sh"

need root ip tc ethtool tcpdump nfcapd nfdump ss tflow scapy
need_tflow_exporter
topo_create
IP_C=10.78.0.1
IP_D=10.78.0.2
topo_add_link vc vd "$IP_C" "$IP_D"
MAC_C=$(nsa cat /sys/class/net/vc/address)
MAC_D=$(nsb cat /sys/class/net/vd/address)
IFINDEX_D=$(nsb cat /sys/class/net/vd/ifindex)
collector_start
exporter_start --interfaces vb,vd,vdx --target "127.0.0.1:$COLLECTOR_PORT,version=5" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s
udp_sink udp-sink $(seq 5001 5010) || exit 1

alive() {
	if kill -0 "$EXPORTER_PID" 2>/dev/null; then
		t_ok "tflow still running after $1"
	else
		t_fail "tflow still running after $1" "$(tail -20 "$E2E_WORK/tflow.log")"
	fi
}

# vd_up NAME: bring vd (under NAME) up again, restore the static neighbours (a device going down
# flushes even permanent entries) and wait until the link carries traffic.
vd_up() {
	nsb ip link set "$1" up || die "fault: $1 up"
	nsb ip neigh replace "$IP_C" lladdr "$MAC_C" dev "$1" nud permanent || die "fault: neigh $1"
	nsa ip neigh replace "$IP_D" lladdr "$MAC_D" dev vc nud permanent || die "fault: neigh vc"
	wait_for 5 grep -qx 1 <(nsb cat "/sys/class/net/$1/carrier") || die "fault: $1 has no carrier"
}

capture_start
capture_start vc vc "$NS_A"
bg_start spray "$NS_A" "$PY" "$E2E_DIR/traffic.py" udp-spray "$IP_B" 5001 10 64 --rate 200 \
	--duration 5 --sport 40000
t_check "traffic P1 on vd" traffic "$NS_A" udp-send "$IP_D" 5001:5:100 --sport 41001
sleep 0.3
nsb ip link set vd down || die "fault: vd down"
sleep 0.5
alive "vd went down"
vd_up vd
alive "vd came up again"
t_check "traffic P2 on vd after down/up" traffic "$NS_A" udp-send "$IP_D" 5002:6:100 --sport 41002
sleep 0.3
nsb ip link set vd down || die "fault: vd down for the rename"
nsb ip link set vd name vdx || die "fault: rename vd to vdx"
vd_up vdx
alive "vd was renamed vdx"
t_check "traffic P3 on vdx after the rename" traffic "$NS_A" udp-send "$IP_D" 5003:7:100 \
	--sport 41003
sleep 0.3
capture_stop vc # vc goes away with its peer
nsb ip link del vdx || die "fault: delete vdx"
sleep 0.5
alive "vdx was deleted"
wait_pid "${E2E_BG[spray]}" 15
t_eq "traffic: udp spray through vb exits 0" "$WAIT_RC" 0
alive "the spray through vb ended"
capture_stop
exporter_stop
collector_stop
log "tflow's log:"
sed 's/^/#   /' "$E2E_WORK/tflow.log" >&2
t_eq "after exit: no XDP left on vb" "$(xdp_state "$NS_B" vb)" none
t_check "after exit: no clsact qdisc left on vb" eval "! has_clsact $NS_B vb"

sent=$(sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p' "$E2E_WORK/spray.log")
oracle_table
t_eq "oracle va: 10 flows, the $sent datagrams sprayed, 92 bytes each" \
	"$(table_count "$E2E_WORK/oracle.tsv") $(oracle_flow 17 "$IP_A" 40000 "$IP_B" '*' |
		cut -d' ' -f1,2)" "10 ${sent:-?} $((${sent:-0} * 92))"
"$PY" "$E2E_DIR/flows.py" pcap "$E2E_WORK/vc.pcap" --observer-mac "$MAC_D" >"$E2E_WORK/vc.tsv" ||
	die "oracle: flows.py pcap vc.pcap failed"
t_eq "oracle vc: P1, P2, P3 = 5, 6, 7 x (100+28) and nothing else" \
	"$(table_count "$E2E_WORK/vc.tsv") $(table_flow "$E2E_WORK/vc.tsv" 17 "$IP_C" 41001 "$IP_D" 5001 |
		cut -d' ' -f1,2) $(table_flow "$E2E_WORK/vc.tsv" 17 "$IP_C" 41002 "$IP_D" 5002 |
		cut -d' ' -f1,2) $(table_flow "$E2E_WORK/vc.tsv" 17 "$IP_C" 41003 "$IP_D" 5003 |
		cut -d' ' -f1,2)" "3 5 640 6 768 7 896"

# nfdump's records, split by link
nfdump -R "$COLLECTOR_DIR" -o csv -N 'net 10.77.0.0/24' >"$E2E_WORK/nf-vb.csv" ||
	die "nfdump failed"
nfdump -R "$COLLECTOR_DIR" -o csv -N 'net 10.78.0.0/24' >"$E2E_WORK/nf-vd.csv" ||
	die "nfdump failed"
t_check "vb, counted throughout: its records equal the capture on va" \
	"$PY" "$E2E_DIR/flows.py" compare --pcap "$CAPTURE_PCAP" --observer-mac "$MAC_B" \
	--observer-ifindex "$IFINDEX_B" --nfdump-csv "$E2E_WORK/nf-vb.csv" --one-record-per-flow
t_check "vd (down/up, renamed, deleted): its records equal the capture on vc" \
	"$PY" "$E2E_DIR/flows.py" compare --pcap "$E2E_WORK/vc.pcap" --observer-mac "$MAC_D" \
	--observer-ifindex "$IFINDEX_D" --nfdump-csv "$E2E_WORK/nf-vd.csv" --one-record-per-flow
t_finish
