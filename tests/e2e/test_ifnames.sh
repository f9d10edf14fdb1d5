#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_ifnames.sh - interface names announced in options template 261, v9 and IPFIX, as tshark,
# nfdump and nfacctd read them, while interfaces appear, are renamed and go.
#
# tflow in $NS_B watches vb, 40 more interfaces dm0..dm39 (dm*: veths whose peers dp* stay in
# $NS_B, unwatched) and vz/vzr; vz does not exist at
# start. Targets on lo in $NS_B: v9 and IPFIX to UDP sinks at mtu 1500 (2055, 2056) and mtu 576
# (2057, 2058: 42 names do not fit one datagram), v9 to nfcapd (2059), IPFIX to nfacctd (2060).
# vz appears (a veth to $NS_A) and carries 4 pings, vb 3; vz is renamed vzr and carries 2 more;
# SIGHUP; vzr is deleted; tflow stops. The export datagrams are captured on lo.
# Pass:
#   - tshark decodes every datagram as cflow, none malformed, no expert warning or error;
#   - every (ifindex, interfaceName) pair tshark decodes from template 261 (v9: scope Interface;
#     IPFIX: scope ingressInterface) is an interface's real ifindex and name, to each of the four
#     sink targets: vb and dm0..dm39 from the first scan on, vz once it appears;
#   - vz's ifindex is named vz before the rename and vzr after it, never vz again; vzr is
#     announced within 2 s of the rename (the next scan: 250 ms);
#   - after the SIGHUP (templates again), each of the 42 attached interfaces is named again;
#   - flows.py's stream rules with --ifnames: sequence numbers (IPFIX: the options records
#     counted), templates 256, 257, 259, 260, 258, 261, every name after each template datagram
#     before the next flow record (vzr's only until it is deleted: a deleted interface is no
#     longer named), mtu;
#   - nfdump (v9) and nfacctd (IPFIX), reading the same stream with its 261 records, count the
#     pings exactly: 6 echo requests over vz, 3 over vb.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump tshark nfcapd nfdump nfacctd ping ss tflow scapy
need_tflow_exporter
topo_create
N_DUMMY=40
nsb sysctl -qw net.ipv6.conf.default.disable_ipv6=1 # no ND/MLD flows on the new interfaces
for i in $(seq 0 $((N_DUMMY - 1))); do
	nsb ip link add "dm$i" type veth peer name "dp$i" && nsb ip link set "dm$i" up &&
		nsb ip link set "dp$i" up || die "topology: dm$i"
done
udp_sink sinks 2055 2056 2057 2058 || exit 1
collector_start 2059
nfacctd_start nfacctd-ipfix 2060
# a flush at mtu 576 is a burst of datagrams: a 64 MiB buffer, a snap length that holds one
capture_start export lo "$NS_B" -B 65536 -s 2048 udp portrange 2055-2060
exporter_start --interfaces "vb,vz,vzr,dm*" --target "127.0.0.1:2055,version=9" \
	--target "127.0.0.1:2056,version=IPFIX" --target "127.0.0.1:2057,version=9,mtu=576" \
	--target "127.0.0.1:2058,version=IPFIX,mtu=576" --target "127.0.0.1:2059,version=9" \
	--target "127.0.0.1:2060,version=IPFIX" --inactive-flow-timeout 30s --scan-interval 250ms

ifindex() { nsb cat "/sys/class/net/$1/ifindex"; }
IFX_B=$(ifindex vb)
DUMMIES=""
for i in $(seq 0 $((N_DUMMY - 1))); do DUMMIES+="$(ifindex "dm$i")=dm$i,"; done

