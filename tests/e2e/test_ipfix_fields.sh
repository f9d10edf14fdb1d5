#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_ipfix_fields.sh - the `/ip traffic-flow ipfix` field selection on the wire: the fewest
# fields, then every field (the default), each to a v9 and an IPFIX target.
#
# Run 1: --ipfix with only bytes, packets, src-address and dst-address on (every other field
# off); UDP and ICMP over both families. Run 2: every field (no --ipfix): the whole scripted
# dual-stack traffic (dual_stack_traffic). Run 3: the fewest fields from a configuration file,
# 5 UDP packets (exported at the 1 s inactive timeout), then the file says every field and tflow
# gets SIGHUP, then 5 more UDP packets to another port. Each run exports v9 and IPFIX to an nfcapd
# each, and the export datagrams are captured on lo.
# Pass, for each run and format:
#   - tshark decodes every datagram as cflow, none malformed, no expert warning or error;
#   - tshark's templates are exactly the selected elements, in tflow's documented order, with
#     their lengths (flow templates 256/257; in run 2 also the NAT event templates 259/260), and
#     every data record carries exactly its template's elements, each decoded by tshark under its
#     own field name (ipfix_fields.py lists them); options template 261 (interface names) and its
#     records exactly when in- or out-interface is selected (runs 2, and 3 after the
#     SIGHUP), each record an ifindex and a name;
#   - the elements tflow computes itself hold the right values in every record: ipVersion,
#     isMulticast (0x02 for the MLD reports to ff02::16, 0 otherwise), ICMP type and code
#     (176-179, 32, 139) equal to the record's destination port, systemInitTimeMilliseconds the same
#     in every record and as the IPFIX options record announces. Fields another part of tflow fills (MACs, TCP header fields,
#     masks, gateway, NAT) are checked for presence and decoding only here;
#   - nfdump reads the flows exactly: run 2 flow by flow against the capture (one record per flow,
#     flowDirection); run 1, which sends neither ports nor protocol, as packets and bytes per
#     source and destination address;
#   - flows.py's stream rules (sequence numbers, templates first, sampling 1:0, mtu 1500);
#   - run 3: the datagrams before the SIGHUP hold the fewest-field templates and records only; the
#     first datagram after it carries the every-field templates, and every record after it decodes
#     by them (tshark sees a record before its new template as the old layout: caught above);
#     nfdump holds the first 5 packets without ports and the last 5 with them, exactly.
TOPO_IPV6=1
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump tshark nfcapd nfdump ping ss tflow scapy
need_tflow_exporter
topo_create
dual_stack_servers

# Element ids in template order (doc/formats.md: "Fields and information elements").
MIN_IPFIX4=8,12,2,1,60,61,136
MIN_IPFIX6=27,28,2,1,60,61,136
MIN_V94=8,12,2,1,60,61
MIN_V96=27,28,2,1,60,61
CLASSIC4=8,12,7,11,4,5,6,10,14,2,1
CLASSIC6=27,28,7,11,4,5,6,10,14,2,1
ALL_IPFIX4=$CLASSIC4,152,153,32,60,61,192,136,184,185,186,176,177,33,56,80,9,13,189,224,206,160,15,225,226,227,228,205
ALL_IPFIX6=$CLASSIC6,152,153,139,60,61,192,136,184,185,186,178,179,56,80,29,30,189,224,31,206,160,62,281,282,227,228,205
ALL_V94=$CLASSIC4,22,21,32,60,61,192,184,185,186,176,177,33,56,80,9,13,189,224,206,160,15,225,226,227,228,205
ALL_V96=$CLASSIC6,22,21,32,60,61,192,184,185,186,178,179,56,80,29,30,189,224,31,206,160,62,281,282,227,228,205
NAT4=323,230,4,8,12,7,11,225,226,227,228
NAT6=323,230,4,27,28,7,11,281,282,227,228

# run_start NAME V9_PORT IPFIX_PORT TFLOW_OPTIONS...: an nfcapd per format, the export capture,
# tflow and the oracle capture; the caller sends the traffic, then run_stop stops them all.
run_start() {
	RUN=$1
	collector_start "$3" "$RUN-ipfix"
	collector_start "$2" "$RUN-v9"
	capture_start "export-$RUN" lo "$NS_B" udp port "$2" or udp port "$3"
	exporter_start --target "127.0.0.1:$2,version=9" --target "127.0.0.1:$3,version=IPFIX" \
		--active-flow-timeout 30m --inactive-flow-timeout 60s "${@:4}"
	capture_start
}

