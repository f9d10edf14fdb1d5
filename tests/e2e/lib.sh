# SPDX-License-Identifier: GPL-2.0-only
# lib.sh - shared helpers for tflow end-to-end tests: netns topology, exporter, collector, oracle.
#
# Sourced by tests/e2e/test_*.sh (bash). A test reads:
#
#	. "$(dirname "$0")/lib.sh"
#	need root ip tcpdump nfcapd nfdump tflow scapy
#	topo_create
#	collector_start
#	exporter_start --target 127.0.0.1:$COLLECTOR_PORT,version=5
#	capture_start
#	... traffic from $NS_A to $IP_B ...
#	capture_stop
#	exporter_stop
#	collector_stop
#	check_flows "nfdump equals the capture"
#	t_finish
#
# Topology (one per test; names carry the test's PID so tests never collide):
#
#	[ $NS_A ] va 10.77.0.1/24 ---- veth ---- 10.77.0.2/24 vb [ $NS_B: tflow on vb, nfcapd on lo ]
#	             fd77::1/64                  fd77::2/64        (TOPO_IPV6=1 only)
#
# By default IPv6 is disabled on both veth ends before they come up (no ND/MLD noise). With
# TOPO_IPV6=1 (set before topo_create) both ends get static IPv6 addresses, and the link still
# carries nothing the test did not send: the veths are NOARP, so the kernel neither joins the
# solicited-node groups (no MLD reports) nor runs DAD (addrconf_join_solict() and
# addrconf_dad_begin() return early for IFF_NOARP); no link-local address is generated
# (addr_gen_mode 1), no router solicitation is sent. A test that wants ND/MLD on the link sends it
# itself (traffic.py ipv6-ext), so the counts are known. Offloads are off (captured packets are
# wire packets) and the neighbours are static for both families (no ARP/ND round trips).
# Nothing is ever sent outside these two namespaces.
#
# Starting tflow: a test that starts `tflow run` in the background and waits for it does so with
# tflow_launch (exporter_start does), which empties the run's log before the child starts and waits
# for that run's own `running on` line. A `2>LOG &` alone truncates LOG only when the child gets to
# it: a wait that began first could read the previous run's line and send traffic before this run
# had attached. (test_service reads the journal of its own systemd instead.)
#
# Pins: a test never pins in the host's bpffs, nor mounts one on the host's /sys/fs/bpf.
#  - A tflow started with `ip netns exec` (exporter_start) pins under /sys/fs/bpf in the private
#    mount namespace that command makes: it mounts a fresh sysfs on /sys there, which hides any
#    bpffs under /sys/fs/bpf, so tflow mounts one of its own, and it dies with the command. Other
#    commands see those pins through `nsenter -t $EXPORTER_PID -m`.
#  - A test whose pins must outlive one command (a restart, `tflow status` or `top` from another
#    command) calls pins_private first: the whole test runs again (same PID) in a private mount
#    namespace of its own, with a fresh bpffs mounted on /sys/fs/bpf there (mode 0700, as systemd
#    and tflow mount it). Every command of the test sees it, nothing outside does, and it goes with
#    the test's last process: nothing to clean up, and the host's mount table is left as it was.
#    Such a test starts tflow with `nsenter --net=/run/netns/$NS_B`, never `ip netns exec`, whose
#    fresh /sys would hide that bpffs. Its network namespaces are mounted in that private mount
#    namespace too (`ip netns list` on the host shows their names, but cannot enter them).
#
# Results are printed as `ok - NAME`, `not ok - NAME`, `skip - NAME (reason)` (tests/run.sh
# counts them). Diagnostics go to stderr. Environment:
#	CI=true            a missing tool or privilege fails the test instead of skipping it
#	TFLOW=path         the binary under test (default build/tflow)
#	E2E_EXPORTER=softflowd  run tcpdump|softflowd instead of tflow (checks the harness itself)
#	E2E_KEEP=1         keep the work directory (logs, pcaps, nfcapd files) even on success

set -u

