#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_restart_ifaces.sh - a restart onto fewer interfaces, and interfaces that come back carrying
# tflow's programs: tflow removes and adopts only its own programs, never anyone else's.
#
# Veths w0..w4 in the tflow namespace (their peers p0..p4 there too, never selected). Around them: a foreign XDP program and a foreign
# tc filter at tflow's own pref and handle on w2, and a second tflow (its own pin directory) on w3.
#   1. run 1 on w0,w1,w4; SIGUSR1; w4 moves to another namespace (its XDP program goes with it).
#   2. run 2 on w1,w4 starts: w0 carries run 1's programs and is not selected, so they are removed
#      and the removal is logged; w1's are replaced in place.
#   3. w4 comes back, with run 1's XDP program, after run 2 dropped its privileges: attached.
#   4. w1 goes to another namespace and comes back with run 2's own XDP program: attached again.
#   5. a reload selects w0 again: attached.
#   6. SIGTERM: nothing of run 2 is left on w0, w1, w4 and its pins are gone.
# Throughout, w2's foreign programs and w3's other tflow keep the same program ids.
. "$(dirname "$0")/lib.sh"

need root ip tc clang tflow nsenter
need_tflow_exporter
pins_private # the pins outlive a run
topo_create
for i in w0 w1 w2 w3 w4; do
	nsb ip link add "$i" type veth peer name "p${i#w}" && nsb ip link set "$i" up &&
		nsb ip link set "p${i#w}" up || die "setup: veth $i"
done
O=$E2E_WORK/other.o
bpf_other_obj "$O" || die "setup: clang could not build the other BPF object"
nsb ip link set dev w2 xdpgeneric obj "$O" sec xdp || die "setup: other_xdp on w2"
nsb tc qdisc add dev w2 clsact || die "setup: clsact on w2"
nsb tc filter add dev w2 egress pref 2033 handle 0x7f1 bpf da obj "$O" sec tc ||
	die "setup: other_tc on w2 at tflow's pref and handle"

# Pins must outlive a run: ip netns exec would give each run a private bpffs.
PIN_DIR=/sys/fs/bpf/tflow-e2e-ri-$$
PIN_B=/sys/fs/bpf/tflow-e2e-rib-$$
CONF=$E2E_WORK/tflow.conf
write_conf() { echo "/ip traffic-flow set enabled=yes interfaces=$1" >"$CONF"; }

# start NAME PIN_DIR: tflow run --config $CONF in $NS_B; sets PID_<NAME>; logs to NAME.log.
start() {
	tflow_launch "$1" nsenter --net="/run/netns/$NS_B" "$TFLOW" run --config "$CONF" \
		--pin-dir "$2"
	local rc=$?
	printf -v "PID_$1" %s "$TFLOW_PID"
	[ $rc = 0 ] || die "$1: tflow started" "$TFLOW_WHY"
}
# stop NAME SIGNAL: signal the run and wait for it; its exit status must be 0.
stop() {
	local pid_var=PID_$1
	kill "-$2" "${!pid_var}"
	wait_pid "${!pid_var}" 30
	t_eq "$1: exits 0 on SIG$2" "$WAIT_RC" 0
}
xdp_id() { xdp_state "$NS_B" "$1" | cut -d' ' -f2; }
# hooks IF: "XDP_NAME XDP_ID | pref handle id name..." of IF's XDP program and egress BPF filters,
# "none |" for none.
hooks() {
	echo "$(xdp_state "$NS_B" "$1" | awk '{ print $1 == "none" ? $1 : $3 " " $2 }') |" \
		$(tc_bpf_filters "$NS_B" "$1" egress)
}
# ids IF: the XDP and tc program ids on IF, "XDP_ID TC_ID".
ids() { echo "$(xdp_id "$1") $(tc_bpf_filters "$NS_B" "$1" egress | cut -d' ' -f3)"; }
logged() { grep -qF -- "$2" "$E2E_WORK/$1.log"; }
# wait_logged NAME TEXT: until NAME's log has TEXT (5 s).
wait_logged() { wait_for 5 logged "$1" "$2"; }

# The other tflow, on w3 only, all along.
write_conf w3
start other "$PIN_B"
OTHER_W3=$(ids w3)
FOREIGN_W2=$(hooks w2)
log "w2 (foreign): $FOREIGN_W2; w3 (other tflow): $OTHER_W3"
t_eq "setup: w2 holds other_xdp and other_tc at 2033/0x7f1" \
	"$(hooks w2 | awk '{ print $1, $3, $4, $5, $7 }')" "other_xdp | 2033 0x7f1 other_tc"

