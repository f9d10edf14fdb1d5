#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_flowtable.sh - offloaded software paths: packets that skip netfilter's forward hook are
# still counted by tflow, exactly.
#
# A gateway namespace forwards between two namespaces ($NS_A -- vb [$NS_B] vc -- $NS_C, lib.sh's
# gw_create); tflow runs on vb and vc (both directions), IPFIX to nfcapd. Each scenario loads an
# nftables ruleset whose forward chain ends in a rule with a counter: what a netfilter-based
# exporter (ipt_NETFLOW, ulogd) would see. Then 1000 UDP round trips and a TCP transfer (200000
# bytes up, 500000 down) cross the gateway.
#   flowtable  table inet f { flowtable ft { hook ingress priority 0; devices = { vb, vc }; }
#              chain forward { ... ip protocol { tcp, udp } flow add @ft; counter } }: once
#              conntrack has seen a reply, the flow is offloaded and its packets are forwarded by
#              the flowtable's ingress hook. Needs a kernel with CONFIG_NF_FLOW_TABLE (and
#              nf_flow_table_inet); without it the scenario is skipped, saying so.
#   netdev-fwd table netdev: `fwd ip to ... device ...` in an ingress chain of each interface, the
#              fast path a flowtable is built on (ingress hook, neighbour output) without conntrack;
#              every packet skips the forward chain.
#   routed     the forward chain with its counter only, the control: every packet is routed
#              through the forward hook, so the counter must equal the packets sent.
# Pass, per scenario:
#   - the gateway forwarded every packet: the captures on va and vd agree;
#   - the forward chain's counter saw less than a tenth of the packets (the flowtable: only the
#     first packets of each connection and TCP's FIN/RST; netdev-fwd: none; routed: all of them),
#     and for the flowtable conntrack -L shows the connections [OFFLOAD];
#   - the collector's ingress records (XDP) equal the capture on va exactly, flow by flow, and so
#     do its egress records (tc): every packet counted once on each side.
# The numbers of each run are printed (tests/README.md, "Offloaded paths").
. "$(dirname "$0")/lib.sh"

need root ip tc ethtool tcpdump nfcapd nfdump ss nft conntrack tflow scapy
need_tflow_exporter
gw_create
bg_start udp-echo "$NS_C" "$PY" "$E2E_DIR/traffic.py" udp-echo 7000
bg_wait_line udp-echo '^ready' 10 || exit 1

FLOWTABLE='table inet f {
	flowtable ft {
		hook ingress priority 0; devices = { vb, vc };
	}
	chain forward {
		type filter hook forward priority 0;
		ip protocol { tcp, udp } flow add @ft
		counter
	}
}'
NETDEV_FWD='table netdev fp {
	chain vb_in {
		type filter hook ingress device "vb" priority 0;
		ip daddr 10.78.0.0/24 fwd ip to 10.78.0.2 device "vc"
	}
	chain vc_in {
		type filter hook ingress device "vc" priority 0;
		ip daddr 10.77.0.0/24 fwd ip to 10.77.0.1 device "vb"
	}
}
table inet f {
	chain forward {
		type filter hook forward priority 0;
		counter
	}
}'

ROUTED='table inet f {
	chain forward {
		type filter hook forward priority 0;
		counter
	}
}'

# nf_split CSV DIR OUT: the header and the records of flowDirection DIR (0 ingress, 1 egress).
nf_split() {
	awk -F, -v d="$2" 'NR == 1 || (NF > 20 && $23 == d)' "$1" >"$3"
}

# fwd_counter: packets the forward chain's counter saw.
fwd_counter() {
	nsb nft list chain inet f forward | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -1
}