E2E_ARGV=("$@") # the test's own arguments, for pins_private's second start
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$E2E_DIR/../.." && pwd)
TFLOW=${TFLOW:-$ROOT_DIR/build/tflow}
PY=/usr/bin/python3 # the Debian interpreter: python3-scapy is installed for it, not for pyenv
E2E_EXPORTER=${E2E_EXPORTER:-tflow}
TEST_NAME=$(basename "$0" .sh)
T_PREFIX=${TEST_NAME#test_}

NS_A=tfa-$$
NS_B=tfb-$$
NS_C=tfc-$$ # gw_create's third namespace
IF_A=va
IF_B=vb
IP_A=10.77.0.1
IP_B=10.77.0.2
IP6_A=fd77::1
IP6_B=fd77::2
TOPO_IPV6=${TOPO_IPV6:-}
COLLECTOR_PORT=2055
COLLECTOR_DIR=""
declare -A COLL_DIR=() # collector name -> its directory (nfcapd) or output file (nfacctd)

E2E_WORK=""
E2E_FAILED=0
E2E_PIDS=()    # every background process this test started (pids of the programs themselves)
declare -A E2E_BG=() # name -> pid, for helpers started with bg_start
EXPORTER_PID=""
COLLECTOR_PID=""
CAPTURE_PID=""
CAPTURE_PCAP=""

# ---------------------------------------------------------------- results

t_ok() { echo "ok - $T_PREFIX: $1"; }

t_fail() {
	echo "not ok - $T_PREFIX: $1"
	E2E_FAILED=1
	[ $# -gt 1 ] && printf '%s\n' "${@:2}" | sed 's/^/#   /' >&2
	return 0
}

t_skip() { echo "skip - $T_PREFIX: $1 (${2:-skipped})"; }

# t_check NAME CMD...: run CMD, ok if it exits 0; its output is shown (on stderr) only on failure.
t_check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		t_ok "$name"
	else
		t_fail "$name" "command: $*" "$out"
	fi
	[ -n "$out" ] && [ -n "${E2E_VERBOSE:-}" ] && printf '%s\n' "$out" | sed 's/^/#   /' >&2
	return $rc
}

# t_eq NAME GOT WANT
t_eq() {
	if [ "$2" == "$3" ]; then t_ok "$1"; else t_fail "$1" "got: $2" "want: $3"; fi
}

# Abort the test: one failure line, then teardown through the EXIT trap.
die() {
	t_fail "$1" "${@:2}"
	exit 1
}

t_finish() {
	[ "$E2E_FAILED" = 0 ] && exit 0
	exit 1
}

log() { echo "# $*" >&2; }

# need WHAT...: root, a command name, `tflow` (the binary under test) or `scapy`. Outside CI a
# missing one skips the whole test; in CI (CI=true) it fails loudly.
need() {
	local w missing=""
	for w in "$@"; do
		case $w in
		root) [ "$(id -u)" = 0 ] || missing="$missing root" ;;
		tflow)
			if [ "$E2E_EXPORTER" = softflowd ]; then
				command -v softflowd >/dev/null || missing="$missing softflowd"
			else
				[ -x "$TFLOW" ] || missing="$missing $TFLOW(run make)"
			fi
			;;
		scapy) "$PY" -c 'import scapy.all' 2>/dev/null || missing="$missing python3-scapy" ;;
		*) command -v "$w" >/dev/null || missing="$missing $w" ;;
		esac
	done
	[ -z "$missing" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "not ok - $T_PREFIX: cannot run, missing:$missing"
		exit 1
	fi
	echo "skip - $T_PREFIX (missing:$missing)"
	exit 0
}

# Tests that depend on a tflow feature the softflowd stand-in does not have call this.
need_tflow_exporter() {
	if [ "$E2E_EXPORTER" != tflow ]; then
		echo "skip - $T_PREFIX (needs tflow itself, E2E_EXPORTER=$E2E_EXPORTER)"
		exit 0
	fi
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_pid PID SECONDS: wait for a child to exit; sets WAIT_RC (124 on timeout, process left alive).
wait_pid() {
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		# a zombie child still answers kill -0; `wait` reaps it below
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && break
		if [ $SECONDS -ge $deadline ]; then
			WAIT_RC=124
			return 1
		fi
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	WAIT_RC=$?
	return 0
}

# ---------------------------------------------------------------- setup and teardown

# pins_private: run this test in a private mount namespace with a bpffs of its own on /sys/fs/bpf
# (see the top of this file). Call it after `need`, before anything else: it starts the test again
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

# topo_create: the two namespaces and the veth pair described at the top of this file.
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

# ---------------------------------------------------------------- background helpers

# bg_start NAME NS CMD...: run CMD in namespace NS in the background, output to $E2E_WORK/NAME.log.
bg_start() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$E2E_WORK/$name.log" 2>&1 &
	E2E_BG[$name]=$!
	E2E_PIDS+=($!)
}

