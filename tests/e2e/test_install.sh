#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_install.sh - make install/uninstall, the systemd unit, the man page and its drift checks.
#
# Pass: `make install DESTDIR=D PREFIX=/usr` places exactly the binary, the unit (ExecStart with
# the installed paths), the gzipped man page and the example configuration, with their modes; a
# second install keeps an edited configuration; PREFIX=/usr/local puts the unit where systemd
# reads local units. The man page renders with `groff -man -ww -z` silent, and names every long
# option and command `tflow help` lists and every property of the configuration tables in
# user/config/config*.c, so code and page cannot drift apart. The example configuration parses, with its
# commented targets too. `systemd-analyze verify` prints nothing for the unit installed with real
# paths, and `systemd-analyze security` rates it no worse than 3.0. `make uninstall` removes every
# file install put, and keeps an edited configuration.
. "$(dirname "$0")/lib.sh"

need make groff man gzip col systemd-analyze tflow
e2e_init
cd "$ROOT_DIR" || die "cd $ROOT_DIR"
D=$E2E_WORK/destdir

# Files (and symlinks) under $1, relative, sorted; with their modes.
files() { (cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort); }
modes() { (cd "$1" && find . -type f -printf '%m %P\n' | sort -k2); }

t_check "make install DESTDIR PREFIX=/usr" make -s install DESTDIR="$D" PREFIX=/usr
t_eq "install: exactly these files" "$(files "$D")" "etc/tflow/tflow.conf
lib/systemd/system/tflow.service
usr/sbin/tflow
usr/share/man/man8/tflow.8.gz"
t_eq "install: modes" "$(modes "$D")" "644 etc/tflow/tflow.conf
644 lib/systemd/system/tflow.service
755 usr/sbin/tflow
644 usr/share/man/man8/tflow.8.gz"
t_check "install: the binary is build/tflow" cmp "$TFLOW" "$D/usr/sbin/tflow"
t_check "install: the configuration is the example" cmp dist/tflow.conf "$D/etc/tflow/tflow.conf"
UNIT=$D/lib/systemd/system/tflow.service
t_eq "unit: ExecStart with the installed paths" "$(grep '^ExecStart=' "$UNIT")" \
	"ExecStart=/usr/sbin/tflow run --config /etc/tflow/tflow.conf"
t_eq "unit: no placeholder left" "$(grep -cE '@[A-Z]+@' "$UNIT")" 0
t_eq "unit: reload is SIGHUP" "$(grep '^ExecReload=' "$UNIT")" 'ExecReload=/bin/kill -HUP $MAINPID'
t_eq "unit: restart is SIGUSR1" "$(grep '^RestartKillSignal=' "$UNIT")" "RestartKillSignal=SIGUSR1"
t_check "unit: bpf() allowed by the syscall filter" grep -qx 'SystemCallFilter=@system-service bpf' \
	"$UNIT"

echo "# edited by the operator" >>"$D/etc/tflow/tflow.conf"
out=$(make -s install DESTDIR="$D" PREFIX=/usr 2>&1)
t_check "install again: an edited configuration is kept" grep -q "edited by the operator" \
	"$D/etc/tflow/tflow.conf"
t_check "install again: says so" grep -q "keeping $D/etc/tflow/tflow.conf" <<<"$out"

L=$E2E_WORK/local
t_check "make install DESTDIR (PREFIX /usr/local by default)" make -s install DESTDIR="$L"
t_eq "install /usr/local: exactly these files" "$(files "$L")" "etc/tflow/tflow.conf
usr/local/lib/systemd/system/tflow.service
usr/local/sbin/tflow
usr/local/share/man/man8/tflow.8.gz"
t_eq "unit /usr/local: ExecStart" "$(grep '^ExecStart=' "$L/usr/local/lib/systemd/system/tflow.service")" \
	"ExecStart=/usr/local/sbin/tflow run --config /etc/tflow/tflow.conf"

