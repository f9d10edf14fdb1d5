# SPDX-License-Identifier: GPL-2.0-only
# lib/oracle.sh - e2e helpers: the oracle capture, flow tables, comparisons, export datagrams.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

# ---------------------------------------------------------------- oracle capture

# capture_start [NAME IF NS [FILTER...]]: tcpdump into $E2E_WORK/NAME.pcap; waits until tcpdump is
# capturing. The default is the oracle: va in $NS_A, no filter (every packet crossing the link
# passes there, both directions). --immediate-mode: without it libpcap holds the packets of a
# partly filled block and tcpdump exits on SIGTERM without writing them.
capture_start() {
	local name=${1:-oracle} ifc=${2:-$IF_A} ns=${3:-$NS_A}
	shift $(($# > 3 ? 3 : $#))
	bg_start "tcpdump-$name" "$ns" tcpdump -i "$ifc" --immediate-mode -U -n -B 8192 \
		-w "$E2E_WORK/$name.pcap" "$@"
	bg_wait_line "tcpdump-$name" 'listening on' 10 || die "capture: tcpdump did not start"
	if [ "$name" = oracle ]; then
		CAPTURE_PCAP=$E2E_WORK/oracle.pcap
		CAPTURE_DROPS_BEFORE=$(veth_drops)
	fi
}

# capture_stop [NAME]: stop tcpdump; its drop counter must be 0, and for the oracle the veth's too.
capture_stop() {
	local name=${1:-oracle} dropped
	sleep 0.5 # let the last packets cross before the capture ends
	bg_stop "tcpdump-$name"
	dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$E2E_WORK/tcpdump-$name.log")
	if [ "${dropped:-x}" != 0 ]; then
		t_fail "capture: tcpdump dropped nothing" "$(cat "$E2E_WORK/tcpdump-$name.log")"
	fi
	if [ "$name" = oracle ]; then
		local d=$(($(veth_drops) - CAPTURE_DROPS_BEFORE))
		[ "$d" = 0 ] || t_fail "capture: veth dropped nothing" "$d packets dropped by the veth"
	fi
}

# ---------------------------------------------------------------- comparison

# The oracle's flow table counts IPv6 in a TOPO_IPV6 test; the comparisons with a collector count
# it when ORACLE_IPV6 is not empty (default: TOPO_IPV6). A v1/v5 test on a dual-stack link sets
# ORACLE_IPV6= so that the collector is compared with the IPv4 flows only (v1/v5 cannot carry
# IPv6: tflow skips those flows for such a target).
oracle_opts() { [ -n "${ORACLE_IPV6-$TOPO_IPV6}" ] && echo --ipv6; }

# flows PCAP: the oracle's flow table (see flows.py).
flows_pcap() {
	"$PY" "$E2E_DIR/flows.py" pcap "${1:-$CAPTURE_PCAP}" --observer-mac "$MAC_B" \
		${TOPO_IPV6:+--ipv6}
}

# check_flows NAME [flows.py compare options]: nfdump's records (of the last collector started)
# equal the capture's flows, exactly, and carry vb's ifindex as input (ingress flows) or output
# (egress flows) interface.
check_flows() { check_flows_in "$COLLECTOR_DIR" "$@"; }

# check_flows_in DIR NAME [flows.py compare options]: the same for the nfcapd files in DIR.
check_flows_in() {
	local dir=$1 name=$2 csv
	shift 2
	csv=$E2E_WORK/nfdump-$(basename "$dir").csv
	[ "$E2E_EXPORTER" = tflow ] && set -- --observer-ifindex "$IFINDEX_B" "$@"
	nfdump_csv "$dir" >"$csv" 2>"$csv.err" ||
		{ t_fail "$name" "nfdump failed: $(cat "$csv.err")"; return 1; }
	t_check "$name" "$PY" "$E2E_DIR/flows.py" compare --pcap "$CAPTURE_PCAP" \
		--observer-mac "$MAC_B" --nfdump-csv "$csv" $(oracle_opts) "$@"
}

# check_flows_export NAME PCAP PORT [flows.py compare options]: the records of the export
# datagrams to PORT captured in PCAP, decoded by flows.py itself, equal the capture's flows.
check_flows_export() {
	local name=$1 pcap=$2 port=$3
	shift 3
	[ "$E2E_EXPORTER" = tflow ] && set -- --observer-ifindex "$IFINDEX_B" "$@"
	t_check "$name" "$PY" "$E2E_DIR/flows.py" compare --pcap "$CAPTURE_PCAP" \
		--observer-mac "$MAC_B" --export-pcap "$pcap" --export-port "$port" $(oracle_opts) "$@"
}

# oracle_table: the capture's flow table in $E2E_WORK/oracle.tsv (for table_flow).
oracle_table() { flows_pcap >"$E2E_WORK/oracle.tsv" || die "oracle: flows.py pcap failed"; }

# nfdump_table [DIR [OUT]]: a collector's records as the same table in OUT ($E2E_WORK/nfdump.tsv).
nfdump_table() {
	local dir=${1:-$COLLECTOR_DIR} out=${2:-$E2E_WORK/nfdump.tsv}
	nfdump_csv "$dir" >"${out%.tsv}.csv" || die "nfdump failed"
	"$PY" "$E2E_DIR/flows.py" nfdump "${out%.tsv}.csv" ${TOPO_IPV6:+--ipv6} >"$out" ||
		die "flows.py nfdump failed"
}

# ---------------------------------------------------------------- flow tables

# table_flow TABLE PROTO SRC SPORT DST DPORT: "packets bytes payload records" summed over the
# table's flows that match; `*` matches any value in a field.
table_flow() {
	awk -v pr="$2" -v sa="$3" -v sp="$4" -v da="$5" -v dp="$6" -F'\t' '
		$1 !~ /^[0-9]+$/ { next }
		(pr == "*" || $1 == pr) && (sa == "*" || $2 == sa) && (sp == "*" || $3 == sp) &&
		(da == "*" || $4 == da) && (dp == "*" || $5 == dp) { p += $7; b += $8; l += $9; r += $10 }
		END { printf "%d %d %d %d\n", p, b, l, r }' "$1"
}

# oracle_flow PROTO SRC SPORT DST DPORT: "packets bytes payload" of the capture (addresses as
# Python's ipaddress prints them: fd77::1).
oracle_flow() { table_flow "$E2E_WORK/oracle.tsv" "$@" | cut -d' ' -f1-3; }

# table_count TABLE: number of flows in a table.
table_count() { grep -c '^[0-9]' "$1"; }

# ---------------------------------------------------------------- export datagrams

# check_export NAME PCAP PORT VERSION [flows.py check-export options]: the export stream to PORT
# in PCAP (a capture on lo in $NS_B) obeys its own rules: every datagram decodes, sequence numbers,
# templates first and refreshed, sampling options, MTU (see flows_stream.py check_export).
check_export() {
	local name=$1 pcap=$2 port=$3 version=$4
	shift 4
	t_check "$name" "$PY" "$E2E_DIR/flows.py" check-export "$pcap" --port "$port" \
		--version "$version" "$@"
}

# export_datagrams PCAP PORT: flows.py's one line per export datagram (n time ip_len family
# version sequence source_id templates options data_records refused error), tab separated.
export_datagrams() { "$PY" "$E2E_DIR/flows.py" datagrams "$1" --port "$2"; }

# check_nfdump_export NAME DIR PCAP PORT FROM [UNTIL]: the nfcapd files in DIR hold exactly the
# records of the export datagrams FROM <= n < UNTIL to PORT in PCAP (flows.py's decoding).
check_nfdump_export() {
	local name=$1 dir=$2 pcap=$3 port=$4 from=$5 until=${6:-} csv
	csv=$E2E_WORK/nfdump-$(basename "$dir").csv
	nfdump_csv "$dir" >"$csv" 2>"$csv.err" ||
		{ t_fail "$name" "nfdump failed: $(cat "$csv.err")"; return 1; }
	t_check "$name" "$PY" "$E2E_DIR/flows.py" compare --want-export-pcap "$pcap" \
		--want-export-port "$port" --want-export-from "$from" ${until:+--want-export-until "$until"} \
		--nfdump-csv "$csv" $(oracle_opts)
}
