#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_tshark_decode.sh - tshark decodes every v9 and IPFIX datagram tflow sends, cleanly.
#
# One tflow, four targets on lo in $NS_B (a UDP sink listens on each port): v9 on 2055 and IPFIX on
# 2056 (mtu 1500), v9 on 2057 and IPFIX on 2058 with mtu=576; packet sampling on, interval 2, space
# 3; dual-stack traffic (dual_stack_traffic) and 60 one-packet UDP flows, so that the flush at
# shutdown needs several 576-byte datagrams. The export datagrams are captured on lo.
# Pass:
#   - the capture on va holds exactly the scripted traffic;
#   - tshark (-d udp.port==P,cflow) decodes every datagram as cflow, none malformed, no expert
#     warning or error (tshark checks the sequence numbers itself and warns "Unexpected flow
#     sequence"; a data set before its template is "no template found", a warning too);
#   - the first datagram of each target carries templates 256, 257 (flows), 259, 260 (NAT events:
#     every ipfix field is selected by default), options template 258 and options template 261
#     (interface names: in-interface is selected), as tshark decodes them, and every sampling
#     options record announces the configured sampling: v9
#     samplingInterval 3 (1 in round((2+3)/2), half up, as v5) and samplingAlgorithm 1
#     (deterministic); IPFIX samplingPacketInterval 2 and samplingPacketSpace 3;
#   - every flow's start and end, as tshark computes them (IPFIX flowStart/EndMilliseconds; v9 the
#     header's unix seconds minus (sysUptime - First/Last)), lie within 1 s of the time the traffic
#     was sent; and, flow by flow (flows.py), within 1 s (v9: whole header seconds make it up to
#     1 s early) or 0.1 s (IPFIX, milliseconds) of that flow's first and last packet on the wire;
#   - flows.py's own decoding: v9 sequence +1 per datagram, IPFIX sequence + the data records of
#     the previous message, templates at least every 20 datagrams, IP length <= mtu (576 and
#     1500), and tshark's IP lengths agree (none over 576 on 2057/2058); the interface options
#     records (261) name vb by its ifindex, and come before any flow record;
#   - tshark decodes interfaceName (82) "vb" for vb's ifindex, in v9 (scope Interface) and IPFIX
#     (scope ingressInterface), to each target;
#   - all records arrive: the 576-byte targets carry the same flow table as the 1500-byte ones
#     (in more datagrams), v9 the same as IPFIX, and tshark's packet and byte sums per target
#     equal flows.py's.
TOPO_IPV6=1
. "$(dirname "$0")/lib.sh"

need root ip ethtool tcpdump tshark ping ss tflow scapy
need_tflow_exporter
topo_create
udp_sink collectors 2055 2056 2057 2058 || exit 1
capture_start export lo "$NS_B" udp portrange 2055-2058
exporter_start --target "127.0.0.1:2055,version=9" --target "127.0.0.1:2056,version=IPFIX" \
	--target "127.0.0.1:2057,version=9,mtu=576" --target "127.0.0.1:2058,version=IPFIX,mtu=576" \
	--active-flow-timeout 30m --inactive-flow-timeout 60s \
	--packet-sampling yes --sampling-interval 2 --sampling-space 3
dual_stack_servers

capture_start
T0=$(date +%s.%N)
dual_stack_traffic
t_check "traffic: 60 one-packet udp flows" traffic "$NS_A" udp-flows "$IF_A" "$MAC_B" \
	"$IP_A" "$IP_B" 5001 60 64 --sport-base 10000
T1=$(date +%s.%N)
capture_stop
exporter_stop
capture_stop export

dual_stack_oracle 60

X=$E2E_WORK/export.pcap
TS=(tshark -n -r "$X" -d udp.port==2055,cflow -d udp.port==2056,cflow -d udp.port==2057,cflow
	-d udp.port==2058,cflow)
n_all=$(tcpdump -r "$X" -n 2>/dev/null | grep -c .)
t_eq "tshark: every captured datagram decodes as cflow (v9 or IPFIX)" \
	"$("${TS[@]}" -Y 'cflow.version == 9 || cflow.version == 10' 2>/dev/null | grep -c .)" "$n_all"
