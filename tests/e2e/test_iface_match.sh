#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_iface_match.sh - interface selection: patterns, lists, late interfaces, per-interface
# direction on a gateway.
#
# Part 1, the gateway ($NS_A -- vb [$NS_B] vc -- $NS_C, lib.sh's gw_create): tflow selects
# interfaces=GW, a list holding vb and vc, with --direction ingress, IPFIX to nfcapd. UDP
# round trips (udp-ping/udp-echo) and a TCP transfer from $NS_A to $NS_C through the gateway, in
# three phases, each reached by a SIGHUP reload of the file:
#   P1  no entry: ingress (the long option)       -> XDP on vb and vc, no tc filter
#   P2  interface add interface=v* direction=egress -> tc egress on both, XDP detached
#   P3  then interface add interface=GW direction=ingress (the last match wins) -> XDP again
# Pass: the hooks are exactly those of each phase, and the collector's flows equal the capture on
# va exactly, flow by flow: each forwarded packet counted once, at the ingress interface (vb for
# $NS_A -> $NS_C, vc for the replies) in P1 and P3, at the egress interface in P2 (flowDirection
# and ifindex checked per phase). A capture on vd shows the gateway forwarded every packet.
#
# Part 2, late interfaces: a second tflow selects ppp*,vlan1?,UPLINKS (a list holding up1), none
# of which exists at start. Veth pairs from $NS_A appear in $NS_B as ppp0, ppp1, up1 and vlan123.
# Pass: ppp0, ppp1 and up1 are attached as they appear, vlan123 never; UDP round trips over each
# are exported exactly (5 on ppp0, 6 on ppp1, 3 on up1, none on vlan123); ppp1 renamed xppp1 is
# detached (7 round trips then are not exported), renamed back to ppp1 it is attached again
# (2 more exported); ppp0 deleted is logged; every attach and detach is logged exactly once;
# nothing is left on the interfaces after exit.
. "$(dirname "$0")/lib.sh"

need root ip tc ethtool tcpdump nfcapd nfdump ss tflow scapy
need_tflow_exporter
gw_create

# nf_dirs CSV PORT: "src>dst ingress in IFINDEX" or "src>dst egress out IFINDEX" for each record
# of nfdump csv CSV from or to PORT, sorted and unique, on one line.
nf_dirs() {
	awk -F, -v p="$2" 'NR > 1 && NF > 20 && ($6 == p || $7 == p) {
		print $4 ">" $5, ($23 == 1 ? "egress out " $17 : "ingress in " $16) }' "$1" |
		sort -u | paste -sd' '
}

# hooks NAME...: "NAME:XDP|-:tc|-" for each interface in $NS_B (tflow's programs only).
hooks() {
	local i x t
	for i in "$@"; do
		x=-
		t=-
		case $(xdp_state "$NS_B" "$i") in *tflow_xdp) x=XDP ;; esac
		tc_bpf_filters "$NS_B" "$i" egress | grep -q tflow_tc_egress && t=tc
		printf '%s:%s:%s ' "$i" "$x" "$t"
	done
}

# ---------------------------------------------------------------- part 1: directions on a gateway

conf=$E2E_WORK/gw.rsc
printf '/interface list add name=GW\n/interface list member add interface=vb list=GW
/interface list member add interface=vc list=GW\n' >"$conf"
collector_start 2055 nf-gw
bg_start udp-echo "$NS_C" "$PY" "$E2E_DIR/traffic.py" udp-echo 7000
bg_wait_line udp-echo '^ready' 10 || exit 1
for p in 6001 6002 6003; do
	bg_start "tcp-$p" "$NS_C" "$PY" "$E2E_DIR/traffic.py" tcp-server "$p" 30000
	bg_wait_line "tcp-$p" '^ready' 10 || exit 1
done
capture_start
capture_start vd "$IF_D" "$NS_C"
exporter_start --config "$conf" --interfaces GW --direction ingress \
	--target "127.0.0.1:2055,version=IPFIX" --inactive-flow-timeout 60s --scan-interval 250ms
gwlog=$E2E_WORK/tflow-gw.log

# phase N SPORT ROUNDS: UDP round trips from SPORT and a TCP transfer to port 600N.
phase() {
	t_check "P$1: $3 UDP round trips through the gateway" traffic "$NS_A" udp-ping "$IP_D" 7000 \
		"$3" 200 --sport "$2"
	t_check "P$1: TCP, 8000 bytes up, 30000 down" traffic "$NS_A" tcp-client "$IP_D" \
		"600$1" 8000 30000
}

# reload N WANT_LOG_LINES: SIGHUP, then wait for the lines saying both interfaces changed.
reload() {
	local n=$1
	shift
	kill -HUP "$EXPORTER_PID"
	wait_for 10 grep -qF "$1" "$E2E_WORK/tflow.log" && wait_for 10 grep -qF "$2" "$E2E_WORK/tflow.log"
	t_check "P$n: reload changed both interfaces' direction" grep -qF "$2" "$E2E_WORK/tflow.log"
}

