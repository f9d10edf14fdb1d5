# SPDX-License-Identifier: GPL-2.0-only
# lib/traffic.sh - e2e helpers: traffic.py in a namespace, UDP sink, dual-stack traffic and oracle.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

# ---------------------------------------------------------------- traffic

# traffic.py in a namespace: traffic NS SUBCOMMAND ARGS...
traffic() {
	local ns=$1
	shift
	ip netns exec "$ns" "$PY" "$E2E_DIR/traffic.py" "$@"
}

# udp_sink NAME PORT...: a UDP sink in $NS_B (so UDP draws no ICMP port unreachable).
udp_sink() {
	local name=$1
	shift
	bg_start "$name" "$NS_B" "$PY" "$E2E_DIR/traffic.py" udp-sink "$@"
	bg_wait_line "$name" '^ready' 10
}

# ---------------------------------------------------------------- dual-stack traffic (TOPO_IPV6=1)

# dual_stack_servers: in $NS_B, a UDP sink on 5001-5003 and 5006 and TCP servers on 6000 (replies
# 20000 bytes) and 6001 (replies 10000 bytes), all on both families.
dual_stack_servers() {
	udp_sink udp-sink 5001 5002 5003 5006 || exit 1
	bg_start tcp-server4 "$NS_B" "$PY" "$E2E_DIR/traffic.py" tcp-server 6000 20000
	bg_start tcp-server6 "$NS_B" "$PY" "$E2E_DIR/traffic.py" tcp-server 6001 10000
	bg_wait_line tcp-server4 '^ready' 10 || exit 1
	bg_wait_line tcp-server6 '^ready' 10 || exit 1
}

# dual_stack_traffic: the same script over both families from $NS_A, then IPv6 with extension
# headers; every count below is asserted by dual_stack_oracle.
#   UDP from port 40000: 10 x 64 bytes to 5001, 3 x 1400 to 5002, 2 x 2000 to 5003 (each one IP
#   fragmented in two: the first fragment carries the ports, the second has ports 0)
#   ICMP echo: 5 x 100 bytes (IPv4), ICMPv6 echo: 4 x 200 bytes; the replies come back
#   TCP: 5000 bytes up, 20000 down over IPv4 (port 6000); 3000 up, 10000 down over IPv6 (6001)
#   IPv6 extension headers: 3 MLDv2 reports (hop-by-hop), 2 neighbour solicitations, 2 UDP
#   datagrams with a destination options header (traffic.py ipv6-ext)
dual_stack_traffic() {
	local ip
	for ip in "$IP_A $IP_B" "$IP6_A $IP6_B"; do
		set -- $ip
		t_check "traffic: udp sent to $2" traffic "$NS_A" udp-send "$2" 5001:10:64 \
			5002:3:1400 5003:2:2000 --sport 40000
	done
	t_check "traffic: ping 5 echo requests, 5 replies" nsa ping -c 5 -s 100 -i 0.2 -W 2 -q "$IP_B"
	t_check "traffic: ping -6 4 echo requests, 4 replies" nsa ping -6 -c 4 -s 200 -i 0.2 -W 2 -q \
		"$IP6_B"
	t_check "traffic: tcp over IPv4, 5000 bytes up, 20000 down" traffic "$NS_A" tcp-client \
		"$IP_B" 6000 5000 20000
	t_check "traffic: tcp over IPv6, 3000 bytes up, 10000 down" traffic "$NS_A" tcp-client \
		"$IP6_B" 6001 3000 10000
	t_check "traffic: IPv6 extension headers (MLD, ND, destination options)" traffic "$NS_A" \
		ipv6-ext "$IF_A" "$MAC_B" "$IP6_A" "$IP6_B" 5006
	wait_pid "${E2E_BG[tcp-server4]}" 10
	wait_pid "${E2E_BG[tcp-server6]}" 10
}

# oracle_frag SRC DST DPORT: "first_fragments second_fragments bytes_of_both" of UDP datagrams
# from port 40000 that were IP fragmented in two.
oracle_frag() {
	local f s
	f=$(oracle_flow 17 "$1" 40000 "$2" "$3")
	s=$(oracle_flow 17 "$1" 0 "$2" 0)
	echo "${f%% *} ${s%% *} $(($(echo "$f" | cut -d' ' -f2) + $(echo "$s" | cut -d' ' -f2)))"
}

