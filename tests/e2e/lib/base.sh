# SPDX-License-Identifier: GPL-2.0-only
# lib/base.sh - e2e helpers: results, need, waiting for a command or a pid, background processes.
# Sourced by ../lib.sh (see the top of that file), never by a test itself.

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
