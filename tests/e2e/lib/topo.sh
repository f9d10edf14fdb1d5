# SPDX-License-Identifier: GPL-2.0-only
# lib/topo.sh - e2e helpers: pins_private, setup and teardown, netns topology, gateway topology.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

# ---------------------------------------------------------------- setup and teardown

# pins_private: run this test in a private mount namespace with a bpffs of its own on /sys/fs/bpf
# (see the top of lib.sh). Call it after `need`, before anything else: it starts the test again
# with exec, same PID (the namespace names carry it), so nothing done before it is kept.
pins_private() {
	if [ "${E2E_PINS_NS:-}" != "$$" ]; then
		[ -z "$E2E_WORK" ] || die "pins_private: called after the test began"
		need root unshare
		# shellcheck disable=SC2093 # exec returns only if it failed
		E2E_PINS_NS=$$ exec unshare --mount --propagation private -- bash "$0" "${E2E_ARGV[@]}"
		die "pins_private: cannot exec unshare"
	fi
	[ "$(readlink /proc/$$/ns/mnt)" != "$(readlink /proc/$PPID/ns/mnt)" ] ||
		die "pins_private: still in the mount namespace of the process that started the test"
	mount -t bpf -o mode=0700 bpf /sys/fs/bpf || die "pins_private: bpffs on /sys/fs/bpf"
	log "pins: a bpffs of this test's own on /sys/fs/bpf, in its private mount namespace"
}

e2e_teardown() {
	local rc=$? pid ns
	trap - EXIT INT TERM
	for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${E2E_PIDS[@]}"; do wait_pid "$pid" 3 || kill -KILL "$pid" 2>/dev/null; done
	for ns in "$NS_A" "$NS_B" "$NS_C"; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		# whatever still lives in our own namespaces was started by this test
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$E2E_WORK" ] && [ -d "$E2E_WORK" ]; then
		if [ "$E2E_FAILED" != 0 ] || [ "$rc" != 0 ] || [ -n "${E2E_KEEP:-}" ]; then
			log "work directory kept: $E2E_WORK"
		else
			rm -rf "$E2E_WORK"
		fi
	fi
	exit $rc
}

e2e_init() {
	trap e2e_teardown EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	E2E_WORK=$(mktemp -d "/tmp/tflow-e2e-$T_PREFIX.XXXXXX") || die "mktemp"
	chmod 755 "$E2E_WORK" # tcpdump drops privileges to user tcpdump and writes here
}

nsa() { ip netns exec "$NS_A" "$@"; }
nsb() { ip netns exec "$NS_B" "$@"; }

# topo_create: the two namespaces and the veth pair described at the top of lib.sh.
topo_create() {
	[ -n "$E2E_WORK" ] || e2e_init
	ip netns add "$NS_A" || die "topology: ip netns add $NS_A"
	ip netns add "$NS_B" || die "topology: ip netns add $NS_B"
	ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B" ||
		die "topology: veth pair"
	local t ns ifc ip ip6
	for t in "$NS_A $IF_A $IP_A $IP6_A" "$NS_B $IF_B $IP_B $IP6_B"; do
		read -r ns ifc ip ip6 <<<"$t"
		if [ -n "$TOPO_IPV6" ]; then
			ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" \
				"net.ipv6.conf.$ifc.router_solicitations=0" \
				"net.ipv6.conf.$ifc.accept_ra=0" "net.ipv6.conf.$ifc.addr_gen_mode=1" \
				"net.ipv6.conf.$ifc.disable_ipv6=0" ||
				die "topology: IPv6 settings on $ifc"
			ip -n "$ns" link set "$ifc" arp off || die "topology: $ifc arp off"
			ip -n "$ns" addr add "$ip6/64" dev "$ifc" nodad || die "topology: IPv6 on $ifc"
		else
			ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" ||
				die "topology: disable IPv6 on $ifc"
		fi
		ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1 ||
			die "topology: ethtool -K $ifc tso gso gro off"
		ip -n "$ns" addr add "$ip/24" dev "$ifc" || die "topology: address on $ifc"
		ip -n "$ns" link set lo up || die "topology: lo up in $ns"
	done
	MAC_A=$(nsa cat /sys/class/net/$IF_A/address)
	MAC_B=$(nsb cat /sys/class/net/$IF_B/address)
	IFINDEX_B=$(nsb cat /sys/class/net/$IF_B/ifindex)
	nsa ip neigh replace "$IP_B" lladdr "$MAC_B" dev "$IF_A" nud permanent || die "topology: neigh"
	nsb ip neigh replace "$IP_A" lladdr "$MAC_A" dev "$IF_B" nud permanent || die "topology: neigh"
	if [ -n "$TOPO_IPV6" ]; then
		nsa ip neigh replace "$IP6_B" lladdr "$MAC_B" dev "$IF_A" nud permanent ||
			die "topology: neigh"
		nsb ip neigh replace "$IP6_A" lladdr "$MAC_A" dev "$IF_B" nud permanent ||
			die "topology: neigh"
	fi
	ip -n "$NS_A" link set "$IF_A" up || die "topology: $IF_A up"
	ip -n "$NS_B" link set "$IF_B" up || die "topology: $IF_B up"
	wait_for 5 nsa ping -c 1 -W 1 -q "$IP_B" >/dev/null || die "topology: $IP_A cannot reach $IP_B"
	if [ -n "$TOPO_IPV6" ]; then
		wait_for 5 nsa ping -6 -c 1 -W 1 -q "$IP6_B" >/dev/null ||
			die "topology: $IP6_A cannot reach $IP6_B"
	fi
	log "topology: $NS_A/$IF_A $IP_A ${TOPO_IPV6:+$IP6_A }($MAC_A) <-> $NS_B/$IF_B $IP_B" \
		"${TOPO_IPV6:+$IP6_B }($MAC_B, ifindex $IFINDEX_B)"
}