# ---------------------------------------------------------------- the man page
PAGE=$E2E_WORK/tflow.8
gzip -dc "$D/usr/share/man/man8/tflow.8.gz" >"$PAGE" || die "man: gunzip"
warn=$(groff -man -ww -z "$PAGE" 2>&1)
t_eq "man: groff -man -ww -z without a warning" "$warn" ""
TEXT=$E2E_WORK/tflow.8.txt
MANWIDTH=100 LC_ALL=C.UTF-8 man -l "$PAGE" 2>"$E2E_WORK/man.err" | col -b >"$TEXT"
t_eq "man: man -l without a warning" "$(cat "$E2E_WORK/man.err")" ""
t_check "man: NAME line for whatis" grep -q "^ *tflow - eBPF flow exporter" "$TEXT"

# An option is found as a word: '--user' must not match inside '--user-x'.
in_page() { grep -qE -- "(^|[^a-zA-Z0-9-])$1([^a-zA-Z0-9-]|$)" "$TEXT"; }
HELP=$("$TFLOW" help)
missing=""
for opt in $(grep -oE -- '(^|[ ,[])--?[a-zA-Z][a-zA-Z0-9-]*' <<<"$HELP" | tr -d ' ,[' | sort -u); do
	in_page "$opt" || missing="$missing $opt"
done
t_eq "man: every option 'tflow help' lists is in the page" "${missing# }" ""
missing=""
for cmd in $(grep -oE '(^|[ :])tflow [a-z]+' <<<"$HELP" | awk '{print $2}' | sort -u); do
	grep -qE "^ *$cmd( |,|$)" "$TEXT" || missing="$missing $cmd"
done
t_eq "man: every command 'tflow help' lists is in COMMANDS" "${missing# }" ""
# The property tables: { "name", P_TYPE, ... } in user/config/config*.c.
props=$(grep -ohE '\{ "[a-z0-9-]+", P_' user/config/config*.c | cut -d'"' -f2 | sort -u)
t_check "man: property tables found in user/config/config*.c" test "$(wc -w <<<"$props")" -ge 19
missing=""
for p in $props; do grep -qE -- "(^|[^a-z0-9-])$p=" "$TEXT" || missing="$missing $p"; done
t_eq "man: every configuration property is in the page" "${missing# }" ""

# ---------------------------------------------------------------- the example configuration
CONF=$E2E_WORK/example.conf
sed 's|^#/ip|/ip|' dist/tflow.conf >"$CONF"
t_eq "example: its commented targets are real lines" "$(grep -c '^/ip traffic-flow target add' "$CONF")" 2
out=$("$TFLOW" run --config "$CONF" 2>&1)
t_eq "example: parses, and is disabled until edited" "$?:$out" \
	"0:tflow: traffic-flow is disabled (enabled=no): nothing to do"

# ---------------------------------------------------------------- systemd
# Installed with real paths, so verify finds the binary and, through MANPATH, the man page.
P=$E2E_WORK/prefix
make -s install PREFIX="$P/usr" SYSCONFDIR="$P/etc" UNITDIR="$P/lib/systemd/system" >/dev/null ||
	die "install with PREFIX=$P/usr"
out=$(MANPATH=$P/usr/share/man systemd-analyze verify "$P/lib/systemd/system/tflow.service" 2>&1)
t_eq "systemd-analyze verify: nothing to say" "$?:$out" "0:"
exposure=$(systemd-analyze security --offline=yes "$P/lib/systemd/system/tflow.service" 2>&1 |
	sed -n 's/.*Overall exposure level for tflow.service: \([0-9.]*\).*/\1/p')
t_check "systemd-analyze security: exposure $exposure, at most 3.0" \
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 3.0) }'

# ---------------------------------------------------------------- uninstall
out=$(make -s uninstall DESTDIR="$D" PREFIX=/usr 2>&1)
t_eq "uninstall: only the edited configuration stays" "$(files "$D")" "etc/tflow/tflow.conf"
t_check "uninstall: says so" grep -q "keeping $D/etc/tflow/tflow.conf (edited)" <<<"$out"
cp dist/tflow.conf "$D/etc/tflow/tflow.conf"
t_check "uninstall with the example configuration" make -s uninstall DESTDIR="$D" PREFIX=/usr
t_eq "uninstall: no file left" "$(files "$D")" ""
t_check "uninstall: /etc/tflow removed" test ! -e "$D/etc/tflow"
t_check "uninstall /usr/local" make -s uninstall DESTDIR="$L"
t_eq "uninstall /usr/local: no file left" "$(files "$L")" ""
t_finish