# 1. run 1 on w0, w1, w4
write_conf w0,w1,w4
start run1 "$PIN_DIR"
RUN1_W0=$(ids w0)
RUN1_W4=$(xdp_id w4)
t_eq "run 1: w0 and w1 carry the same two programs" "$(ids w1)" "$RUN1_W0"
stop run1 USR1
t_eq "run 1: its programs stay on w0 after SIGUSR1" "$(ids w0)" "$RUN1_W0"
nsb ip link set w4 netns "$NS_A" || die "setup: w4 to $NS_A"
t_eq "w4 took run 1's XDP program to $NS_A" "$(xdp_state "$NS_A" w4 | cut -d' ' -f2)" "$RUN1_W4"

# 2. run 2 on w1, w4
write_conf w1,w4
start run2 "$PIN_DIR"
t_check "run 2: resumed the cache" logged run2 "(resumed from the previous run)"
RUN2_W1=$(ids w1)
log "run 1: $RUN1_W0; run 2: $RUN2_W1"
t_check "run 2: logs the removal of run 1's programs from w0" logged run2 \
	"w0: removed the previous run's XDP program and tc egress filter (not selected)"
t_eq "run 2: nothing of run 1 is left on w0" "$(hooks w0)" "none |"
t_check "run 2: w1 carries new programs (replaced in place)" \
	test "$RUN2_W1" != "$RUN1_W0" -a "$(xdp_state "$NS_B" w1 | cut -d' ' -f3)" = tflow_xdp
t_eq "run 2: w1's tc filter is tflow's, at 2033/0x7f1" \
	"$(tc_bpf_filters "$NS_B" w1 egress | cut -d' ' -f1,2,4)" "2033 0x7f1 tflow_tc_egress"
t_check "run 2: dropped its privileges" logged run2 "privileges dropped"

# 3. w4 comes back with run 1's XDP program
nsa ip link set w4 netns "$NS_B" && nsb ip link set w4 up || die "setup: w4 back to $NS_B"
wait_logged run2 "w4: attached"
t_check "run 2: w4 is attached when it comes back with run 1's program" logged run2 "w4: attached"
t_eq "run 2: w4 carries run 2's programs" "$(ids w4)" "$RUN2_W1"

# 4. w1 leaves and comes back with run 2's own XDP program
nsb ip link set w1 netns "$NS_A" || die "setup: w1 to $NS_A"
wait_logged run2 "w1: deleted"
nsa ip link set w1 netns "$NS_B" && nsb ip link set w1 up || die "setup: w1 back to $NS_B"
wait_for 5 sh -c "[ \$(grep -c 'w1: attached' '$E2E_WORK/run2.log') -ge 2 ]"
t_eq "run 2: w1 is attached again when it comes back with run 2's own program" \
	"$(grep -c 'w1: attached' "$E2E_WORK/run2.log")" 2
t_eq "run 2: w1 carries run 2's programs" "$(ids w1)" "$RUN2_W1"

# 5. a reload selects w0 again
write_conf w0,w1,w4
kill -HUP "$PID_run2"
wait_logged run2 "configuration reloaded"
t_check "run 2: w0 attached by the reload" logged run2 "w0: attached"
t_eq "run 2: w0 carries run 2's programs" "$(ids w0)" "$RUN2_W1"
t_check "run 2: no error logged" sh -c "! grep 'error' '$E2E_WORK/run2.log'"

# 6. stop
stop run2 TERM
for i in w0 w1 w4; do
	t_eq "after run 2: nothing of tflow on $i" "$(hooks "$i")" "none |"
done
t_check "after run 2: pins removed" test ! -e "$PIN_DIR"
t_eq "w2's foreign programs untouched" "$(hooks w2)" "$FOREIGN_W2"
t_eq "w3's other tflow untouched" "$(ids w3)" "$OTHER_W3"
stop other TERM
t_eq "the other tflow detached from w3" "$(hooks w3)" "none |"
[ "$E2E_FAILED" = 0 ] || for f in run1 run2 other; do
	log "$f.log:"
	sed 's/^/#   /' "$E2E_WORK/$f.log" >&2
done
t_finish
