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
#
# IPv6 is disabled on both veth ends before they come up (no ND/MLD noise), offloads are off
# (captured packets are wire packets) and the neighbours are static (no ARP round trips).
# Nothing is ever sent outside these two namespaces.
#
# Results are printed as `ok - NAME`, `not ok - NAME`, `skip - NAME (reason)` (tests/run.sh
# counts them). Diagnostics go to stderr. Environment:
#	CI=true            a missing tool or privilege fails the test instead of skipping it
#	TFLOW=path         the binary under test (default build/tflow)
#	E2E_EXPORTER=softflowd  run tcpdump|softflowd instead of tflow (checks the harness itself)
#	E2E_KEEP=1         keep the work directory (logs, pcaps, nfcapd files) even on success

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$E2E_DIR/../.." && pwd)
TFLOW=${TFLOW:-$ROOT_DIR/build/tflow}
PY=/usr/bin/python3 # the Debian interpreter: python3-scapy is installed for it, not for pyenv
E2E_EXPORTER=${E2E_EXPORTER:-tflow}
TEST_NAME=$(basename "$0" .sh)
T_PREFIX=${TEST_NAME#test_}

NS_A=tfa-$$
NS_B=tfb-$$
IF_A=va
IF_B=vb
IP_A=10.77.0.1
IP_B=10.77.0.2
COLLECTOR_PORT=2055

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

e2e_teardown() {
	local rc=$? pid ns
	trap - EXIT INT TERM
	for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${E2E_PIDS[@]}"; do wait_pid "$pid" 3 || kill -KILL "$pid" 2>/dev/null; done
	for ns in "$NS_A" "$NS_B"; do
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
	local t ns ifc ip
	for t in "$NS_A $IF_A $IP_A" "$NS_B $IF_B $IP_B"; do
		read -r ns ifc ip <<<"$t"
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" ||
			die "topology: disable IPv6 on $ifc"
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
	ip -n "$NS_A" link set "$IF_A" up || die "topology: $IF_A up"
	ip -n "$NS_B" link set "$IF_B" up || die "topology: $IF_B up"
	wait_for 5 nsa ping -c 1 -W 1 -q "$IP_B" >/dev/null || die "topology: $IP_A cannot reach $IP_B"
	log "topology: $NS_A/$IF_A $IP_A ($MAC_A) <-> $NS_B/$IF_B $IP_B ($MAC_B, ifindex $IFINDEX_B)"
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

# collector_start [PORT]: nfcapd in $NS_B on 127.0.0.1:PORT writing $E2E_WORK/nf. `-s -1` turns
# off nfcapd's scaling of counters by the exporter's announced sampling rate: nfdump shows the
# counts exactly as exported.
collector_start() {
	COLLECTOR_PORT=${1:-$COLLECTOR_PORT}
	COLLECTOR_DIR=$E2E_WORK/nf
	mkdir -p "$COLLECTOR_DIR"
	# -B: a flush of thousands of flows arrives as one burst of datagrams
	bg_start nfcapd "$NS_B" nfcapd -w "$COLLECTOR_DIR" -p "$COLLECTOR_PORT" -b 127.0.0.1 -s -1 \
		-B 4194304
	COLLECTOR_PID=${E2E_BG[nfcapd]}
	bg_wait_line nfcapd '^Startup' 10 || die "collector: nfcapd did not start"
	COLLECTOR_RCVBUF_ERRORS=$(udp_rcvbuf_errors)
	wait_for 5 collector_bound || die "collector: nfcapd not bound to 127.0.0.1:$COLLECTOR_PORT"
}

collector_bound() { nsb ss -Hnlu "sport = :$COLLECTOR_PORT" | grep -q .; }

# udp_rcvbuf_errors: datagrams the kernel dropped in $NS_B because a socket buffer was full.
udp_rcvbuf_errors() {
	nsb cat /proc/net/snmp | awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["RcvbufErrors"] }'
}

# collector_stop: SIGTERM makes nfcapd 1.7.1 flush and close its file (nfcapd.current.PID is
# renamed to nfcapd.YYYYMMDDhhmm); only then can nfdump read everything.
collector_stop() {
	local lost=$(($(udp_rcvbuf_errors) - COLLECTOR_RCVBUF_ERRORS))
	[ "$lost" = 0 ] || t_fail "collector: no datagram dropped in $NS_B" \
		"$lost UDP datagrams dropped (socket receive buffer full): the collector missed exports"
	bg_stop nfcapd
	ls "$COLLECTOR_DIR"/nfcapd.current.* >/dev/null 2>&1 &&
		t_fail "collector: nfcapd closed its file" "$(ls -la "$COLLECTOR_DIR")"
	log "nfcapd: $(grep -E '^Ident' "$E2E_WORK/nfcapd.log" | tail -1)"
}

# nfdump_csv: every record the collector stored, nfdump's csv with plain numbers.
nfdump_csv() { nfdump -R "$COLLECTOR_DIR" -o csv -N; }

# ---------------------------------------------------------------- exporter (tflow)

# exporter_start TFLOW_RUN_OPTIONS...: `tflow run --interfaces vb ...` in $NS_B; waits for the
# `running` line (15 s). Stdout goes to $E2E_WORK/tflow.out, stderr to $E2E_WORK/tflow.log.
exporter_start() {
	if [ "$E2E_EXPORTER" = softflowd ]; then
		softflowd_start "$@"
		return
	fi
	log "exporter: $TFLOW run --interfaces $IF_B $*"
	ip netns exec "$NS_B" "$TFLOW" run --interfaces "$IF_B" "$@" \
		>"$E2E_WORK/tflow.out" 2>"$E2E_WORK/tflow.log" &
	EXPORTER_PID=$!
	E2E_PIDS+=($!)
	local deadline=$((SECONDS + 15))
	until grep -q running "$E2E_WORK/tflow.log"; do
		if ! kill -0 "$EXPORTER_PID" 2>/dev/null; then
			wait "$EXPORTER_PID"
			die "exporter: tflow started" "tflow exited with status $? before 'running':" \
				"$(tail -30 "$E2E_WORK/tflow.log")"
		fi
		[ $SECONDS -ge $deadline ] &&
			die "exporter: tflow started" "no 'running' line within 15 s:" \
				"$(tail -30 "$E2E_WORK/tflow.log")"
		sleep 0.1
	done
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
	local target="" a
	for a in "$@"; do
		case $a in 127.0.0.1:*) target=${a%%,*} ;; esac
	done
	[ -n "$target" ] || die "exporter: softflowd stand-in needs --target 127.0.0.1:PORT"
	log "exporter: tcpdump -i $IF_B | softflowd -r - -n $target -v 5 -m 1024"
	bg_start softflowd "$NS_B" bash -c "exec tcpdump -i $IF_B --immediate-mode -B 16384 -U -w - 2>'$E2E_WORK/sf-tcpdump.log' |
		exec softflowd -r - -n $target -v 5 -m 1024 -d -t maxlife=1d"
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

# flows PCAP: the oracle's flow table (see flows.py).
flows_pcap() { "$PY" "$E2E_DIR/flows.py" pcap "${1:-$CAPTURE_PCAP}" --observer-mac "$MAC_B"; }

# check_flows NAME [flows.py compare options]: nfdump's records equal the capture's flows, exactly,
# and carry vb's ifindex as input (ingress flows) or output (egress flows) interface.
check_flows() {
	local name=$1
	shift
	[ "$E2E_EXPORTER" = tflow ] && set -- --observer-ifindex "$IFINDEX_B" "$@"
	nfdump_csv >"$E2E_WORK/nfdump.csv" 2>"$E2E_WORK/nfdump.err" ||
		{ t_fail "$name" "nfdump failed: $(cat "$E2E_WORK/nfdump.err")"; return 1; }
	t_check "$name" "$PY" "$E2E_DIR/flows.py" compare --pcap "$CAPTURE_PCAP" \
		--observer-mac "$MAC_B" --nfdump-csv "$E2E_WORK/nfdump.csv" "$@"
}

# oracle_table: the capture's flow table in $E2E_WORK/oracle.tsv (for table_flow).
oracle_table() { flows_pcap >"$E2E_WORK/oracle.tsv" || die "oracle: flows.py pcap failed"; }

# nfdump_table: the collector's records as the same table in $E2E_WORK/nfdump.tsv.
nfdump_table() {
	nfdump_csv >"$E2E_WORK/nfdump.csv" || die "nfdump failed"
	"$PY" "$E2E_DIR/flows.py" nfdump "$E2E_WORK/nfdump.csv" >"$E2E_WORK/nfdump.tsv" ||
		die "flows.py nfdump failed"
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

# oracle_flow PROTO SRC SPORT DST DPORT: "packets bytes payload" of the capture.
oracle_flow() { table_flow "$E2E_WORK/oracle.tsv" "$@" | cut -d' ' -f1-3; }

# table_count TABLE: number of flows in a table.
table_count() { grep -c '^[0-9]' "$1"; }