# Packets the veth pair dropped between the capture point (va) and the exporter (vb): if this is
# not 0 the capture saw packets tflow could not see, and a mismatch is the harness's, not tflow's.
veth_drops() {
	local a b c d
	a=$(nsa cat /sys/class/net/$IF_A/statistics/tx_dropped)
	b=$(nsb cat /sys/class/net/$IF_B/statistics/rx_dropped)
	c=$(nsb cat /sys/class/net/$IF_B/statistics/tx_dropped)
	d=$(nsa cat /sys/class/net/$IF_A/statistics/rx_dropped)
	echo $((a + b + c + d))
}

# ---------------------------------------------------------------- gateway topology
# Helpers for the tests of a forwarding gateway (test_iface_match, test_flowtable).

# gw_create: topo_create, then a third namespace $NS_C behind $NS_B, which routes between them:
#
#	[ $NS_A ] va 10.77.0.1 -- vb 10.77.0.2 [ $NS_B: gateway ] vc 10.78.0.1 -- vd 10.78.0.2 [ $NS_C ]
#
# Set up as topo_create's link (IPv6 off, offloads off, static neighbours), with routes through
# $NS_B both ways and IPv4 forwarding on in $NS_B. Sets IF_C IF_D IP_C IP_D MAC_C MAC_D IFINDEX_C.
gw_create() {
	IF_C=vc IF_D=vd IP_C=10.78.0.1 IP_D=10.78.0.2
	topo_create
	ip netns add "$NS_C" || die "topology: ip netns add $NS_C"
	ip link add "$IF_C" netns "$NS_B" type veth peer name "$IF_D" netns "$NS_C" ||
		die "topology: veth pair $IF_C/$IF_D"
	local t ns ifc ip
	for t in "$NS_B $IF_C $IP_C" "$NS_C $IF_D $IP_D"; do
		read -r ns ifc ip <<<"$t"
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" ||
			die "topology: IPv6 off on $ifc"
		ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null 2>&1 ||
			die "topology: ethtool -K $ifc"
		ip -n "$ns" addr add "$ip/24" dev "$ifc" || die "topology: address on $ifc"
	done
	ip -n "$NS_C" link set lo up || die "topology: lo up in $NS_C"
	MAC_C=$(nsb cat /sys/class/net/$IF_C/address)
	MAC_D=$(nsc cat /sys/class/net/$IF_D/address)
	IFINDEX_C=$(nsb cat /sys/class/net/$IF_C/ifindex)
	nsb ip neigh replace "$IP_D" lladdr "$MAC_D" dev "$IF_C" nud permanent || die "topology: neigh"
	nsc ip neigh replace "$IP_C" lladdr "$MAC_C" dev "$IF_D" nud permanent || die "topology: neigh"
	ip -n "$NS_B" link set "$IF_C" up || die "topology: $IF_C up"
	ip -n "$NS_C" link set "$IF_D" up || die "topology: $IF_D up"
	nsa ip route add 10.78.0.0/24 via "$IP_B" || die "topology: route in $NS_A"
	nsc ip route add 10.77.0.0/24 via "$IP_C" || die "topology: route in $NS_C"
	nsb sysctl -qw net.ipv4.ip_forward=1 || die "topology: forwarding in $NS_B"
	wait_for 5 nsa ping -c 1 -W 1 -q "$IP_D" >/dev/null ||
		die "topology: $IP_A cannot reach $IP_D through $NS_B"
	log "gateway: $NS_B forwards $IF_B ($IFINDEX_B) <-> $IF_C ($IFINDEX_C); $NS_C/$IF_D $IP_D"
}

nsc() { ip netns exec "$NS_C" "$@"; }
# ---------------------------------------------------------------- end of the gateway helpers
