#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""ipfix_fields.py - checks tshark's decoding of a v9/IPFIX export stream against the templates
tflow must send for its field selection.

usage: ipfix_fields.py [--records IDS] TSHARK_JSON VERSION ID=ELEMENTS...

TSHARK_JSON is `tshark -T json --no-duplicate-keys` of the datagrams to one target; VERSION 9 or
10; each ID=ELEMENTS is a data template id and its element ids in order (e.g. 256=8,12,2,1,60,61).
Checks, printing every problem (exit 1 on any):
  - every template tshark shows is one of those (or the options template 258), with exactly those
    elements in that order and the lengths below, and each of them is announced;
  - records of the interface options template 261 come exactly when in- or out-interface is
    selected (element 10 or 14 in a template), and each holds exactly the ifindex (v9: the scope
    Interface; IPFIX: ingressInterface) and a non-empty interfaceName, as tshark decodes them;
  - every data record carries exactly the tshark fields of its template's elements (the table
    below: tshark's own names, so an element tshark does not know or decodes under another name
    shows up), and at least one record arrives for each flow template (256, 257; --records: for
    each of IDS);
  - values tflow computes itself: ipVersion (4 in 256, 6 in 257), isMulticast from the
    destination address (IANA: 0x80 IPv4 multicast; IPv6 multicast: T flag 0x10 | scope), ICMP
    type and code (176-179, and 32/139) from the destination port of ICMP records, one
    systemInitTimeMilliseconds throughout, equal to the IPFIX options record's.