# scenario NAME PORT RULESET
scenario() {
	local name=$1 port=$2 ruleset=$3 err n_tcp csv fwd sent
	nsb nft flush ruleset
	if ! err=$(nsb nft -f - <<<"$ruleset" 2>&1); then
		if [ "$name" = flowtable ] && grep -q "No such file or directory" <<<"$err"; then
			t_skip "$name" "this kernel has no nftables flowtable (CONFIG_NF_FLOW_TABLE): $(
				head -1 <<<"$err")"
			return
		fi
		t_fail "$name: nft -f loads the ruleset" "$err"
		return
	fi
	t_ok "$name: ruleset loaded"
	n_tcp=${E2E_TCP_PORT:-6000}
	E2E_TCP_PORT=$((n_tcp + 1))
	bg_start "tcp-$name" "$NS_C" "$PY" "$E2E_DIR/traffic.py" tcp-server "$n_tcp" 500000
	bg_wait_line "tcp-$name" '^ready' 10 || return
	collector_start "$port" "nf-$name"
	capture_start "va-$name" "$IF_A" "$NS_A"
	capture_start "vd-$name" "$IF_D" "$NS_C"
	exporter_start --interfaces vb,vc --target "127.0.0.1:$port,version=IPFIX" \
		--inactive-flow-timeout 60s --scan-interval 250ms
	t_check "$name: 1000 UDP round trips" traffic "$NS_A" udp-ping "$IP_D" 7000 1000 200 \
		--sport 40000
	if [ "$name" = flowtable ]; then
		t_check "$name: conntrack shows the UDP flow [OFFLOAD]" \
			sh -c "ip netns exec $NS_B conntrack -L -p udp 2>/dev/null | grep -q OFFLOAD"
	fi
	t_check "$name: TCP, 200000 bytes up, 500000 down" traffic "$NS_A" tcp-client "$IP_D" \
		"$n_tcp" 200000 500000
	fwd=$(fwd_counter)
	capture_stop "vd-$name"
	capture_stop "va-$name"
	exporter_stop
	mv "$E2E_WORK/tflow.log" "$E2E_WORK/tflow-$name.log"
	collector_stop "nf-$name"

	"$PY" "$E2E_DIR/flows.py" pcap "$E2E_WORK/va-$name.pcap" >"$E2E_WORK/va-$name.tsv" ||
		die "flows.py pcap va-$name"
	"$PY" "$E2E_DIR/flows.py" pcap "$E2E_WORK/vd-$name.pcap" >"$E2E_WORK/vd-$name.tsv" ||
		die "flows.py pcap vd-$name"
	t_check "$name: the gateway forwarded every packet (captures on va and vd agree)" \
		diff "$E2E_WORK/va-$name.tsv" "$E2E_WORK/vd-$name.tsv"
	sent=$(sed -n 's/^total\tflows [0-9]*\tpackets \([0-9]*\)\tbytes \([0-9]*\).*/\1 \2/p' \
		"$E2E_WORK/va-$name.tsv")
	if [ "$name" = routed ]; then
		t_eq "$name: the forward chain saw every packet" "${fwd:-?}" "${sent%% *}"
	else
		t_check "$name: the forward chain saw ${fwd:-?} of ${sent%% *} packets (less than a tenth)" \
			test "${fwd:-x}" -ge 0 -a "$((${fwd:-0} * 10))" -lt "${sent%% *}"
	fi
	csv=$E2E_WORK/nfdump-$name.csv
	nfdump_csv "${COLL_DIR[nf-$name]}" >"$csv" || die "nfdump failed"
	nf_split "$csv" 0 "$E2E_WORK/in-$name.csv"
	nf_split "$csv" 1 "$E2E_WORK/out-$name.csv"
	t_check "$name: ingress records (XDP) equal the capture exactly" \
		"$PY" "$E2E_DIR/flows.py" compare --pcap "$E2E_WORK/va-$name.pcap" \
		--nfdump-csv "$E2E_WORK/in-$name.csv"
	t_check "$name: egress records (tc) equal the capture exactly" \
		"$PY" "$E2E_DIR/flows.py" compare --pcap "$E2E_WORK/va-$name.pcap" \
		--nfdump-csv "$E2E_WORK/out-$name.csv"
	log "$name: sent (capture on va) ${sent% *} packets ${sent#* } bytes; nft forward chain" \
		"counter ${fwd:-?} packets; tflow ingress $(awk -F, 'NR > 1 { p += $12; b += $13 }
		END { print p + 0, "packets", b + 0, "bytes" }' "$E2E_WORK/in-$name.csv"), egress" \
		"$(awk -F, 'NR > 1 { p += $12; b += $13 } END { print p + 0, "packets", b + 0, "bytes" }' \
			"$E2E_WORK/out-$name.csv")"
}

scenario routed 2054 "$ROUTED"
scenario flowtable 2055 "$FLOWTABLE"
scenario netdev-fwd 2056 "$NETDEV_FWD"
t_finish