# bg_wait_line NAME REGEX SECONDS: wait until NAME's log matches REGEX (fails if NAME exits first).
bg_wait_line() {
	local name=$1 re=$2 deadline=$((SECONDS + $3)) pid=${E2E_BG[$1]}
	until grep -qE -- "$re" "$E2E_WORK/$name.log" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
			t_fail "$name: started (waiting for /$re/)" "$(tail -20 "$E2E_WORK/$name.log")"
			return 1
		fi
		sleep 0.1
	done
}

# bg_stop NAME: SIGTERM and wait (5 s, then SIGKILL).
bg_stop() {
	local pid=${E2E_BG[$1]}
	kill -TERM "$pid" 2>/dev/null
	wait_pid "$pid" 5 || {
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	}
}

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

# ---------------------------------------------------------------- exporter (tflow)

# tflow_launch NAME CMD...: CMD, a `tflow run` behind what puts it in its namespaces (`ip netns
# exec NS`, `nsenter --net=...`), in the background; stdout to $E2E_WORK/NAME.out, stderr to
# $E2E_WORK/NAME.log. Sets TFLOW_PID (the program's pid; in E2E_PIDS). Waits 15 s for this run's
# `running on N interface(s)` line (logged once attached, after any privilege drop): NAME.log is
# emptied before the child starts, so no earlier run's line can stand for it. Returns 0 once the
# line is there; 1 if tflow exited first or the 15 s ran out, TFLOW_WHY saying which, then the
# log's tail (for die or t_fail).
tflow_launch() {
	local name=$1 logf=$E2E_WORK/$1.log deadline=$((SECONDS + 15)) rc
	shift
	: >"$logf" || die "tflow_launch: cannot empty $logf"
	"$@" >"$E2E_WORK/$name.out" 2>>"$logf" &
	TFLOW_PID=$!
	E2E_PIDS+=($!)
	TFLOW_WHY=""
	until grep -qE 'running on [0-9]+ interface' "$logf"; do
		if ! kill -0 "$TFLOW_PID" 2>/dev/null ||
			[ "$(ps -o stat= -p "$TFLOW_PID" 2>/dev/null | cut -c1)" = Z ]; then
			wait "$TFLOW_PID"
			rc=$?
			TFLOW_WHY="tflow exited with status $rc before 'running on':"$'\n'"$(tail -30 "$logf")"
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			TFLOW_WHY="no 'running on' line within 15 s:"$'\n'"$(tail -30 "$logf")"
			return 1
		fi
		sleep 0.1
	done
}

# pins_in DIR: the tflow_* pins in DIR, on one line (nothing if none, or no DIR).
pins_in() {
	local f names=()
	for f in "$1"/tflow_*; do [ -e "$f" ] && names+=("${f##*/}"); done
	echo "${names[*]}"
}

# check_pins_gone NAME DIR LOG: what a stop (SIGTERM) guarantees, whatever user tflow ran as:
# no tflow_* pin is left in DIR, and DIR is gone, or is empty and LOG says why it stays (tflow as
# another user (--user) may not remove it from a bpffs root of mode 0700, systemd's and tflow's:
# loader.c, pins_remove()).
check_pins_gone() {
	local name=$1 dir=$2 logf=$3 left
	if [ ! -e "$dir" ]; then
		t_ok "$name"
		return 0
	fi
	left=$(ls -A "$dir" 2>&1)
	if [ -n "$left" ]; then
		t_fail "$name" "left in $dir: $(pins_in "$dir")" "$(ls -lA "$dir" 2>&1)"
		return 1
	fi
	t_check "$name" pins_stay_logged "$dir" "$logf"
}

# pins_stay_logged DIR LOG: LOG has tflow's line for an empty pin directory DIR it may not remove.
pins_stay_logged() {
	grep -F "the empty pin directory $1 stays: uid " "$2" |
		grep -q 'may not remove it from its parent directory' && return 0
	echo "$1 is left, empty, and $2 does not say why:"
	tail -5 "$2"
	return 1
}

