#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_service.sh - the installed tflow.service under a real systemd: its hardening does not break
# tflow, and reload, restart and stop do what the man page says.
#
# This machine's PID 1 need not be systemd: the test boots /lib/systemd/systemd as PID 1 of its own
# PID, mount, UTS, IPC and cgroup namespaces, inside $NS_B's network namespace, as a container
# manager would. Its root file system is the host's, read-only; /run, /tmp, /var/tmp and
# /sys/fs/bpf are its own. `make install DESTDIR` stages tflow with PREFIX=/run/tflow-test and the
# unit in /run/systemd/system, and the container copies the staged /run into its /run before
# systemd starts: the unit runs exactly as installed. The test adds only a target that wants
# journald and tflow, and a drop-in that turns off the unit's default dependencies (sysinit.target
# and the rest of a boot); nothing in [Service] is changed.
#
# Pass: tflow runs with CAP_BPF and CAP_NET_ADMIN only, no_new_privs and a seccomp filter, in a
# read-only file system with /sys/fs/bpf writable; the journal has its lines with the priority
# tflow gave them (6, 4) and no "tflow:" prefix; a ping's packets come out exact as JSON lines in
# the journal; `systemctl reload` rereads the configuration in the same process; `systemctl
# restart` during 300 pings hands the cache over (SIGUSR1, "resumed") and the journal has exactly
# 300 echo requests and 300 replies; `systemctl stop` exports, detaches and unpins; a bad
# configuration fails without restarts; the man page's `--user` drop-in (SYSTEMD) starts,
# restarts, reloads and stops as nobody, removing its pins from the mode 0700 /sys/fs/bpf systemd
# mounts through its pin directory's fd, and the drop-in's ExecStopPost removes the empty
# directory.
. "$(dirname "$0")/lib.sh"

need root ip ping pgrep unshare nsenter systemctl journalctl tflow
[ -x /lib/systemd/systemd ] || need /lib/systemd/systemd
topo_create
cd "$ROOT_DIR" || die "cd $ROOT_DIR"

W=$E2E_WORK/stage
PREFIX=/run/tflow-test
CONF=$PREFIX/etc/tflow/tflow.conf
make -s install DESTDIR="$W" PREFIX="$PREFIX" SYSCONFDIR="$PREFIX/etc" \
	UNITDIR=/run/systemd/system >/dev/null || die "make install DESTDIR=$W PREFIX=$PREFIX"
U=$W/run/systemd/system
cat >"$U/tflow-test.target" <<'EOF'
[Unit]
Description=tflow service test
DefaultDependencies=no
Wants=systemd-journald.socket tflow.service
EOF
mkdir -p "$U/tflow.service.d"
cat >"$U/tflow.service.d/test.conf" <<'EOF'
[Unit]
DefaultDependencies=no
After=systemd-journald.socket
EOF
# No boot around the test: nothing waits for the network, and a failure does not start a shell.
for u in network-online.target rescue.target emergency.target; do ln -s /dev/null "$U/$u"; done
printf '%s\n' "/ip traffic-flow set enabled=yes interfaces=$IF_B,nosuch0 inactive-flow-timeout=1s" \
	>"$W$CONF"
: >"$E2E_WORK/console" # systemd's own messages

# The container's cgroup: a child of ours, so that it sees its own tree as the root.
CG_ROOT=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && CG_ROOT=/sys/fs/cgroup/unified
[ "$(stat -f -c %T "$CG_ROOT")" = cgroup2fs ] || die "setup: no cgroup2 hierarchy"
CG=$CG_ROOT/tflow-e2e-service-$$
mkdir "$CG" || die "setup: mkdir $CG"
cleanup_cgroup() {
	[ -d "$CG" ] || return 0
	find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
	[ ! -d "$CG" ]
}

# shellcheck disable=SC2016 # expanded by the inner shell
INNER='set -e
mount -t tmpfs -o mode=755 tmpfs /run
cp -a "$1/run/." /run/
[ -e /dev/console ] && mount --bind "$2" /dev/console
mount -o remount,bind,ro /
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/tmp
mount -t bpf -o mode=700 bpf /sys/fs/bpf
export container=tflow-e2e
exec /lib/systemd/systemd --unit=tflow-test.target --log-target=console --log-level=info'
bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' - "$CG" \
	ip netns exec "$NS_B" unshare --pid --fork --mount-proc --mount --uts --ipc --cgroup \
	--kill-child sh -c "$INNER" - "$W" "$E2E_WORK/console" >"$E2E_WORK/container.log" 2>&1 &