"""
import ipaddress
import json
import sys
from collections import Counter

# element id -> (IPFIX length, tshark data field names)
ELEMENTS = {
    1: (8, ["cflow.octets"]),
    2: (8, ["cflow.packets"]),
    4: (1, ["cflow.protocol"]),
    5: (1, ["cflow.tos"]),
    6: (2, ["cflow.tcpflags"]),
    7: (2, ["cflow.srcport"]),
    8: (4, ["cflow.srcaddr"]),
    9: (1, ["cflow.srcmask"]),
    10: (4, ["cflow.inputint"]),
    11: (2, ["cflow.dstport"]),
    12: (4, ["cflow.dstaddr"]),
    13: (1, ["cflow.dstmask"]),
    14: (4, ["cflow.outputint"]),
    15: (4, ["cflow.nexthop"]),
    21: (4, ["cflow.timeend"]),
    22: (4, ["cflow.timestart"]),
    27: (16, ["cflow.srcaddrv6"]),
    28: (16, ["cflow.dstaddrv6"]),
    29: (1, ["cflow.srcmaskv6"]),
    30: (1, ["cflow.dstmaskv6"]),
    31: (4, ["cflow.ipv6flowlabel"]),
    32: (2, ["cflow.icmp_type_code_ipv4"]),
    33: (1, ["cflow.igmp_type"]),
    56: (6, ["cflow.srcmac"]),
    60: (1, ["cflow.ip_version"]),
    61: (1, ["cflow.direction"]),
    62: (16, ["cflow.nexthopv6"]),
    80: (6, ["cflow.dstmac"]),
    136: (1, ["cflow.flow_end_reason"]),
    139: (2, ["cflow.icmp_ipv6_type", "cflow.icmp_ipv6_code"]),  # tshark splits it
    152: (8, ["cflow.abstimestart"]),
    153: (8, ["cflow.abstimeend"]),
    160: (8, ["cflow.sys_init_time"]),
    176: (1, ["cflow.icmp_ipv4_type"]),
    177: (1, ["cflow.icmp_ipv4_code"]),
    178: (1, ["cflow.icmp_ipv6_type"]),
    179: (1, ["cflow.icmp_ipv6_code"]),
    184: (4, ["cflow.tcp_seq_num"]),
    185: (4, ["cflow.tcp_ack_num"]),
    186: (2, ["cflow.tcp_windows_size"]),
    189: (1, ["cflow.ip_header_length"]),
    192: (1, ["cflow.ip_ttl"]),
    205: (2, ["cflow.udp_length"]),
    206: (1, ["cflow.is_multicast"]),
    224: (2, ["cflow.ip_total_length"]),
    225: (4, ["cflow.post_natsource_ipv4_address"]),
    226: (4, ["cflow.post_natdestination_ipv4_address"]),
    227: (2, ["cflow.post_naptsource_transport_port"]),
    228: (2, ["cflow.post_naptdestination_transport_port"]),
    230: (1, ["cflow.nat_event"]),
    281: (16, ["cflow.post_nat_source_ipv6_address"]),
    282: (16, ["cflow.post_nat_destination_ipv6_address"]),
    323: (8, ["cflow.observation_time_milliseconds"]),
}
# What tshark adds that is no element: sub-trees of flags and its own computed duration.
SYNTHETIC = ("cflow.tcpflags.", "cflow.timedelta")


def length(ie, version):
    return 1 if version == 9 and ie == 6 else ELEMENTS[ie][0]


def flatten(o, out):
    """Every leaf field of a decoded record, lists (repeated fields) counted per item."""
    for k, v in o.items():
        if isinstance(v, dict):
            flatten(v, out)
        elif k.startswith(SYNTHETIC) or not k.startswith("cflow."):
            continue
        elif isinstance(v, list):
            out.extend((k, x) for x in v)
        else:
            out.append((k, v))


def multicast(addr):
    a = ipaddress.ip_address(addr)
    if not a.is_multicast:
        return 0
    return 0x80 if a.version == 4 else a.packed[1] & 0x1F


def main():
    args = sys.argv[1:]
    need = [256, 257]
    if args[0] == "--records":
        need = [int(x) for x in args[1].split(",")]
        args = args[2:]
    path, version, specs = args[0], int(args[1]), args[2:]
    want = {int(k): [int(x) for x in v.split(",")] for k, v in (s.split("=") for s in specs)}
    ifnames = any(10 in ids or 14 in ids for ids in want.values())
    tmpl_key = "cflow.template_field_type" if version == 9 else "cflow.template_ipfix_field_type"
    problems, seen, records = [], set(), Counter()
    init_times = set()
    for n, frame in enumerate(json.load(open(path)), 1):
        cf = frame["_source"]["layers"].get("cflow")
        if cf is None:
            problems.append("datagram %d: not decoded as cflow" % n)
            continue
        if int(cf["cflow.version"]) != version:
            problems.append("datagram %d: version %s" % (n, cf["cflow.version"]))
        for sname, s in cf.items():
            if not sname.startswith(("FlowSet ", "Set ")):
                continue
            for tname, t in s.items():
                if tname.startswith("Template ("):
                    tid = int(t["cflow.template_id"])
                    fields = [f for k, f in t.items() if k.startswith("Field (")]
                    ids = [int(f[tmpl_key]) for f in fields]
                    lens = [int(f["cflow.template_field_length"]) for f in fields]
                    seen.add(tid)
                    if tid not in want:
                        problems.append("datagram %d: template %d not expected" % (n, tid))
                    elif ids != want[tid]:
                        problems.append("datagram %d: template %d has %s, want %s" %
                                        (n, tid, ids, want[tid]))
                    elif lens != [length(i, version) for i in ids]:
                        problems.append("datagram %d: template %d lengths %s" % (n, tid, lens))
                elif tname.startswith("Flow "):
                    sid = int(s["cflow.flowset_id"])
                    got = []
                    flatten(t, got)
                    if sid == 258:
                        init_times.update(v for k, v in got if k == "cflow.sys_init_time")
                        continue
                    if sid == 261 and ifnames:
                        records[sid] += 1
                        check_ifname(n, version, got, problems)
                        continue
                    if sid not in want:
                        problems.append("datagram %d: data set %d" % (n, sid))
                        continue
                    records[sid] += 1
                    check_record(n, sid, want[sid], got, problems, init_times)
    for tid in sorted(set(want) - seen):
        problems.append("template %d never announced" % tid)
    if ifnames and not records[261]:
        problems.append("no interface options record (261), with in- or out-interface selected")
    for tid in need:
        if not records[tid]:
            problems.append("no data record of template %d" % tid)
    if len(init_times) > 1:
        problems.append("systemInitTimeMilliseconds differs: %s" % sorted(init_times))
    print("templates %s; data records %s; problems %d" %
          (sorted(seen), dict(sorted(records.items())), len(problems)))
    for p in problems[:30]:
        print(p)
    return 1 if problems else 0


def check_ifname(n, version, got, problems):
    """A record of options template 261: the ifindex as its scope, and a name."""
    scope = "cflow.scope_interface" if version == 9 else "cflow.inputint"
    names = sorted(k for k, _ in got)
    if names != sorted([scope, "cflow.if_name"]):
        problems.append("datagram %d set 261: fields %s, want %s and cflow.if_name" %
                        (n, names, scope))
    elif not dict(got)["cflow.if_name"]:
        problems.append("datagram %d set 261: an empty interfaceName" % n)


def check_record(n, sid, ids, got, problems, init_times):
    where = "datagram %d set %d" % (n, sid)
    names = Counter(k for k, _ in got)
    want = Counter(name for i in ids for name in ELEMENTS[i][1])
    if names != want:
        problems.append("%s: fields %s missing, %s not expected" % (
            where, sorted((want - names).elements()), sorted((names - want).elements())))
        return
    f = {}
    for k, v in got:
        f.setdefault(k, []).append(v)
    one = {k: v[0] for k, v in f.items()}
    if 60 in ids and int(one["cflow.ip_version"]) != (4 if sid == 256 else 6):
        problems.append("%s: ipVersion %s" % (where, one["cflow.ip_version"]))
    dst = one.get("cflow.dstaddr", one.get("cflow.dstaddrv6"))
    if 206 in ids and int(one["cflow.is_multicast"], 16) != multicast(dst):
        problems.append("%s: isMulticast %s for %s" % (where, one["cflow.is_multicast"], dst))
    if 160 in ids:
        init_times.add(one["cflow.sys_init_time"])
    if "cflow.protocol" in one and "cflow.dstport" in one:
        icmp = int(one["cflow.protocol"]) in (1, 58)
        dport = int(one["cflow.dstport"])
        t, c = (dport >> 8, dport & 0xFF) if icmp else (0, 0)
        for k in ("cflow.icmp_ipv4_type", "cflow.icmp_ipv6_type"):
            if any(int(x) != t for x in f.get(k, [])):
                problems.append("%s: %s %s, want %d (dport %d)" % (where, k, f[k], t, dport))
        for k in ("cflow.icmp_ipv4_code", "cflow.icmp_ipv6_code"):
            if any(int(x) != c for x in f.get(k, [])):
                problems.append("%s: %s %s, want %d (dport %d)" % (where, k, f[k], c, dport))
        if "cflow.icmp_type_code_ipv4" in one and int(one["cflow.icmp_type_code_ipv4"], 16) != \
                (dport if icmp else 0):
            problems.append("%s: icmpTypeCode %s, dport %d" % (
                where, one["cflow.icmp_type_code_ipv4"], dport))


if __name__ == "__main__":
    sys.exit(main())