t_eq "P1: direction ingress: XDP on vb and vc, no tc filter" "$(hooks vb vc)" \
	"vb:XDP:- vc:XDP:- "
phase 1 41001 50
printf '/ip traffic-flow interface add interface=v* direction=egress\n' >>"$conf"
reload 2 "vb: direction ingress -> egress (tc egress; direction egress)" \
	"vc: direction ingress -> egress (tc egress; direction egress)"
t_eq "P2: v* egress: tc on vb and vc, XDP detached" "$(hooks vb vc)" "vb:-:tc vc:-:tc "
phase 2 41002 40
printf '/ip traffic-flow interface add interface=GW direction=ingress\n' >>"$conf"
reload 3 "vb: direction egress -> ingress (XDP native; direction ingress)" \
	"vc: direction egress -> ingress (XDP native; direction ingress)"
t_eq "P3: GW ingress after v* egress, the last match wins: XDP, no tc" "$(hooks vb vc)" \
	"vb:XDP:- vc:XDP:- "
phase 3 41003 30
capture_stop vd
capture_stop
exporter_stop
mv "$E2E_WORK/tflow.log" "$gwlog"
collector_stop nf-gw
t_eq "after exit: nothing of tflow's on vb and vc" "$(hooks vb vc)" "vb:-:- vc:-:- "
t_eq "after exit: no clsact qdisc left" "$(has_clsact "$NS_B" vb || has_clsact "$NS_B" vc || echo none)" \
	none

"$PY" "$E2E_DIR/flows.py" pcap "$E2E_WORK/oracle.pcap" >"$E2E_WORK/va.tsv" || die "flows.py pcap va"
"$PY" "$E2E_DIR/flows.py" pcap "$E2E_WORK/vd.pcap" >"$E2E_WORK/vd.tsv" || die "flows.py pcap vd"
t_check "oracle: the gateway forwarded every packet (captures on va and vd agree)" \
	diff "$E2E_WORK/va.tsv" "$E2E_WORK/vd.tsv"
t_eq "oracle: UDP round trips of P1, P2, P3 (packets each way)" \
	"$(table_flow "$E2E_WORK/va.tsv" 17 "$IP_A" '*' "$IP_D" 7000 | cut -d' ' -f1) \
$(table_flow "$E2E_WORK/va.tsv" 17 "$IP_D" 7000 "$IP_A" '*' | cut -d' ' -f1)" "120 120"
csv=$E2E_WORK/nfdump-gw.csv
nfdump_csv "${COLL_DIR[nf-gw]}" >"$csv" || die "nfdump failed"
t_check "collector: every flow equals the capture, each packet counted once" \
	"$PY" "$E2E_DIR/flows.py" compare --pcap "$E2E_WORK/oracle.pcap" --nfdump-csv "$csv"
ing="$IP_A>$IP_D ingress in $IFINDEX_B $IP_D>$IP_A ingress in $IFINDEX_C"
egr="$IP_A>$IP_D egress out $IFINDEX_C $IP_D>$IP_A egress out $IFINDEX_B"
for p in "1 41001 6001 $ing" "2 41002 6002 $egr" "3 41003 6003 $ing"; do
	read -r n sport tport want <<<"$p"
	t_eq "P$n: UDP records carry the phase's direction and interface" \
		"$(nf_dirs "$csv" "$sport")" "$want"
	t_eq "P$n: TCP records carry the phase's direction and interface" \
		"$(nf_dirs "$csv" "$tport")" "$want"
done

# ---------------------------------------------------------------- part 2: late interfaces

conf=$E2E_WORK/late.rsc
printf '/interface list\nadd name=UPLINKS\n/interface list member\nadd interface=up1 list=UPLINKS\n' \
	>"$conf"
collector_start 2056 nf-late
bg_start udp-echo-b "$NS_B" "$PY" "$E2E_DIR/traffic.py" udp-echo 7000
bg_wait_line udp-echo-b '^ready' 10 || exit 1
exporter_start --config "$conf" --interfaces 'ppp*,vlan1?,UPLINKS' \
	--target "127.0.0.1:2056,version=IPFIX" --inactive-flow-timeout 60s --scan-interval 250ms
log=$E2E_WORK/tflow.log
t_check "start: running on 0 interfaces" grep -q "running on 0 interface(s)" "$log"
t_check "start: ppp* matches nothing yet (logged)" grep -qF "'ppp*' matches no interface yet" "$log"
t_check "start: UPLINKS matches nothing yet (logged)" grep -qF "'UPLINKS' matches no interface yet" \
	"$log"

