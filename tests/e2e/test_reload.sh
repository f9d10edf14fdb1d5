#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_reload.sh - SIGHUP reloads the configuration file without losing the cache.
#
# tflow runs from a RouterOS-syntax file. Between traffic phases the file changes and tflow gets
# SIGHUP: a second target (IPFIX) and a second interface are added, a broken file is refused
# (the old configuration stays), then the first interface is removed.
# Pass: the v5 target's totals equal the capture exactly (the cache survived every reload), the
# IPFIX target added by the reload receives data, the interfaces attached/detached follow the
# file, and each reload is logged.
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump nfcapd nfdump ss tflow scapy
topo_create
collector_start 2055 nfcapd
collector_start 2056 ipfix
udp_sink udp-sink 5001 || exit 1
# A second interface in the gateway namespace, to add and remove by reload.
nsb ip link add vx type veth peer name vy || die "topology: second veth"
nsb ip link set vx up
nsb ip link set vy up

CONF=$E2E_WORK/tflow.conf
write_conf() { # INTERFACES [extra target line]
	{
		echo "/ip traffic-flow set enabled=yes interfaces=$1 inactive-flow-timeout=30s \\"
		echo "    active-flow-timeout=30m scan-interval=250ms"
		echo "/ip traffic-flow target add dst-address=127.0.0.1 port=2055 version=5"
		[ -n "${2:-}" ] && echo "$2"
	} >"$CONF"
}
has_xdp() { nsb ip link show dev "$1" | grep -q xdp; }
reloads() { grep -c 'configuration reloaded' "$E2E_WORK/tflow.log"; }
hup() { # expected count of 'reloaded' lines after it
	kill -HUP "$EXPORTER_PID"
	wait_for 5 sh -c "[ \$(grep -c 'configuration reloaded\|not reloaded' $E2E_WORK/tflow.log) -ge $1 ]"
}

write_conf vb
capture_start
log "exporter: $TFLOW run --config $CONF"
tflow_launch tflow ip netns exec "$NS_B" "$TFLOW" run --config "$CONF" ||
	die "exporter: tflow started" "$TFLOW_WHY"
EXPORTER_PID=$TFLOW_PID
t_check "traffic: phase 1, 50 datagrams" traffic "$NS_A" udp-send "$IP_B" 5001:50:100 --sport 40001

write_conf vb,vx "/ip traffic-flow target add dst-address=127.0.0.1 port=2056 version=IPFIX"
hup 1
t_eq "reload 1 logged" "$(reloads)" 1
t_check "reload 1: vx attached" has_xdp vx
t_check "reload 1: vb still attached" has_xdp vb
t_check "traffic: phase 2, 50 datagrams" traffic "$NS_A" udp-send "$IP_B" 5001:50:100 --sport 40001

echo "/ip traffic-flow set cache-entries=3k" >>"$CONF"
hup 2
t_check "a broken file is refused, the old configuration stays" \
	grep -q "3k' is not accepted" "$E2E_WORK/tflow.log"
t_check "after the refused reload vb is still attached" has_xdp vb
t_check "tflow still runs after a refused reload" kill -0 "$EXPORTER_PID"

write_conf vx "/ip traffic-flow target add dst-address=127.0.0.1 port=2056 version=IPFIX"
hup 3
t_eq "reload 3 logged" "$(reloads)" 2
t_check "reload 3: vb detached" sh -c "! ip -n $NS_B link show dev vb | grep -q xdp"
t_check "reload 3: vx still attached" has_xdp vx
capture_stop
exporter_stop
collector_stop nfcapd
collector_stop ipfix

oracle_table
t_eq "oracle: 100 datagrams of 128 bytes" "$(oracle_flow 17 "$IP_A" 40001 "$IP_B" 5001)" \
	"100 12800 10000"
check_flows_in "${COLL_DIR[nfcapd]}" "v5: totals equal the capture across three reloads"
t_check "IPFIX target added by reload received the flow" sh -c \
	"nfdump -R ${COLL_DIR[ipfix]} -q -N -o 'fmt:%sp %dp %pkt' | grep -q '40001 *5001 *100'"
t_finish