run_stop() {
	capture_stop
	exporter_stop
	capture_stop "export-$RUN"
	collector_stop "$RUN-v9"
	collector_stop "$RUN-ipfix"
}

# check_decode PORT VERSION TEMPLATES...: tshark's view of the export to PORT of this run, checked
# by ipfix_fields.py; TEMPLATES are ID=ELEMENTS (data templates only). With AFTER=T (epoch
# seconds) only the datagrams from T on count (tshark still reads the earlier ones, templates
# included); with BEFORE=T, those before T. RECORDS=IDS: the templates that must have records
# (default 256 and 257).
check_decode() {
	local port=$1 version=$2 x=$E2E_WORK/export-$RUN.pcap after=${AFTER-} before=${BEFORE-}
	local RECORDS=${RECORDS-}
	local part=${after:+ from $after}${before:+ before $before} y="udp.dstport == $1" json
	local opt=258
	shift 2
	# in- or out-interface selected (10 or 14 in template 256): interface names, template 261
	case ",$(printf '%s\n' "$@" | sed -n 's/^256=//p')," in *,10,* | *,14,*) opt=258,261 ;; esac
	y="$y${after:+ && frame.time_epoch >= $after}${before:+ && frame.time_epoch < $before}"
	json=$E2E_WORK/tshark-$RUN-$port${after:+-after}${before:+-before}.json
	[ -z "$after" ] &&
		t_check "$RUN: tshark decodes every datagram to $port, no malformed, no expert warning" \
		bash -c "n=\$(tshark -n -r '$x' -d udp.port==$port,cflow -Y 'udp.dstport == $port' 2>/dev/null | grep -c .)
			m=\$(tshark -n -r '$x' -d udp.port==$port,cflow -Y 'udp.dstport == $port && (cflow.version == 9 || cflow.version == 10) && !_ws.malformed && !(_ws.expert.severity >= 0x600000)' 2>/dev/null | grep -c .)
			echo \"\$n datagrams, \$m clean\"; [ \"\$n\" -gt 0 ] && [ \"\$n\" = \"\$m\" ]"
	tshark -n -r "$x" -d "udp.port==$port,cflow" -Y "$y" -T json --no-duplicate-keys \
		>"$json" 2>/dev/null
	t_check "$RUN: v$version to $port$part: templates and records are exactly the selected elements" \
		"$PY" "$E2E_DIR/ipfix_fields.py" ${RECORDS:+--records "$RECORDS"} "$json" "$version" "$@"
	[ -n "$after$before" ] && return
	check_export "$RUN: v$version to $port: stream rules (sequence, templates, sampling, mtu)" \
		"$x" "$port" "$version" --mtu 1500 --refresh 20 --sampling 1:0 \
		--templates "$(printf '%s\n' "$@" | cut -d= -f1 | paste -sd,)" --options-templates "$opt"
}

# ---------------------------------------------------------------- run 1: the fewest fields

off=$(for f in src-port dst-port protocol tos ttl tcp-flags tcp-seq-num tcp-ack-num \
	tcp-window-size icmp-type icmp-code igmp-type in-interface out-interface src-mac-address \
	dst-mac-address src-address-mask dst-address-mask ip-header-length ip-total-length \
	ipv6-flow-label is-multicast first-forwarded last-forwarded sys-init-time gateway \
	nat-src-address nat-dst-address nat-src-port nat-dst-port nat-events udp-length; do
	printf '%s=no,' "$f"; done)
run_start min 2055 2056 --ipfix "${off%,},bytes=yes,packets=yes,src-address=yes,dst-address=yes"
for ip in "$IP_A $IP_B" "$IP6_A $IP6_B"; do
	set -- $ip
	t_check "min: traffic: udp sent to $2" traffic "$NS_A" udp-send "$2" 5001:10:64 5002:3:1400 \
		--sport 40000
done
t_check "min: traffic: ping 3 echo requests, 3 replies" nsa ping -c 3 -s 100 -i 0.2 -W 2 -q "$IP_B"
t_check "min: traffic: ping -6 2 echo requests, 2 replies" nsa ping -6 -c 2 -s 200 -i 0.2 -W 2 -q \
	"$IP6_B"
run_stop

