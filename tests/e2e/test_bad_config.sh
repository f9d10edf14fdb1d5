#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_bad_config.sh - malformed configuration: exit code 2, a message naming the line and the
# property, nothing attached, nothing pinned.
#
# Every case runs `tflow run` in a fresh network namespace holding a veth pair (v0, v1), through
# `ip netns exec`, which also gives it a private mount namespace: the check for pins under
# /sys/fs/bpf/tflow (and for a bpffs mounted by tflow) runs in that same mount namespace, after
# tflow exited. Then neither veth end may have an XDP program, a tc egress filter or a clsact
# qdisc. A positive control first shows that these checks do see what a valid run attaches.
#
# Cases: every property with a wrong type and with out-of-range values, unknown properties,
# menus and commands, interface lists, patterns and directions, unknown ipfix fields and values (file and --ipfix), duplicates, overlong lines, non-UTF-8 bytes and control characters (in the
# file and in long options), bad target specs, bad long options, bad commands. A case that tflow
# accepts runs until `timeout` stops it (5 s) and fails on its exit code.
. "$(dirname "$0")/lib.sh"

need root ip tc timeout nsenter tflow
e2e_init
NS=$NS_A # lib.sh's teardown deletes it
ip netns add "$NS" || die "setup: ip netns add $NS"
ip -n "$NS" link add v0 type veth peer name v1 || die "setup: veth pair"
for d in lo v0 v1; do ip -n "$NS" link set "$d" up || die "setup: $d up"; done

# What tflow left on the veth pair, one line per finding (nothing: nothing attached).
attached() {
	local d
	for d in v0 v1; do
		ip -n "$NS" link show dev "$d" | grep -q xdp && echo "$d: XDP program attached"
		[ -n "$(tc -n "$NS" filter show dev "$d" egress)" ] && echo "$d: tc egress filter"
		tc -n "$NS" qdisc show dev "$d" | grep -q clsact && echo "$d: clsact qdisc"
	done
}

# In tflow's mount namespace, after it exited: its pins, and a bpffs it mounted to pin them.
# shellcheck disable=SC2016 # expanded by the inner shell
INNER='timeout -s TERM 5 "$@" </dev/null >/dev/null 2>"$ERRF"
rc=$?
[ -e /sys/fs/bpf/tflow ] && echo "pinned under /sys/fs/bpf/tflow: $(ls -A /sys/fs/bpf/tflow | tr "\n" " ")"
grep -qs " /sys/fs/bpf bpf " /proc/self/mounts && echo "bpffs mounted on /sys/fs/bpf"
exit $rc'

n_case=0