CONTAINER=$!
E2E_PIDS+=($!)
SYSTEMD=""
# The container's systemd exits when asked; killing unshare would take it down too (--kill-child).
container_stop() {
	[ -n "$SYSTEMD" ] && svc systemctl exit >/dev/null 2>&1
	wait_pid "$CONTAINER" 10 || kill -KILL "$CONTAINER" 2>/dev/null
	wait_for 5 cleanup_cgroup
}
trap 'rc=$?; container_stop; (exit $rc); e2e_teardown' EXIT

find_systemd() {
	SYSTEMD=$(pgrep -P "$CONTAINER" -x systemd) &&
		svc systemctl show -p Version --value >/dev/null 2>&1
}
# A command in the container: its mounts, PIDs (its /proc), host name and network.
svc() { nsenter -t "$SYSTEMD" -m -p -u -n -- "$@"; }
conf() { printf '%s\n' "$@" | svc sh -c "cat >$CONF"; }
diag() { printf '%s\n' "$(tail -20 "$E2E_WORK/container.log" "$E2E_WORK/console" 2>&1)" \
	"$(svc journalctl -n 30 --no-pager -o short-monotonic 2>&1)"; }
wait_for 20 find_systemd || die "systemd started as PID 1 of the container" "$(diag)"
t_ok "systemd runs as PID 1 of the container"

prop() { svc systemctl show -p "$1" --value tflow; }
journal() { svc journalctl -u tflow --no-pager -o cat "$@"; }
logged() { journal | grep -qF -- "$1"; }
wait_for 20 logged "running on 1 interface(s)" || die "tflow.service: running" "$(diag)"
t_eq "tflow.service: active" "$(prop ActiveState)" active
PID=$(prop MainPID)
st() { svc grep "^$1:" "/proc/$PID/status" | cut -f2; }
t_eq "sandbox: CAP_BPF and CAP_NET_ADMIN only, effective" "$(st CapEff)" 0000008000001000
t_eq "sandbox: and bounding" "$(st CapBnd)" 0000008000001000
t_eq "sandbox: no_new_privs" "$(st NoNewPrivs)" 1
t_eq "sandbox: seccomp filter" "$(st Seccomp)" 2
mnt() { svc awk -v m="$1" '$5 == m { split($6, o, ","); print o[1] }' "/proc/$PID/mountinfo" | tail -1; }
t_eq "sandbox: / read-only" "$(mnt /)" ro
t_eq "sandbox: /sys read-only" "$(mnt /sys)" ro
t_eq "sandbox: /sys/fs/bpf writable" "$(mnt /sys/fs/bpf)" rw
t_eq "sandbox: /proc/sys read-only" "$(mnt /proc/sys)" ro

# The journal's own fields: PRIORITY as tflow prefixed it, MESSAGE without "tflow: ".
jfield() { # jfield TEXT FIELD: FIELD of the first tflow entry whose message contains TEXT
	svc journalctl -u tflow --no-pager -o json | "$PY" -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("_PID") != "1" and sys.argv[1] in str(e.get("MESSAGE", "")):
        print(e.get(sys.argv[2], "")); break' "$1" "$2"
}
t_eq "journal: info at priority 6" "$(jfield "running on 1 interface" PRIORITY)" 6
t_eq "journal: warning at priority 4" "$(jfield "nosuch0" PRIORITY)" 4
t_eq "journal: no program name in the message" "$(jfield "running on 1 interface" MESSAGE)" \
	"running on 1 interface(s), cache 4096 entries, 0 target(s)"
t_eq "journal: the identifier is tflow" "$(jfield "running on 1 interface" SYSLOG_IDENTIFIER)" tflow

