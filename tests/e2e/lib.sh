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
#
# This file sets the defaults, then sources its parts from lib/ next to it, by topic:
#	base.sh       results (t_ok, t_fail, t_check, ...), need, wait_for, wait_pid, bg_start/stop
#	topo.sh       pins_private, e2e_init and the EXIT trap's teardown, topo_create, gw_create
#	exporter.sh   tflow_launch, exporter_start/stop, pins and maps, the softflowd stand-in
#	collector.sh  nfcapd (collector_start/stop, nfdump_csv) and pmacct nfacctd
#	oracle.sh     the capture (capture_start/stop), flow tables, check_flows*, check_export
#	traffic.sh    traffic.py in a namespace, udp_sink, the dual-stack traffic and its oracle
#	fault.sh      the fault tests' helpers: a second link, drops, CPU ticks, XDP/tc, export lags

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

# the parts, next to this file (E2E_DIR is absolute: the caller's cwd does not matter)
. "$E2E_DIR/lib/base.sh"
. "$E2E_DIR/lib/topo.sh"
. "$E2E_DIR/lib/exporter.sh"
. "$E2E_DIR/lib/collector.sh"
. "$E2E_DIR/lib/oracle.sh"
. "$E2E_DIR/lib/traffic.sh"
. "$E2E_DIR/lib/fault.sh"