# bad NAME WANT ARG...: `tflow ARG...` exits 2, its message contains every '|'-separated part of
# WANT, and nothing is attached or pinned.
bad() {
	local name=$1 want=$2 errf left rc part why=()
	shift 2
	n_case=$((n_case + 1))
	errf=$E2E_WORK/case-$n_case.err
	left=$(ERRF=$errf ip netns exec "$NS" bash -c "$INNER" _ "$TFLOW" "$@")
	rc=$?
	[ $rc = 2 ] || why+=("exit code $rc, want 2")
	IFS='|' read -r -a parts <<<"$want"
	for part in "${parts[@]}"; do
		grep -qF -- "$part" "$errf" || why+=("message lacks '$part'")
	done
	left+=$(attached)
	[ -n "$left" ] && why+=("left behind: $left")
	if [ ${#why[@]} = 0 ]; then
		t_ok "$name"
	else
		t_fail "$name" "${why[@]}" "command: tflow $(printf '%q ' "$@" | cut -c1-300)" \
			"stderr: $(head -c 600 "$errf")"
	fi
	# one clean state for the next case, whatever this one did
	for part in v0 v1; do
		ip -n "$NS" link set dev "$part" xdp off 2>/dev/null
		tc -n "$NS" qdisc del dev "$part" clsact 2>/dev/null
	done
}

# bad_file NAME LINE WANT CONTENT: a configuration file (printf format CONTENT) refused with a
# message "FILE:LINE: ..." that contains WANT.
bad_file() {
	local name=$1 line=$2 want=$3 f
	f=$E2E_WORK/case-$((n_case + 1)).rsc
	# shellcheck disable=SC2059 # CONTENT is a format: escapes make the bad bytes
	printf "$4" >"$f"
	bad "file: $name" "$f:$line: ${want:+|$want}" run --config "$f"
}

# bad_set NAME WANT PROP=VALUE...: one `/ip traffic-flow set` line refused (line 1).
bad_set() { bad_file "set $1" 1 "$2" "/ip traffic-flow set ${*:3}\n"; }

# bad_target NAME WANT PROP=VALUE...: one `/ip traffic-flow target add` line refused (line 1).
bad_target() { bad_file "target add $1" 1 "$2" "/ip traffic-flow target add ${*:3}\n"; }

# ---------------------------------------------------------------- positive control

if tflow_launch control ip netns exec "$NS" "$TFLOW" run --interfaces v0; then
	ctl=$TFLOW_PID
	pins=$(nsenter --mount=/proc/$ctl/ns/mnt ls -A /sys/fs/bpf/tflow 2>&1 | tr '\n' ' ')
	now=$(attached)
	kill -TERM $ctl
	wait_pid $ctl 10
	case $now in *"v0: XDP program attached"*"v0: tc egress filter"*)
		t_ok "control: a valid run attaches XDP and tc to v0 (the checks below see them)" ;;
	*) t_fail "control: a valid run attaches XDP and tc to v0" "attached: $now" ;; esac
	case $pins in *tflow_flows*) t_ok "control: a valid run pins its maps in its mount namespace" ;;
	*) t_fail "control: a valid run pins its maps in its mount namespace" "found: $pins" ;; esac
	t_eq "control: SIGTERM detaches everything, exit 0" "$WAIT_RC $(attached)" "0 "
else
	die "control: tflow run --interfaces v0 starts" "$TFLOW_WHY"
fi

# ---------------------------------------------------------------- wrong types

bad_set "enabled=maybe" "enabled: 'maybe' is not accepted|yes or no" enabled=maybe
bad_set "interfaces=" "interfaces: '' is not accepted" interfaces=
bad_set "cache-entries=lots" "cache-entries: 'lots'" cache-entries=lots
bad_set "active-flow-timeout=soon" "active-flow-timeout: 'soon'" active-flow-timeout=soon
bad_set "inactive-flow-timeout=1x" "inactive-flow-timeout: '1x'" inactive-flow-timeout=1x
bad_set "packet-sampling=1" "packet-sampling: '1'|yes or no" packet-sampling=1
bad_set "sampling-interval=ten" "sampling-interval: 'ten'" sampling-interval=ten
bad_set "sampling-space=-1" "sampling-space: '-1'" sampling-space=-1
bad_set "scan-interval=fast" "scan-interval: 'fast'" scan-interval=fast
bad_set "a property without a value" "'enabled' after /ip traffic-flow set" enabled
bad_target "dst-address=collector" "dst-address: 'collector'" dst-address=collector
bad_target "port=http" "port: 'http'" dst-address=192.0.2.1 port=http
bad_target "version=v9" "version: 'v9'|1, 5, 9 or IPFIX" dst-address=192.0.2.1 version=v9
bad_target "src-address=localhost" "src-address: 'localhost'" dst-address=192.0.2.1 \
	src-address=localhost
bad_target "v9-template-refresh=often" "v9-template-refresh: 'often'" dst-address=192.0.2.1 \
	v9-template-refresh=often
bad_target "v9-template-timeout=1y" "v9-template-timeout: '1y'" dst-address=192.0.2.1 \
	v9-template-timeout=1y
bad_target "disabled=0" "disabled: '0'" dst-address=192.0.2.1 disabled=0
bad_target "mtu=jumbo" "mtu: 'jumbo'" dst-address=192.0.2.1 mtu=jumbo
bad_target "source-id=0x10" "source-id: '0x10'" dst-address=192.0.2.1 source-id=0x10
bad_target "address=192.0.2.1:x" "address: 'x'" address=192.0.2.1:x

# ---------------------------------------------------------------- out of range