# (tshark 4.0's -z expert prints nothing here; the severity filter finds the same frames)
t_check "tshark: no datagram malformed, no expert warning or error (sequence ones included)" \
	bash -c "! \"\${@}\" -Y '_ws.malformed || _ws.expert.severity >= 0x600000' -V 2>/dev/null |
		grep -E '^Frame [0-9]+:|Malformed|Expert Info \((Warning|Error)'" _ "${TS[@]}"
log "tshark: $n_all datagrams"

# Per datagram: port, version, sequence, template ids (data and options), sampling fields.
"${TS[@]}" -T fields -E separator=/t -E occurrence=a -E aggregator=, -e udp.dstport \
	-e cflow.version -e cflow.sequence -e cflow.flowset_id -e cflow.template_id \
	-e cflow.sampling_interval -e cflow.sampling_algorithm -e cflow.sampling_packet_interval \
	-e cflow.sampling_packet_space >"$E2E_WORK/tshark-hdr.tsv" 2>"$E2E_WORK/tshark.err"
t_check "tshark: first datagram of each target: templates 256, 257, 259, 260, options 258, 261" \
	awk -F'\t' '!seen[$1]++ { want = $2 == 9 ? "0,1" : "2,3"
		if (index($4, want) != 1 || $5 != "256,257,259,260,258,261") { print "port " $1 ": " $0; bad = 1 } }
		END { if (length(seen) != 4) { print "ports seen: " length(seen); bad = 1 }; exit bad }' \
	"$E2E_WORK/tshark-hdr.tsv"
t_check "tshark: v9 options: samplingInterval 3, samplingAlgorithm 1 (every one, 2 targets)" \
	awk -F'\t' '$2 == 9 && $6 != "" { n++; if ($6 != 3 || $7 != 1) { print; bad = 1 } }
		END { if (n < 2) { print n " v9 options records"; bad = 1 }; exit bad }' \
	"$E2E_WORK/tshark-hdr.tsv"
t_check "tshark: IPFIX options: samplingPacketInterval 2, samplingPacketSpace 3 (every one)" \
	awk -F'\t' '$2 == 10 && $8 != "" { n++; if ($8 != 2 || $9 != 3) { print; bad = 1 } }
		END { if (n < 2) { print n " IPFIX options records"; bad = 1 }; exit bad }' \
	"$E2E_WORK/tshark-hdr.tsv"

# Interface names as tshark decodes them: port, scope ifindex (v9) or ingressInterface (IPFIX),
# interfaceName; only the frames that carry no flow record, so the ifindex is the scope's.
IFX_B=$(nsb cat "/sys/class/net/$IF_B/ifindex")
"${TS[@]}" -Y 'cflow.if_name && !cflow.octets' -T fields -E separator=/t -e udp.dstport \
	-e cflow.scope_interface -e cflow.inputint -e cflow.if_name >"$E2E_WORK/tshark-ifnames.tsv" \
	2>>"$E2E_WORK/tshark.err"
t_eq "tshark: interfaceName $IF_B for ifindex $IFX_B, v9 and IPFIX, to each target" \
	"$(sort -u "$E2E_WORK/tshark-ifnames.tsv" | tr '\t\n' ' ;')" \
	"2055 $IFX_B  $IF_B;2056  $IFX_B $IF_B;2057 $IFX_B  $IF_B;2058  $IFX_B $IF_B;"

# Flow times as tshark computes them, in epoch seconds.
"${TS[@]}" -T fields -E separator=/t -E occurrence=a -E 'aggregator=;' -e udp.dstport \
	-e cflow.version -e cflow.unix_secs -e cflow.sysuptime -e cflow.timestart -e cflow.timeend \
	-e cflow.abstimestart -e cflow.abstimeend >"$E2E_WORK/tshark-times.tsv" \
	2>>"$E2E_WORK/tshark.err"
t_check "tshark: every flow's start and end lie within 1 s of when the traffic was sent" \
	"$PY" - "$E2E_WORK/tshark-times.tsv" "$T0" "$T1" <<'PYEOF'
import sys
from datetime import datetime, timezone