check_decode 2055 9 256=$MIN_V94 257=$MIN_V96
check_decode 2056 10 256=$MIN_IPFIX4 257=$MIN_IPFIX6
# No ports or protocol in the records: compare packets and bytes per address pair.
flows_pcap >"$E2E_WORK/min-oracle.tsv" || die "oracle: flows.py pcap failed"
by_addr() { awk -F'\t' '/^[0-9]/ { p[$2 " " $4] += $7; b[$2 " " $4] += $8 }
	END { for (k in p) print k, p[k], b[k] }' "$1" | sort; }
t_eq "min: the capture: 4 address pairs (udp and ping, both families, both ways)" \
	"$(by_addr "$E2E_WORK/min-oracle.tsv" | grep -c .)" 4
for c in v9 ipfix; do
	nfdump_table "${COLL_DIR[min-$c]}" "$E2E_WORK/min-nfdump-$c.tsv"
	t_eq "min: nfdump ($c): packets and bytes per address pair equal the capture" \
		"$(by_addr "$E2E_WORK/min-nfdump-$c.tsv")" "$(by_addr "$E2E_WORK/min-oracle.tsv")"
done

# ---------------------------------------------------------------- run 2: every field

run_start all 2057 2058
dual_stack_traffic
run_stop
dual_stack_oracle

check_decode 2057 9 256=$ALL_V94 257=$ALL_V96 259=$NAT4 260=$NAT6
check_decode 2058 10 256=$ALL_IPFIX4 257=$ALL_IPFIX6 259=$NAT4 260=$NAT6
for c in v9 ipfix; do
	check_flows_in "${COLL_DIR[all-$c]}" "all: nfdump ($c) records equal the capture, flow by flow" \
		--one-record-per-flow --check-direction
done
nfdump_icmp_checks "${COLL_DIR[all-v9]}"

# ---------------------------------------------------------------- run 3: SIGHUP to every field

CONF=$E2E_WORK/fields.rsc
printf '/ip traffic-flow ipfix set %s\n' "$(echo "${off%,}" | tr , ' ')" >"$CONF"
run_start hup 2059 2060 --config "$CONF" --inactive-flow-timeout 1s --active-flow-timeout 1m
t_check "hup: traffic: 5 udp to 5001" traffic "$NS_A" udp-send "$IP_B" 5001:5:64 --sport 41000
exported() { tshark -n -r "$E2E_WORK/export-hup.pcap" -d udp.port==2060,cflow \
	-Y 'cflow.flowset_id == 256' 2>/dev/null | grep -q .; }
wait_for 5 exported || t_fail "hup: the first flow exported before SIGHUP"
: >"$CONF" # every field: the default
HUP_T=$(date +%s.%N)
kill -HUP "$EXPORTER_PID"
wait_for 5 grep -q 'configuration reloaded' "$E2E_WORK/tflow.log" ||
	t_fail "hup: tflow reloads" "$(tail -5 "$E2E_WORK/tflow.log")"
t_check "hup: traffic: 5 udp to 5002" traffic "$NS_A" udp-send "$IP_B" 5002:5:64 --sport 41000
sleep 2.5 # the inactive timeout, then a scan
run_stop
for p in "2059 9 $MIN_V94 $MIN_V96 $ALL_V94 $ALL_V96" \
	"2060 10 $MIN_IPFIX4 $MIN_IPFIX6 $ALL_IPFIX4 $ALL_IPFIX6"; do
	set -- $p
	RECORDS=256 BEFORE=$HUP_T check_decode "$1" "$2" 256="$3" 257="$4"
	RECORDS=256 AFTER=$HUP_T check_decode "$1" "$2" 256="$5" 257="$6" 259=$NAT4 260=$NAT6
	t_eq "hup: to $1: the first datagram after SIGHUP carries the templates" \
		"$(tshark -n -r "$E2E_WORK/export-hup.pcap" -d "udp.port==$1,cflow" -T fields \
			-e cflow.template_id -Y "udp.dstport == $1 && frame.time_epoch >= $HUP_T" \
			2>/dev/null | head -1)" "256,257,259,260,258,261"
done
for c in v9 ipfix; do
	nfdump_table "${COLL_DIR[hup-$c]}" "$E2E_WORK/hup-nfdump-$c.tsv"
	t_eq "hup: nfdump ($c): 5 packets without ports before SIGHUP, 5 with them after" \
		"$(awk -F'\t' '/^[0-9]/ { print $1, $2, $3, $4, $5, $7, $8 }' \
			"$E2E_WORK/hup-nfdump-$c.tsv" | sort)" \
		"0 $IP_A 0 $IP_B 0 5 460
17 $IP_A 41000 $IP_B 5002 5 460"
done
t_finish
