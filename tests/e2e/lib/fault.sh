# SPDX-License-Identifier: GPL-2.0-only
# lib/fault.sh - fault-test helpers: 2nd link, socket drops, CPU ticks, other BPF, XDP/tc, lags.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

# ---------------------------------------------------------------- fault tests (test_fault_*.sh)
# Helpers added for the fault-injection tests; the other parts of lib.sh do not depend on them.

# topo_add_link IF_IN_A IF_IN_B IP_IN_A IP_IN_B: a second veth pair between $NS_A and $NS_B, set
# up like the first (IPv6 off, offloads off, static neighbours, /24 addresses). Prints nothing;
# dies on failure.
topo_add_link() {
	local ia=$1 ib=$2 pa=$3 pb=$4 ma mb
	ip link add "$ia" netns "$NS_A" type veth peer name "$ib" netns "$NS_B" ||
		die "topology: veth pair $ia/$ib"
	nsa sysctl -qw "net.ipv6.conf.$ia.disable_ipv6=1" || die "topology: IPv6 off on $ia"
	nsb sysctl -qw "net.ipv6.conf.$ib.disable_ipv6=1" || die "topology: IPv6 off on $ib"
	nsa ethtool -K "$ia" tso off gso off gro off >/dev/null 2>&1 || die "topology: ethtool $ia"
	nsb ethtool -K "$ib" tso off gso off gro off >/dev/null 2>&1 || die "topology: ethtool $ib"
	ip -n "$NS_A" addr add "$pa/24" dev "$ia" || die "topology: address on $ia"
	ip -n "$NS_B" addr add "$pb/24" dev "$ib" || die "topology: address on $ib"
	ma=$(nsa cat "/sys/class/net/$ia/address")
	mb=$(nsb cat "/sys/class/net/$ib/address")
	nsa ip neigh replace "$pb" lladdr "$mb" dev "$ia" nud permanent || die "topology: neigh $ia"
	nsb ip neigh replace "$pa" lladdr "$ma" dev "$ib" nud permanent || die "topology: neigh $ib"
	ip -n "$NS_A" link set "$ia" up || die "topology: $ia up"
	ip -n "$NS_B" link set "$ib" up || die "topology: $ib up"
	wait_for 5 nsa ping -c 1 -W 1 -q "$pb" >/dev/null || die "topology: $pa cannot reach $pb"
}

# udp_sock_drops PORT: datagrams the UDP socket bound to PORT in $NS_B dropped (receive buffer
# full), from ss's skmem d field; empty if no socket is bound there.
udp_sock_drops() {
	nsb ss -Hnuam "sport = :$1" | sed -n 's/.*skmem:(.*,d\([0-9]*\)).*/\1/p' | head -1
}

# proc_cpu_ticks PID: user + system CPU time of PID so far, in clock ticks (getconf CLK_TCK).
proc_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# bpf_other_obj OUT: compile, with clang, a BPF object that is not tflow's: program other_xdp in
# section "xdp" (returns XDP_PASS) and other_tc in section "tc" (returns TC_ACT_UNSPEC: the next
# filter runs, as a cooperating tc program does). For `ip link set dev X xdp obj OUT sec xdp` and
# `tc filter add dev X egress bpf da obj OUT sec tc`.
bpf_other_obj() {
	local out=$1
	cat >"${out%.o}.c" <<-'EOC'
		#define SEC(n) __attribute__((section(n), used))
		struct xdp_md;
		struct __sk_buff;
		SEC("xdp") int other_xdp(struct xdp_md *ctx) { return 2; /* XDP_PASS */ }
		SEC("tc") int other_tc(struct __sk_buff *skb) { return -1; /* TC_ACT_UNSPEC */ }
		char _license[] SEC("license") = "GPL";
	EOC
	clang -O2 -g -target bpf -c "${out%.o}.c" -o "$out"
}

# xdp_state NS IF: "MODE ID NAME" of the XDP program attached to IF in NS (mode 1 native,
# 2 generic, 3 offloaded), or "none".
xdp_state() {
	ip -n "$1" -j link show dev "$2" | "$PY" -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp")
if not x or "prog" not in x:
    print("none")
else:
    print(x["mode"], x["prog"]["id"], x["prog"].get("name", "?"))'
}

# tc_bpf_filters NS IF ingress|egress: one line "pref handle prog_id prog_name" per BPF filter.
tc_bpf_filters() {
	local re='.*pref \([0-9]*\) bpf .*handle \(0x[0-9a-f]*\) .* id \([0-9]*\) name \([^ ]*\).*'
	ip netns exec "$1" tc filter show dev "$2" "$3" | sed -n "s/$re/\\1 \\2 \\3 \\4/p"
}

# has_clsact NS IF: a clsact qdisc is on IF.
has_clsact() { ip netns exec "$1" tc qdisc show dev "$2" | grep -q '^qdisc clsact'; }

# export_lags PCAP PORT ACTIVE INACTIVE: how long after it became due each record to PORT was
# sent (the datagram's time in PCAP, a capture on lo). A record is due at the earlier of its
# inactive timeout (last packet + INACTIVE s) and its active timeout (the flow's previous record
# sent + ACTIVE s, or its first packet + ACTIVE s for its first record); records forced out at
# exit (IPFIX flowEndReason 4) are left out. Prints "records median max min" (seconds), then the
# five largest lags, one a line.
export_lags() {
	"$PY" - "$E2E_DIR" "$@" <<-'EOF'
		import sys
		sys.path.insert(0, sys.argv[1])
		import flows
		active, inactive = float(sys.argv[4]), float(sys.argv[5])
		prev = {}  # flow -> when its previous record was sent
		lags = []
		for d in flows.export_datagrams(sys.argv[2], int(sys.argv[3])):
		    for r in d.get("records", []):
		        key = (r["proto"], r["src"], r["sport"], r["dst"], r["dport"])
		        due = min(prev.get(key, r["start_ms"] / 1000.0) + active,
		                  r["end_ms"] / 1000.0 + inactive)
		        prev[key] = d["time"]
		        if r.get("end_reason") != 4:
		            lags.append((d["time"] - due, d["n"], flows.flow_name(key),
		                         r.get("end_reason")))
		lags.sort()
		if not lags:
		    print("0 - - -")
		    sys.exit(0)
		print(len(lags), "%.3f" % lags[len(lags) // 2][0], "%.3f" % lags[-1][0],
		      "%.3f" % lags[0][0])
		for lag, n, name, reason in lags[-5:]:
		    print("%.3f s: datagram %d, %s, end reason %s" % (lag, n, name, reason))
	EOF
}
# ---------------------------------------------------------------- end of the fault-test helpers
