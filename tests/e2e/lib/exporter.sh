# SPDX-License-Identifier: GPL-2.0-only
# lib/exporter.sh - e2e helpers: tflow launch and stop, its pins and maps, the softflowd stand-in.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

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