bad_set "cache-entries=512" "cache-entries: '512'" cache-entries=512
bad_set "cache-entries=3000 (not a power of two)" "cache-entries: '3000'" cache-entries=3000
bad_set "cache-entries=8M" "cache-entries: '8M'" cache-entries=8M
bad_set "active-flow-timeout=0" "active-flow-timeout: '0'" active-flow-timeout=0
bad_set "inactive-flow-timeout=0s" "inactive-flow-timeout: '0s'" inactive-flow-timeout=0s
bad_set "scan-interval=50ms" "scan-interval: '50ms'|100ms to 1h" scan-interval=50ms
bad_set "scan-interval=2h" "scan-interval: '2h'" scan-interval=2h
bad_set "sampling-interval=4294967296" "sampling-interval: '4294967296'" \
	sampling-interval=4294967296
bad_set "active-flow-timeout overflowing 64 bits" "active-flow-timeout: '99999999w'" \
	active-flow-timeout=99999999w
bad_set "an interface name of 16 characters" "interfaces: 'abcdefghijklmnop'|longer than 15" \
	interfaces=abcdefghijklmnop
bad_set "65 interfaces" "interfaces:|more than 64" \
	"interfaces=$(seq -f 'e%g' -s, 1 65)"
bad_set "interfaces=all,v0" "interfaces: 'all,v0'" interfaces=all,v0
bad_set "an interface name with '/'" "interfaces: 'a/b'" interfaces=a/b
bad_target "port=0" "port: '0'|1 to 65535" dst-address=192.0.2.1 port=0
bad_target "port=65536" "port: '65536'" dst-address=192.0.2.1 port=65536
bad_target "mtu=575" "mtu: '575'|576 to 65535" dst-address=192.0.2.1 mtu=575
bad_target "mtu=65536" "mtu: '65536'" dst-address=192.0.2.1 mtu=65536
bad_target "v9-template-refresh=0" "v9-template-refresh: '0'" dst-address=192.0.2.1 \
	v9-template-refresh=0
bad_target "v9-template-timeout=0s" "v9-template-timeout: '0s'" dst-address=192.0.2.1 \
	v9-template-timeout=0s
bad_target "source-id=4294967296" "source-id: '4294967296'" dst-address=192.0.2.1 \
	source-id=4294967296
bad_target "dst-address=0.0.0.0" "dst-address: '0.0.0.0'|not a collector address" \
	dst-address=0.0.0.0
bad_target "src-address of the other family" "src-address: '2001:db8::1'" \
	dst-address=192.0.2.1 src-address=2001:db8::1
bad_target "no dst-address" "dst-address is required" port=2055
bad_file "17 targets" 17 "too many targets|at most 16" \
	"$(for i in $(seq 1 17); do printf '/ip traffic-flow target add dst-address=192.0.2.%d\\n' "$i"; done)"
printf '# sampling on, interval left 0\n/ip traffic-flow set packet-sampling=yes sampling-space=3\n' \
	>"$E2E_WORK/sampling.rsc"
bad "file: sampling without an interval (checked once the file is read: no line)" \
	"packet-sampling=yes needs sampling-interval" run --config "$E2E_WORK/sampling.rsc"
bad "inactive timeout longer than the active one" \
	"inactive-flow-timeout (1h) must not be longer than|active-flow-timeout (30m)" \
	run --inactive-flow-timeout 1h
bad "packet-sampling=yes without sampling-interval" "packet-sampling=yes needs sampling-interval" \
	run --packet-sampling yes

# ---------------------------------------------------------------- interface lists, patterns, direction

bad_file "a member of an undefined list" 1 \
	"list: 'WAN' is not accepted: no such list (add it first: /interface list add name=WAN)" \
	'/interface list member add interface=v0 list=WAN\n'
bad_file "a member before its list" 2 "no such list" \
	'# lists come first, as in a RouterOS export\n/interface list member add interface=v0 list=WAN\n/interface list add name=WAN\n'
