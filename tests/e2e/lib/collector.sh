# SPDX-License-Identifier: GPL-2.0-only
# lib/collector.sh - e2e helpers: the collectors, nfcapd (read with nfdump) and pmacct nfacctd.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

# ---------------------------------------------------------------- collector (nfcapd)

# collector_start [PORT [NAME [ADDRESS]]]: nfcapd in $NS_B on ADDRESS (127.0.0.1; an IPv6
# address makes it listen with -6):PORT writing $E2E_WORK/nf (NAME nfcapd, the default) or
# $E2E_WORK/NAME; its log is $E2E_WORK/NAME.log. Several may run at once under different names;
# COLLECTOR_PORT and COLLECTOR_DIR are those of the last one started. `-s -1` turns off nfcapd's
# scaling of counters by the exporter's announced sampling rate: nfdump shows the counts exactly
# as exported.
collector_start() {
	local name=${2:-nfcapd} bind=${3:-127.0.0.1} fam=()
	COLLECTOR_PORT=${1:-$COLLECTOR_PORT}
	COLLECTOR_DIR=$E2E_WORK/nf
	[ "$name" = nfcapd ] || COLLECTOR_DIR=$E2E_WORK/$name
	case $bind in *:*) fam=(-6) ;; esac
	COLL_DIR[$name]=$COLLECTOR_DIR
	mkdir -p "$COLLECTOR_DIR"
	# -B: a flush of thousands of flows arrives as one burst of datagrams
	bg_start "$name" "$NS_B" nfcapd "${fam[@]}" -w "$COLLECTOR_DIR" -p "$COLLECTOR_PORT" \
		-b "$bind" -s -1 -B 4194304
	COLLECTOR_PID=${E2E_BG[$name]}
	bg_wait_line "$name" '^Startup' 10 || die "collector: $name did not start"
	[ -n "${COLLECTOR_RCVBUF_ERRORS:-}" ] || COLLECTOR_RCVBUF_ERRORS=$(udp_rcvbuf_errors)
	wait_for 5 collector_bound "$COLLECTOR_PORT" ||
		die "collector: $name not bound to $bind:$COLLECTOR_PORT"
}

# collector_bound [PORT]: a UDP socket in $NS_B is bound to PORT.
collector_bound() { nsb ss -Hnlu "sport = :${1:-$COLLECTOR_PORT}" | grep -q .; }

# udp_rcvbuf_errors: datagrams the kernel dropped in $NS_B because a socket buffer was full.
udp_rcvbuf_errors() {
	nsb cat /proc/net/snmp | awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["RcvbufErrors"] }'
}

# collector_stop [NAME]: SIGTERM makes nfcapd 1.7.1 flush and close its file (nfcapd.current.PID
# is renamed to nfcapd.YYYYMMDDhhmm); only then can nfdump read everything.
collector_stop() {
	local name=${1:-nfcapd} lost=$(($(udp_rcvbuf_errors) - COLLECTOR_RCVBUF_ERRORS))
	[ "$lost" = 0 ] || t_fail "collector: no datagram dropped in $NS_B" \
		"$lost UDP datagrams dropped (socket receive buffer full): the collector missed exports"
	bg_stop "$name"
	ls "${COLL_DIR[$name]}"/nfcapd.current.* >/dev/null 2>&1 &&
		t_fail "collector: $name closed its file" "$(ls -la "${COLL_DIR[$name]}")"
	log "$name: $(grep -E '^Ident' "$E2E_WORK/$name.log" | tail -1)"
}

# nfdump_csv [DIR]: every record a collector stored (default: the last one started), nfdump's csv
# with plain numbers.
nfdump_csv() { nfdump -R "${1:-$COLLECTOR_DIR}" -o csv -N; }

# ---------------------------------------------------------------- collector (pmacct nfacctd)

# nfacctd_start NAME PORT: nfacctd in $NS_B on 127.0.0.1:PORT with the print plugin: csv, one row
# per (src_host, dst_host, src_port, dst_port, proto), written every second and appended to
# $E2E_WORK/NAME.csv. Sampling is not renormalized (nfacctd_renormalize false, its default, said
# explicitly), so the counts are those exported.
nfacctd_start() {
	local name=$1 port=$2 conf=$E2E_WORK/$1.conf
	COLL_DIR[$name]=$E2E_WORK/$name.csv
	cat >"$conf" <<-EOF
		daemonize: false
		nfacctd_ip: 127.0.0.1
		nfacctd_port: $port
		nfacctd_renormalize: false
		nfacctd_pipe_size: 4194304
		plugins: print[$name]
		aggregate[$name]: src_host, dst_host, src_port, dst_port, proto
		print_output[$name]: csv
		print_output_file[$name]: ${COLL_DIR[$name]}
		print_output_file_append[$name]: true
		print_refresh_time[$name]: 1
		print_num_protos[$name]: true
	EOF
	bg_start "$name" "$NS_B" nfacctd -f "$conf"
	wait_for 10 collector_bound "$port" || {
		t_fail "collector: $name bound to 127.0.0.1:$port" "$(tail -20 "$E2E_WORK/$name.log")"
		die "collector: $name did not start"
	}
	[ -n "${COLLECTOR_RCVBUF_ERRORS:-}" ] || COLLECTOR_RCVBUF_ERRORS=$(udp_rcvbuf_errors)
}

# nfacctd_stop NAME...: SIGINT, nfacctd's graceful stop: the print plugin writes its cache once
# more and everything exits (about 2 s; all NAMEs at once). nfacctd 1.7.7 ignores SIGTERM.
nfacctd_stop() {
	local name lost=$(($(udp_rcvbuf_errors) - COLLECTOR_RCVBUF_ERRORS))
	[ "$lost" = 0 ] || t_fail "collector: no datagram dropped in $NS_B" \
		"$lost UDP datagrams dropped (socket receive buffer full): the collector missed exports"
	sleep 0.3 # the exporter's last datagrams, just sent, reach the plugin
	for name in "$@"; do kill -INT "${E2E_BG[$name]}" 2>/dev/null; done
	for name in "$@"; do
		if ! wait_pid "${E2E_BG[$name]}" 10; then
			kill -KILL "${E2E_BG[$name]}" 2>/dev/null
			t_fail "collector: $name exits on SIGINT" "$(tail -20 "$E2E_WORK/$name.log")"
		fi
		[ -s "${COLL_DIR[$name]}" ] || t_fail "collector: $name wrote ${COLL_DIR[$name]}" \
			"$(tail -20 "$E2E_WORK/$name.log")"
	done
}

# check_flows_nfacctd NAME CHECK [flows.py compare options]: the csv of nfacctd NAME equals the
# capture's flows, exactly.
check_flows_nfacctd() {
	local name=$1 check=$2
	shift 2
	t_check "$check" "$PY" "$E2E_DIR/flows.py" compare --pcap "$CAPTURE_PCAP" \
		--observer-mac "$MAC_B" --nfacctd-csv "${COLL_DIR[$name]}" $(oracle_opts) "$@"
}