nsb ip link add vz type veth peer name vz-peer netns "$NS_A" || die "topology: vz"
nsb ip addr add 10.77.9.2/24 dev vz
nsa ip addr add 10.77.9.1/24 dev vz-peer
nsb ip link set vz up
nsa ip link set vz-peer up
IFX_Z=$(ifindex vz)
wait_for 5 grep -q "vz: attached" "$E2E_WORK/tflow.log"
t_check "vz attached when it appeared" grep -q "vz: attached" "$E2E_WORK/tflow.log"
t_check "traffic: 4 pings over vz" nsa ping -c 4 -i 0.2 -q 10.77.9.2
t_check "traffic: 3 pings over vb" nsa ping -c 3 -i 0.2 -q "$IP_B"
sleep 0.5 # a scan or two: vz's name goes out under its first name

nsb ip link set vz down
# The rename happens between these two instants: before T_REN the name is vz, after T_REN_DONE vzr
# (tflow may announce vzr before `date` runs after the command, on a loaded machine).
T_REN=$(date +%s.%N)
nsb ip link set vz name vzr
T_REN_DONE=$(date +%s.%N)
nsb ip link set vzr up
wait_for 5 grep -q "renamed to vzr" "$E2E_WORK/tflow.log"
t_check "rename logged" grep -q "vz: renamed to vzr" "$E2E_WORK/tflow.log"
t_check "traffic: 2 more pings over the renamed interface" nsa ping -c 2 -i 0.2 -q 10.77.9.2
sleep 0.5
T_HUP=$(date +%s.%N)
kill -HUP "$EXPORTER_PID"
wait_for 5 grep -q "configuration reloaded" "$E2E_WORK/tflow.log"
sleep 0.5
nsb ip link del vzr
wait_for 5 grep -q "vzr: deleted" "$E2E_WORK/tflow.log"
t_check "deletion logged" grep -q "vzr: deleted" "$E2E_WORK/tflow.log"
exporter_stop
capture_stop export
collector_stop
nfacctd_stop nfacctd-ipfix

X=$E2E_WORK/export.pcap
TS=(tshark -n -r "$X")
for p in 2055 2056 2057 2058 2059 2060; do TS+=(-d "udp.port==$p,cflow"); done
n_all=$(tcpdump -r "$X" -n 2>/dev/null | grep -c .)
t_eq "tshark: every captured datagram decodes as cflow (v9 or IPFIX)" \
	"$("${TS[@]}" -Y 'cflow.version == 9 || cflow.version == 10' 2>/dev/null | grep -c .)" "$n_all"
t_check "tshark: no datagram malformed, no expert warning or error" \
	bash -c "! \"\${@}\" -Y '_ws.malformed || _ws.expert.severity >= 0x600000' -V 2>/dev/null |
		grep -E '^Frame [0-9]+:|Malformed|Expert Info \((Warning|Error)'" _ "${TS[@]}"