bad_file "an unknown list in interfaces= (too long for an interface name)" 2 \
	"'uplinks-and-transit': a name longer than 15 characters, and no /interface list of that name" \
	'/interface list add name=WAN\n/ip traffic-flow set interfaces=WAN,uplinks-and-transit\n'
bad_file "a list added twice" 2 "list 'WAN' is added twice" \
	'/interface list add name=WAN\n/interface list add name=WAN\n'
bad_file "a list named all" 1 "name: 'all' is not accepted" '/interface list add name=all\n'
bad_file "a list as a member of a list" 3 "a list cannot be a member of a list" \
	'/interface list add name=WAN\n/interface list add name=LAN\n/interface list member add interface=LAN list=WAN\n'
bad_file "a member without list=" 2 "list is required" \
	'/interface list add name=WAN\n/interface list member add interface=v0\n'
bad_set "a pattern with an unclosed [" "interfaces: 'ppp[0-9'|a '[' without its ']'" \
	'interfaces=ppp[0-9'
bad_set "a pattern with '/'" "interfaces: 'vlan*/1'|cannot hold '/'" 'interfaces=vlan*/1'
bad_set "a pattern that only matches names over 15 characters" \
	"every name it matches is longer than 15 characters" 'interfaces=v0,????????????????*'
bad_set "direction=out" "direction: 'out' is not accepted (both, ingress or egress)" direction=out
bad "--direction in" "direction: 'in' is not accepted" run --interfaces v0 --direction in
bad_file "an interface entry without direction" 1 "direction is required" \
	'/ip traffic-flow interface add interface=ppp*\n'
bad_file "an interface entry with direction=sideways" 1 "direction: 'sideways'" \
	'/ip traffic-flow interface add interface=ppp* direction=sideways\n'
bad_file "an interface entry given twice" 2 "interface 'v*' is given twice" \
	'/ip traffic-flow interface add interface=v* direction=ingress\n/ip traffic-flow interface add interface=v* direction=egress\n'
bad_file "menu /interface bridge" 1 "unknown menu or command '/interface bridge'" \
	'/interface bridge add name=br0\n'

# ---------------------------------------------------------------- unknown names

bad_set "colour=red" "unknown property 'colour'|accepted: enabled, interfaces" colour=red
bad_target "colour=red" "unknown property 'colour'|dst-address" dst-address=192.0.2.1 colour=red
bad_file "menu /ip firewall" 1 "unknown menu or command '/ip firewall'" \
	'/ip firewall filter add chain=input\n'
bad_file "command print" 2 "unknown menu or command '/ip traffic-flow print'" \
	'# the menu is right, the command is not\n/ip traffic-flow print\n'
bad_file "command target remove" 1 "unknown menu or command '/ip traffic-flow target remove'" \
	'/ip traffic-flow target remove 0\n'
bad_file "set without a menu" 1 "unknown menu or command '/set'" 'set enabled=yes\n'
bad_file "a property with no menu" 1 "'enabled=...' needs a command" 'enabled=yes\n'


# ---------------------------------------------------------------- /ip traffic-flow ipfix, --ipfix

bad_file "ipfix: unknown field" 2 \
	"unknown property 'tcp-seq' for /ip traffic-flow ipfix set|accepted: bytes, packets,|nat-events, udp-length)" \
	'/ip traffic-flow ipfix set ttl=no\n/ip traffic-flow ipfix set tcp-seq=yes\n'
bad_file "ipfix: yes or no" 1 "tcp-seq-num: 'maybe' is not accepted (yes or no)" \
	'/ip traffic-flow ipfix set tcp-seq-num=maybe\n'
bad_file "ipfix: a field twice (name and alias)" 1 "ip-total-length: given twice" \
	'/ip traffic-flow ipfix set ip-total-length=no ip-total-lenght=yes\n'
bad_file "ipfix: command print" 1 "unknown menu or command '/ip traffic-flow ipfix print'" \
	'/ip traffic-flow ipfix print\n'
bad "--ipfix: unknown field" "unknown property 'nat-event' for --ipfix|accepted: bytes," \
	run --ipfix nat-events=no,nat-event=no