# the links: NS_A's end pN, NS_B's end (the name tflow sees), 10.80.N.1 <-> 10.80.N.2
topo_add_link p0 ppp0 10.80.0.1 10.80.0.2
topo_add_link p1 ppp1 10.80.1.1 10.80.1.2
topo_add_link p9 up1 10.80.9.1 10.80.9.2
topo_add_link p3 vlan123 10.80.3.1 10.80.3.2
for i in ppp0 ppp1 up1; do
	wait_for 5 grep -q "$i: attached" "$log"
	t_check "$i attached when it appeared" grep -q "$i: attached (XDP native, tc egress)" "$log"
done
t_eq "hooks: ppp0, ppp1 and up1 have XDP and tc, vlan123 (vlan1? is 6 characters) none" \
	"$(hooks ppp0 ppp1 up1 vlan123)" "ppp0:XDP:tc ppp1:XDP:tc up1:XDP:tc vlan123:-:- "

ping_udp() { traffic "$NS_A" udp-ping "$1" 7000 "$2" 100 --sport "$3"; }
t_check "traffic: 5 UDP round trips over ppp0" ping_udp 10.80.0.2 5 42000
t_check "traffic: 6 UDP round trips over ppp1" ping_udp 10.80.1.2 6 42001
t_check "traffic: 3 UDP round trips over up1" ping_udp 10.80.9.2 3 42009
t_check "traffic: 4 UDP round trips over vlan123" ping_udp 10.80.3.2 4 42003

# link_up NAME PEER IP_NS_B IP_NS_A: up again, the static neighbours restored (down flushes them)
link_up() {
	nsb ip link set "$1" up || die "$1 up"
	nsb ip neigh replace "$4" lladdr "$(nsa cat "/sys/class/net/$2/address")" dev "$1" \
		nud permanent || die "neigh on $1"
	nsa ip neigh replace "$3" lladdr "$(nsb cat "/sys/class/net/$1/address")" dev "$2" \
		nud permanent || die "neigh on $2"
	wait_for 5 grep -qx 1 <(nsb cat "/sys/class/net/$1/carrier") || die "$1 has no carrier"
}

nsb ip link set ppp1 down
nsb ip link set ppp1 name xppp1 || die "rename ppp1 xppp1"
wait_for 5 grep -q "renamed to xppp1" "$log"
t_check "ppp1 renamed xppp1: detached, logged" \
	grep -q "ppp1: renamed to xppp1, which interfaces= does not select: detached" "$log"
link_up xppp1 p1 10.80.1.2 10.80.1.1
t_eq "hooks: nothing on xppp1, and no clsact qdisc" \
	"$(hooks xppp1)$(has_clsact "$NS_B" xppp1 && echo clsact)" "xppp1:-:- "
t_check "traffic: 7 UDP round trips over xppp1 (not selected)" ping_udp 10.80.1.2 7 42011
nsb ip link set xppp1 down
nsb ip link set xppp1 name ppp1 || die "rename xppp1 ppp1"
wait_for 5 test "$(grep -c "ppp1: attached" "$log")" = 2
link_up ppp1 p1 10.80.1.2 10.80.1.1
t_eq "renamed back to ppp1: attached again" "$(hooks ppp1)" "ppp1:XDP:tc "
t_check "traffic: 2 UDP round trips over ppp1 again" ping_udp 10.80.1.2 2 42021
nsb ip link del ppp0 || die "delete ppp0"
wait_for 5 grep -q "ppp0: deleted" "$log"
t_check "ppp0 deleted: logged" grep -q "ppp0: deleted; its flows stay in the cache" "$log"
t_check "tflow still runs" kill -0 "$EXPORTER_PID"
sleep 0.3
exporter_stop
collector_stop nf-late
t_eq "attach and detach logged once each: ppp0 ppp1 up1 vlan123 attached, ppp1 detached" \
	"$(grep -c 'ppp0: attached' "$log") $(grep -c 'ppp1: attached' "$log") \
$(grep -c 'up1: attached' "$log") $(grep -c 'vlan123: attached' "$log") $(grep -c 'detached' "$log")" \
	"1 2 1 0 1"
t_eq "after exit: nothing of tflow's left" "$(hooks ppp1 up1)$(has_clsact "$NS_B" ppp1 && echo ppp1)" \
	"ppp1:-:- up1:-:- "

nfdump_table "${COLL_DIR[nf-late]}" "$E2E_WORK/late.tsv"
got() { table_flow "$E2E_WORK/late.tsv" 17 "$1" "$2" "$3" "$4" | cut -d' ' -f1,2; }
for f in "ppp0 10.80.0 42000 5" "ppp1 10.80.1 42001 6" "xppp1 10.80.1 42011 0" \
	"ppp1-again 10.80.1 42021 2" "up1 10.80.9 42009 3" "vlan123 10.80.3 42003 0"; do
	read -r name net sport n <<<"$f"
	t_eq "$name: $n round trips exported (packets bytes, each way)" \
		"$(got "$net.1" "$sport" "$net.2" 7000) $(got "$net.2" 7000 "$net.1" "$sport")" \
		"$n $((n * 128)) $n $((n * 128))"
done
t_finish