# Every name tshark decodes from a set of template 261: epoch time, port, ifindex, name.
"${TS[@]}" -V 2>/dev/null | awk '
	/^Frame [0-9]+:/ { in261 = 0 }
	/^    Epoch Time:/ { t = $3 }
	/^User Datagram Protocol/ { port = $NF }
	/^    (FlowSet|Set) [0-9]+ \[id=/ { in261 = $0 ~ /\[id=261\]/ }
	in261 && /^            (ScopeInterface|InputInt): / { idx = $2 }
	in261 && /^            IfName: / { print t, port, idx, $2 }' >"$E2E_WORK/names.txt"
log "tshark: $(wc -l <"$E2E_WORK/names.txt") interface names decoded"
names() { awk -v p="$1" -v a="${2:-0}" -v b="${3:-1e12}" '$2 == p && $1 >= a && $1 < b' \
	"$E2E_WORK/names.txt"; }
REAL="$IFX_B=vb,$DUMMIES$IFX_Z=vz,$IFX_Z=vzr"
# names_real PORT: every pair decoded to PORT is an interface's real ifindex and name ($REAL).
names_real() {
	awk -v port="$1" -v real="$REAL" 'BEGIN { n = split(real, a, ",")
		for (i = 1; i <= n; i++) { split(a[i], kv, "="); ok[kv[1] " " kv[2]] = 1 } }
		$2 == port && !(($3 " " $4) in ok) { print; bad = 1 } END { exit bad }' \
		"$E2E_WORK/names.txt"
}
# named_within PORT IFINDEX NAME T S: PORT got IFINDEX named NAME within S seconds after T.
named_within() {
	names "$1" "$4" | awk -v i="$2" -v n="$3" -v t="$4" -v s="$5" \
		'$3 == i && $4 == n && $1 - t < s { ok = 1 } END { exit !ok }'
}
for p in 2055 2056 2057 2058; do
	t_check "to $p: every name decoded is an interface's own (vb, dm0..dm$((N_DUMMY - 1)), vz/vzr)" \
		names_real "$p"
	t_eq "to $p: vb and the $N_DUMMY dm* named before the rename" \
		"$(names "$p" 0 "$T_REN" | awk -v z="$IFX_Z" '$3 != z { print $3, $4 }' | sort -u | wc -l)" \
		$((N_DUMMY + 1))
	t_eq "to $p: ifindex $IFX_Z named vz before the rename, never vzr" \
		"$(names "$p" 0 "$T_REN" | awk -v z="$IFX_Z" '$3 == z { print $4 }' | sort -u | paste -sd,)" vz
	t_eq "to $p: ifindex $IFX_Z named vzr after the rename, never vz" \
		"$(names "$p" "$T_REN_DONE" | awk -v z="$IFX_Z" '$3 == z { print $4 }' | sort -u |
			paste -sd,)" vzr
	t_check "to $p: vzr announced within 2 s of the rename" named_within "$p" "$IFX_Z" vzr \
		"$T_REN" 2
	t_eq "to $p: after the SIGHUP, every attached interface named again" \
		"$(names "$p" "$T_HUP" | awk '{ print $3, $4 }' | sort -u | wc -l)" $((N_DUMMY + 2))
done
for p in "2055 9 1500" "2056 10 1500" "2057 9 576" "2058 10 576" "2059 9 1500" "2060 10 1500"; do
	set -- $p
	check_export "export to $1: v$2 stream rules, every name before the next flow record" \
		"$X" "$1" "$2" --mtu "$3" --refresh 20 --sampling 1:0 --ifnames "$REAL" \
		--ifnames-gone "$IFX_Z"
done
t_check "the 576-byte targets need more than one datagram for the names" \
	test "$(names 2057 "$T_HUP" | awk '{ print $1 }' | sort -u | wc -l)" -gt 1 \
	-a "$(names 2058 "$T_HUP" | awk '{ print $1 }' | sort -u | wc -l)" -gt 1

flows=$(nfdump -R "$COLLECTOR_DIR" -q -N -o 'fmt:%sa %da %pr %pkt' 2>/dev/null)
got() { echo "$flows" | awk -v s="$1" -v d="$2" '$1 == s && $2 == d && $3 ~ /ICMP|^1$/ {p += $4} END {print p + 0}'; }
t_eq "nfdump (v9): 6 echo requests over vz (4 before, 2 after the rename)" \
	"$(got 10.77.9.1 10.77.9.2)" 6
t_eq "nfdump (v9): 3 echo requests over vb" "$(got "$IP_A" "$IP_B")" 3
"$PY" "$E2E_DIR/flows.py" nfacctd "${COLL_DIR[nfacctd-ipfix]}" >"$E2E_WORK/nfacctd.tsv"
t_eq "nfacctd (IPFIX): 6 echo requests over vz, 3 over vb (packets)" \
	"$(table_flow "$E2E_WORK/nfacctd.tsv" 1 10.77.9.1 '*' 10.77.9.2 '*' | cut -d' ' -f1) \
$(table_flow "$E2E_WORK/nfacctd.tsv" 1 "$IP_A" '*' "$IP_B" '*' | cut -d' ' -f1)" "6 3"
t_finish