bad "--ipfix: yes or no" "nat-events: '1' is not accepted (yes or no)" run --ipfix nat-events=1
bad "--ipfix: no value" "'ttl' after --ipfix: expected FIELD=yes|no" run --ipfix ttl
bad "--ipfix: an empty item" "--ipfix 'ttl=no,': empty item" run --ipfix ttl=no,

# ---------------------------------------------------------------- duplicates

bad_set "enabled twice on one line" "enabled: given twice" enabled=yes enabled=no
bad_set "interfaces=v0,v0" "interfaces: 'v0,v0'|'v0' is listed twice" interfaces=v0,v0
bad_target "port twice" "port: given twice" dst-address=192.0.2.1 port=1 port=2
bad_target "address:port and port=" "port: the port is given twice" address=192.0.2.1:2055 \
	port=2056
bad_target "dst-address and address=" "the collector address is given twice" \
	dst-address=192.0.2.1 address=192.0.2.2
bad_file "the same collector added twice" 2 "192.0.2.1" \
	'/ip traffic-flow target add dst-address=192.0.2.1 port=2055\n/ip traffic-flow target add dst-address=192.0.2.1 port=2055 version=5\n'
bad "--target: the same collector twice" "192.0.2.1" \
	run --target 192.0.2.1:2055 --target 192.0.2.1:2055,version=IPFIX

# ---------------------------------------------------------------- overlong lines

long=$(head -c 4100 /dev/zero | tr '\0' a)
bad_file "a line of 4131 bytes" 1 "line longer than 4096 bytes" \
	"/ip traffic-flow set interfaces=$long\n"
bad_file "3 continued lines over 4096 bytes together, reported at their first" 2 \
	"line longer than 4096 bytes" \
	"# comment\n/ip traffic-flow set \\\\\n interfaces=${long:0:2000} \\\\\n ${long:0:2100}\n"
bad "--interfaces of 4100 bytes" "interfaces: longer than 4096 bytes" run --interfaces "$long"
bad "--target of 4100 bytes names the option" "target" run --target "$long"
bad_file "a line of 64 KiB" 1 "line longer than 4096 bytes" \
	"/ip traffic-flow set interfaces=$(head -c 65536 /dev/zero | tr '\0' b)\n"
bad_file "65 words on one line" 1 "more than 64 words" \
	"/ip traffic-flow set$(for i in $(seq 1 65); do printf ' enabled=yes'; done)\n"

# ---------------------------------------------------------------- non-UTF-8 bytes, control bytes

bad_set "a 0xff byte" "invalid UTF-8 at byte 33" 'interfaces=\xff'
bad_set "an overlong encoding of '/'" "invalid UTF-8 at byte 33" 'interfaces=\xc0\xaf'
bad_set "a UTF-16 surrogate" "invalid UTF-8 at byte 33" 'interfaces=\xed\xa0\x80'
bad_set "a sequence cut at the end of the line" "invalid UTF-8 at byte 33" 'interfaces=\xe2\x82'
bad_set "a code point above U+10FFFF" "invalid UTF-8 at byte 33" 'interfaces=\xf4\x90\x80\x80'
bad_set "a control character" "control character 0x01 at byte 34" 'interfaces=v\x01'
bad_set "DEL" "control character 0x7f at byte 34" 'interfaces=v\x7f'
bad_file "a NUL byte" 2 "NUL byte" '# fine\n/ip traffic-flow set enabled=yes\x00 enabled=no\n'
bad_file "Latin-1 in a comment line is still refused" 3 "invalid UTF-8" \
	'/ip traffic-flow set enabled=yes\n\n# caf\xe9\n'
bad_file "CRLF lines, the error on line 2" 2 "cache-entries: '5k'" \
	'\xef\xbb\xbf/ip traffic-flow set enabled=yes\r\n/ip traffic-flow set cache-entries=5k\r\n'
bad "--interfaces with a 0xff byte" "interfaces: invalid UTF-8" run --interfaces $'\xff'
bad "--active-flow-timeout with a control character" "active-flow-timeout: control character" \
	run --active-flow-timeout $'1m\x1b'