# exporter_start TFLOW_RUN_OPTIONS...: `tflow run --interfaces vb ...` in $NS_B (tflow_launch);
# stdout goes to $E2E_WORK/tflow.out, stderr to $E2E_WORK/tflow.log.
exporter_start() {
	if [ "$E2E_EXPORTER" = softflowd ]; then
		softflowd_start "$@"
		return
	fi
	log "exporter: $TFLOW run --interfaces $IF_B $*"
	tflow_launch tflow ip netns exec "$NS_B" "$TFLOW" run --interfaces "$IF_B" "$@"
	local rc=$?
	EXPORTER_PID=$TFLOW_PID
	[ $rc = 0 ] || die "exporter: tflow started" "$TFLOW_WHY"
	t_ok "exporter: tflow running"
}

# exporter_map NAME: "max_entries type" of the BPF map NAME (or tflow_NAME) that this test's tflow
# holds open (found through its fds, so another tflow running on the machine does not interfere).
exporter_map() {
	local f id
	for f in /proc/"$EXPORTER_PID"/fdinfo/*; do
		id=$(sed -n 's/^map_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		bpftool -j map show id "$id" 2>/dev/null | "$PY" -c '
import json, sys
m = json.load(sys.stdin)
if m.get("name") not in (sys.argv[1], "tflow_" + sys.argv[1]):
    sys.exit(1)
print(m["max_entries"], m["type"])' "$1" && return 0
	done
	return 1
}

# exporter_stop: SIGTERM; tflow exports every remaining flow and must exit 0 within 30 s.
exporter_stop() {
	if [ "$E2E_EXPORTER" = softflowd ]; then
		softflowd_stop
		return
	fi
	kill -TERM "$EXPORTER_PID" 2>/dev/null
	if ! wait_pid "$EXPORTER_PID" 30; then
		kill -KILL "$EXPORTER_PID" 2>/dev/null
		t_fail "exporter: tflow exits on SIGTERM" "still running 30 s after SIGTERM" \
			"$(tail -20 "$E2E_WORK/tflow.log")"
		return 1
	fi
	if [ "$WAIT_RC" = 0 ]; then
		t_ok "exporter: tflow exits 0 on SIGTERM"
	else
		t_fail "exporter: tflow exits 0 on SIGTERM" "exit status $WAIT_RC" \
			"$(tail -20 "$E2E_WORK/tflow.log")"
	fi
	# tflow's closing statistics (and any warning) belong in the test log even when all passed
	grep -iE 'warn|error|stats|export|target' "$E2E_WORK/tflow.log" | head -20 | sed 's/^/# /' >&2
}

# The harness's own check: tcpdump on vb piped into softflowd -r (a live softflowd holds packets
# in a partly filled libpcap block until more traffic arrives; at EOF it expires every flow).
softflowd_start() {
	local target="" version=5 a
	for a in "$@"; do
		case $a in 127.0.0.1:*) target=${a%%,*} ;; esac
		case $a in 127.0.0.1:*version=*)
			version=${a#*version=}
			version=${version%%,*}
			;;
		esac
	done
	[ "$version" = IPFIX ] && version=10
	[ -n "$target" ] || die "exporter: softflowd stand-in needs --target 127.0.0.1:PORT"
	log "exporter: tcpdump -i $IF_B | softflowd -r - -n $target -v $version -m 1024"
	bg_start softflowd "$NS_B" bash -c "exec tcpdump -i $IF_B --immediate-mode -B 16384 -U -w - 2>'$E2E_WORK/sf-tcpdump.log' |
		exec softflowd -r - -n $target -v $version -m 1024 -d -t maxlife=1d"
	EXPORTER_PID=${E2E_BG[softflowd]}
	wait_for 10 grep -qs 'listening on' "$E2E_WORK/sf-tcpdump.log" ||
		die "exporter: softflowd stand-in started" "$(cat "$E2E_WORK/sf-tcpdump.log")"
	t_ok "exporter: softflowd stand-in running"
}

softflowd_stop() {
	local pid
	pid=$(pgrep -P "$EXPORTER_PID" -x tcpdump)
	[ -n "$pid" ] && kill -TERM "$pid"
	wait_pid "$EXPORTER_PID" 20
	t_eq "exporter: softflowd stand-in exits 0" "$WAIT_RC" 0
	t_eq "exporter: softflowd stand-in's tcpdump dropped nothing" \
		"$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$E2E_WORK/sf-tcpdump.log")" 0
}

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

# ---------------------------------------------------------------- fault tests (test_fault_*.sh)
# Helpers added for the fault-injection tests; nothing above depends on them.

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