# dual_stack_oracle [EXTRA]: the capture holds exactly what dual_stack_traffic sent (counts
# computed from the script; IP fragment sizes are the kernel's, so fragmented datagrams are checked
# by their sum), and EXTRA more flows that the test sent and checks itself.
dual_stack_oracle() {
	oracle_table
	local o=$E2E_WORK/oracle.tsv up down extra=${1:-0}
	t_eq "oracle: udp 5001 = 10 x (64+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5001)" \
		"10 920 640"
	t_eq "oracle: udp 5002 = 3 x (1400+28)" "$(oracle_flow 17 "$IP_A" 40000 "$IP_B" 5002)" \
		"3 4284 4200"
	t_eq "oracle: udp 5003 = 2 x 2000 fragmented: 2 first fragments (ports), 2 second (ports 0)" \
		"$(oracle_frag "$IP_A" "$IP_B" 5003)" "2 2 $((2 * (2008 + 2 * 20)))"
	t_eq "oracle: udp6 5001 = 10 x (64+48)" "$(oracle_flow 17 "$IP6_A" 40000 "$IP6_B" 5001)" \
		"10 1120 640"
	t_eq "oracle: udp6 5002 = 3 x (1400+48)" "$(oracle_flow 17 "$IP6_A" 40000 "$IP6_B" 5002)" \
		"3 4344 4200"
	t_eq "oracle: udp6 5003 = 2 x 2000 fragmented: 2 first fragments (ports), 2 second (ports 0)" \
		"$(oracle_frag "$IP6_A" "$IP6_B" 5003)" "2 2 $((2 * (2008 + 2 * 48)))"
	t_eq "oracle: 5 echo requests of 128 bytes (dport 8*256)" \
		"$(oracle_flow 1 "$IP_A" 0 "$IP_B" 2048)" "5 640 540"
	t_eq "oracle: 5 echo replies of 128 bytes (dport 0)" "$(oracle_flow 1 "$IP_B" 0 "$IP_A" 0)" \
		"5 640 540"
	t_eq "oracle: 4 ICMPv6 echo requests of 248 bytes (dport 128*256)" \
		"$(oracle_flow 58 "$IP6_A" 0 "$IP6_B" 32768)" "4 992 832"
	t_eq "oracle: 4 ICMPv6 echo replies of 248 bytes (dport 129*256)" \
		"$(oracle_flow 58 "$IP6_B" 0 "$IP6_A" 33024)" "4 992 832"
	t_eq "oracle: 3 MLDv2 reports behind a hop-by-hop header (dport 143*256), 76 bytes" \
		"$(oracle_flow 58 "$IP6_A" 0 ff02::16 36608)" "3 228 84"
	t_eq "oracle: 2 neighbour solicitations (dport 135*256), 72 bytes" \
		"$(oracle_flow 58 "$IP6_A" 0 ff02::1:ff00:2 34560)" "2 144 64"
	t_eq "oracle: 2 udp6 behind a destination options header, 156 bytes" \
		"$(oracle_flow 17 "$IP6_A" 40006 "$IP6_B" 5006)" "2 312 200"
	read -r up _ <<<"$(oracle_flow 6 "$IP_A" '*' "$IP_B" 6000 | cut -d' ' -f3)"
	read -r down _ <<<"$(oracle_flow 6 "$IP_B" 6000 "$IP_A" '*' | cut -d' ' -f3)"
	t_eq "oracle: tcp payload over IPv4, up and down" "$up $down" "5000 20000"
	read -r up _ <<<"$(oracle_flow 6 "$IP6_A" '*' "$IP6_B" 6001 | cut -d' ' -f3)"
	read -r down _ <<<"$(oracle_flow 6 "$IP6_B" 6001 "$IP6_A" '*' | cut -d' ' -f3)"
	t_eq "oracle: tcp payload over IPv6, up and down" "$up $down" "3000 10000"
	t_eq "oracle: 19 flows${1:+ and $extra more}, nothing else crossed the link" \
		"$(table_count "$o")" $((19 + extra))
}

# nfdump_icmp_checks [DIR]: nfdump shows each ICMP and ICMPv6 flow of dual_stack_traffic with the
# type and code that were sent (its csv prints them as the destination port type*256 + code;
# `-o extended` as "T.C"): packets of each flow found under its type.code.
nfdump_icmp_checks() {
	local t=$E2E_WORK/nfdump-icmp.tsv k got=""
	nfdump_table "${1:-$COLLECTOR_DIR}" "$t"
	t_eq "nfdump: ICMP echo request as 8.0 (dp 2048), echo reply as 0.0 (packets)" \
		"$(table_flow "$t" 1 "$IP_A" 0 "$IP_B" 2048 | cut -d' ' -f1) \
$(table_flow "$t" 1 "$IP_B" 0 "$IP_A" 0 | cut -d' ' -f1)" "5 5"
	for k in "$IP6_A 0 $IP6_B 32768" "$IP6_B 0 $IP6_A 33024" "$IP6_A 0 ff02::16 36608" \
		"$IP6_A 0 ff02::1:ff00:2 34560"; do
		got="$got $(table_flow "$t" 58 $k | cut -d' ' -f1)"
	done
	t_eq "nfdump: ICMPv6 echo request 128.0, reply 129.0, MLD report 143.0, NS 135.0 (packets)" \
		"${got# }" "4 4 3 2"
}