def epoch(s):
    # tshark 4.0 prints FT_ABSOLUTE_TIME as "Nov 22, 2026 10:20:31.930000000 UTC"
    s = s.strip().replace(" UTC", "")
    d, frac = s.rsplit(".", 1)
    t = datetime.strptime(d, "%b %d, %Y %H:%M:%S").replace(tzinfo=timezone.utc)
    return t.timestamp() + float("0." + frac)

t0, t1 = float(sys.argv[2]) - 1, float(sys.argv[3]) + 1
n = bad = 0
for line in open(sys.argv[1]):
    fields = (line.rstrip("\n").split("\t") + [""] * 8)[:8]
    port, version, secs, up, start, end, astart, aend = fields
    if version == "9" and start:
        base = int(secs) - float(up)
        times = [base + float(x) for x in start.split(";") + end.split(";")]
    elif version == "10" and astart:
        times = [epoch(x) for x in astart.split(";") + aend.split(";")]
    else:
        continue
    for t in times:
        n += 1
        if not t0 <= t <= t1:
            bad += 1
            if bad <= 10:
                print("port %s: flow time %.3f outside [%.3f, %.3f]" % (port, t, t0, t1))
print("%d flow times checked" % n)
sys.exit(1 if bad or n == 0 else 0)
PYEOF

for p in "2055 9 1500" "2056 10 1500 4" "2057 9 576" "2058 10 576 4"; do
	set -- $p
	check_export "export to $1: v$2 stream rules (sequence, templates, sampling 2:3, mtu $3)" \
		"$X" "$1" "$2" --mtu "$3" --refresh 20 --sampling 2:3 ${4:+--end-reasons $4} \
		--ifnames "$IFX_B=$IF_B"
done
# v9: 1 s for the header's whole seconds, 10 ms more for the truncated sysUptime milliseconds
for p in "2055 1.01" "2056 0.1" "2057 1.01" "2058 0.1"; do
	set -- $p
	t_check "export to $1: each flow's start/end within $2 s of its packets on the wire" \
		"$PY" "$E2E_DIR/flows.py" check-times "$X" --port "$1" --pcap "$CAPTURE_PCAP" \
		--tolerance "$2"
done
t_eq "tshark: no IP packet over 576 bytes to 2057/2058" \
	"$("${TS[@]}" -Y 'udp.dstport in {2057 2058} && ip.len > 576' 2>/dev/null | grep -c .)" 0

for p in 2055 2056 2057 2058; do
	"$PY" "$E2E_DIR/flows.py" export "$X" --port "$p" | sed '/^total/,$d' >"$E2E_WORK/export-$p.tsv"
done
t_check "export: the 576-byte v9 target carries the same flows as the 1500-byte one" \
	diff "$E2E_WORK/export-2055.tsv" "$E2E_WORK/export-2057.tsv"
t_check "export: the 576-byte IPFIX target carries the same flows as the 1500-byte one" \
	diff "$E2E_WORK/export-2056.tsv" "$E2E_WORK/export-2058.tsv"
t_check "export: v9 and IPFIX carry the same flows" \
	diff "$E2E_WORK/export-2055.tsv" "$E2E_WORK/export-2056.tsv"
t_check "export: the 576-byte targets need more datagrams than the 1500-byte ones" \
	test "$(export_datagrams "$X" 2057 | grep -c .)" -gt "$(export_datagrams "$X" 2055 | grep -c .)" \
	-a "$(export_datagrams "$X" 2058 | grep -c .)" -gt "$(export_datagrams "$X" 2056 | grep -c .)"
for p in 2055 2056 2057 2058; do
	got="$("${TS[@]}" -Y "udp.dstport == $p" -T fields -E occurrence=a -E aggregator=, \
		-e cflow.packets -e cflow.octets 2>/dev/null | tr '\t' '\n' | awk -v n=0 '
		NR % 2 { for (i = split($0, a, ","); i; i--) p += a[i]; next }
		{ for (i = split($0, a, ","); i; i--) b += a[i] } END { printf "%d %d", p, b }')"
	t_eq "tshark: packets and bytes sent to $p equal flows.py's decoding" "$got" \
		"$(awk -F'\t' '/^[0-9]/ { p += $7; b += $8 } END { printf "%d %d", p, b }' \
			"$E2E_WORK/export-$p.tsv")"
done
t_finish