bad "--target with a 0xff byte names the option" "target|invalid UTF-8" run --target $'192.0.2.1\xff'
bad "--target with a control character names the option" "target|control character" \
	run --target $'192.0.2.1,version=5\x01'

# ---------------------------------------------------------------- target specs (--target)

bad "--target ''" "target '': address: ''" run --target ''
bad "--target collector.example" "target 'collector.example'|not an IP address" \
	run --target collector.example
bad "--target 192.0.2.1:" "target '192.0.2.1:'|'' is not accepted|1 to 65535" run --target 192.0.2.1:
bad "--target 192.0.2.1:99999" "target '192.0.2.1:99999'|'99999' is not accepted|1 to 65535" \
	run --target 192.0.2.1:99999
bad "--target [2001:db8::1" "target '[2001:db8::1'|no ']' before ':PORT'" run --target '[2001:db8::1'
bad "--target [192.0.2.1]:2055" "target '[192.0.2.1]:2055'|not an IP address" \
	run --target '[192.0.2.1]:2055'
bad "--target 0.0.0.0" "target '0.0.0.0'|not a collector address" run --target 0.0.0.0
bad "--target ...,version=7" "version: '7'|1, 5, 9 or IPFIX" run --target 192.0.2.1,version=7
bad "--target ...,nosuch=1" "unknown property 'nosuch'" run --target 192.0.2.1,nosuch=1
bad "--target ...,mtu (no value)" "'mtu'|expected PROP=VALUE" run --target 192.0.2.1,mtu
bad "--target ...,=5" "target '192.0.2.1,=5'" run --target 192.0.2.1,=5
bad "--target ...,port=1,port=2" "port: given twice" run --target 192.0.2.1,port=1,port=2
bad "--target ...:2055,port=2056" "the port is given twice" run --target 192.0.2.1:2055,port=2056
bad "--target ...,src-address=::1" "src-address: '::1'" run --target 192.0.2.1,src-address=::1
bad "--target ...,mtu=100" "mtu: '100'" run --target 192.0.2.1,mtu=100
bad "--target with 65 properties" "more than 64 properties" \
	run --target "192.0.2.1$(for i in $(seq 1 65); do printf ',mtu=1500'; done)"
many=()
for i in $(seq 1 17); do many+=(--target "192.0.2.$i"); done
bad "17 --target" "too many targets" run "${many[@]}"

# ---------------------------------------------------------------- long options and commands

bad "--nosuch 1" "unrecognized option '--nosuch'|usage:" run --nosuch 1
bad "--cache-entries without its value" "option '--cache-entries' requires an argument" \
	run --cache-entries
bad "-x" "invalid option -- 'x'" run -x
bad "a stray argument" "unexpected argument 'eth0'" run eth0
bad "--cache-entries=3000" "cache-entries: '3000'" run --cache-entries=3000
bad "--sampling-space=-5" "sampling-space: '-5'" run --sampling-space=-5
bad "--enabled maybe" "enabled: 'maybe'" run --enabled maybe
bad "--scan-interval 0" "scan-interval: '0'" run --scan-interval 0
bad "--interfaces ''" "interfaces: ''" run --interfaces ''
bad "--config of a missing file" "/nonexistent/tflow.rsc: cannot open" \
	run --config /nonexistent/tflow.rsc
bad "--config of a directory" "$E2E_WORK" run --config "$E2E_WORK"
bad "--user of a user that does not exist (checked before anything is loaded)" \
	"--user nosuchuser-tflow|no such user" run --user nosuchuser-tflow
bad "an unknown command" "unknown command 'runn'" runn
bad "no command" "usage:"
bad "the file's error is reported though the command line is fine" "cache-entries: '3k'" \
	run --interfaces v0 --config <(printf '/ip traffic-flow set cache-entries=3k\n')

# one case whose file error comes after lines that were fine: the line number is the file's
bad_file "the error on line 5 after good lines, a comment and a menu" 5 "port: '0'" \
	'/ip traffic-flow set enabled=yes\n# collectors\n/ip traffic-flow target\nadd dst-address=192.0.2.1 port=2055\nadd dst-address=192.0.2.2 port=0\n'

log "$n_case cases"
t_finish