# ICMP echo packets in the JSON flow lines logged after cursor $1: "requests replies".
cursor() { svc journalctl -u tflow -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p'; }
echo_counts() {
	journal --after-cursor="$1" | "$PY" -c '
import json, sys
req = rep = 0
for line in sys.stdin:
    if not line.startswith("{"):
        continue
    f = json.loads(line)
    if f["proto"] == 1 and f["icmp_type"] == 8 and f["dir"] == "ingress":
        req += f["packets"]
    if f["proto"] == 1 and f["icmp_type"] == 0 and f["dir"] == "egress":
        rep += f["packets"]
print(req, rep)'
}
counts_are() { [ "$(echo_counts "$1")" = "$2" ]; }
c=$(cursor)
nsa ping -c 20 -i 0.05 -q "$IP_B" >/dev/null || t_fail "traffic: ping 20"
wait_for 10 counts_are "$c" "20 20"
t_eq "flows in the journal: 20 echo requests in, 20 replies out" "$(echo_counts "$c")" "20 20"

conf "/ip traffic-flow set enabled=yes interfaces=$IF_B inactive-flow-timeout=1s"
t_check "systemctl reload" svc systemctl reload tflow
t_check "reload: the configuration was read again" wait_for 5 logged "SIGHUP: configuration reloaded"
t_eq "reload: same process" "$(prop MainPID)" "$PID"

c=$(cursor)
nsa ping -c 300 -i 0.01 -q "$IP_B" >"$E2E_WORK/ping.log" 2>&1 &
PING=$!
E2E_PIDS+=($!)
sleep 1
t_check "systemctl restart during traffic" svc systemctl restart tflow
wait_pid "$PING" 30
t_eq "traffic: 300 pings answered" "$WAIT_RC" 0
NEW=$(prop MainPID)
t_check "restart: a new process" test "$NEW" != "$PID" -a "$NEW" != 0
t_check "restart: the old one left on SIGUSR1" logged "SIGUSR1: exiting for a restart"
t_check "restart: the new one took the cache over" logged "(resumed from the previous run)"
wait_for 10 counts_are "$c" "300 300"
t_eq "restart: exactly 300 echo requests and 300 replies" "$(echo_counts "$c")" "300 300"

t_check "systemctl stop" svc systemctl stop tflow
t_check "stop: every flow exported on SIGTERM" logged "signal 15: exporting every flow"
t_eq "stop: inactive, not failed" "$(prop ActiveState)" inactive
t_check "stop: XDP detached" sh -c "! ip -n $NS_B link show dev $IF_B | grep -q xdp"
t_eq "stop: tc filter removed" "$(tc -n "$NS_B" filter show dev "$IF_B" egress)" ""
t_check "stop: pins removed" svc test ! -e /sys/fs/bpf/tflow

conf "/ip traffic-flow set enabled=yes interfaces=$IF_B cache-entries=3k"
svc systemctl start tflow >/dev/null 2>&1
sleep 6 # past RestartSec=5s
t_eq "bad configuration: failed with exit status 2" "$(prop Result):$(prop ExecMainStatus)" \
	"exit-code:2"
t_eq "bad configuration: not restarted" "$(prop NRestarts)" 0

# The man page's drop-in for --user (doc/tflow.8.md, SYSTEMD).
conf "/ip traffic-flow set enabled=yes interfaces=$IF_B inactive-flow-timeout=1s"
svc sh -c "cat >/run/systemd/system/tflow.service.d/user.conf" <<EOF
[Service]
ExecStart=
ExecStart=$PREFIX/sbin/tflow run --config $CONF --user nobody
CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_CHOWN CAP_DAC_OVERRIDE CAP_KILL
ExecStopPost=-/bin/rmdir --ignore-fail-on-non-empty /sys/fs/bpf/tflow
EOF
svc systemctl daemon-reload
svc systemctl reset-failed tflow
t_check "--user: start" svc systemctl start tflow
wait_for 10 logged "running as nobody"
PID=$(prop MainPID)
t_eq "--user: runs as nobody" "$(st Uid)" "$(id -u nobody)"
t_check "--user: restart" svc systemctl restart tflow
resumed() { [ "$(journal | grep -c "(resumed from the previous run)")" = "$1" ]; }
wait_for 10 resumed 2
t_eq "--user: the new one took the cache over" "$(journal | grep -c "(resumed from the previous run)")" 2
t_check "--user: reload" svc systemctl reload tflow
t_check "--user: stop" svc systemctl stop tflow
# systemd mounts /sys/fs/bpf mode 0700 (so does this test): nobody cannot reach its pins by path,
# so it unlinks them through its pin directory's fd. The empty directory needs root to go.
t_eq "--user: pins and pin directory removed (bpffs root mode:tflow entries)" \
	"$(svc stat -c %a /sys/fs/bpf):$(svc ls -A /sys/fs/bpf | grep -c tflow)" "1700:0"
t_check "--user: tflow logged that the empty pin directory stays" \
	logged "the empty pin directory /sys/fs/bpf/tflow stays"
t_check "--user: XDP detached" sh -c "! ip -n $NS_B link show dev $IF_B | grep -q xdp"
[ "$E2E_FAILED" = 0 ] || diag >&2
t_finish
