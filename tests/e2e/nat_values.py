#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""nat_values.py - the checker of test_ipfix_nat_values: a collector's records against the truth.

usage: nat_values.py --lan PCAP,MAC,IFINDEX --wan PCAP,MAC,IFINDEX --expect FILE --events FILE
                     (--tshark JSON | --nfdump JSON) --version 9|10

JSON is `tshark -T json --no-duplicate-keys` of the export datagrams to one target, or
`nfdump -o json` of one collector's files. Exit 0 when every expected record is there exactly once
with the right values, nothing else is, and the NAT events are exactly those of EVENTS.

The captures are of the two links of the gateway, each taken at the far end: a frame sent by
MAC (the gateway's end) is an egress observation at IFINDEX, any other an ingress one. FILE has
one expected record a line: PROTO in|out IFINDEX SRC SPORT DST DPORT KEY=VALUE..., with keys
  in, out       ingress/egress ifindex          gw         next hop
  nat           post-NAT SRC,SPORT,DST,DPORT, or - (none: zeros)
  mask          SRC/DST prefix lengths          mac        SRC,DST MACs
  ttl tos hl tl udp fl igmp seq ack win pk      first-packet TTL, ToS, IP header length, IP
                total length, UDP length, flow label, IGMP type, TCP seq/ack/window; packets
  ismc          isMulticast (default 0)
in, out, gw, nat, mask are what only the test knows; every first-packet field, the MACs, TCP
flags, packets and bytes are also taken from the capture: a record must equal both, and a
literal that the capture contradicts is a fault of the test. EVENTS has one NAT event a line:
EVENT PROTO SRC SPORT DST DPORT NAT_SRC NAT_SPORT NAT_DST NAT_DPORT.
"""

import argparse
import ipaddress
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


FIRST = ("ttl", "tos", "hl", "tl", "udp", "fl", "igmp", "seq", "ack", "win", "smac", "dmac")


def first_packets(spec):
    """(proto, dir, ifindex, src, sport, dst, dport) -> first-packet fields, flags, totals."""
    import flows  # the e2e oracle's frame reader

    path, mac, ifindex = spec.split(",")
    mac, ifindex = bytes.fromhex(mac.replace(":", "")), int(ifindex)
    out = {}
    for _ts, frame, ethertype, off, dmac, smac in flows.frames(path):
        ip = frame[off:]
        f = {"smac": ":".join("%02x" % b for b in smac), "dmac": ":".join("%02x" % b for b in dmac),
             "udp": 0, "fl": 0, "igmp": 0, "seq": 0, "ack": 0, "win": 0}
        if ethertype == 0x0800:
            ihl = (ip[0] & 15) * 4
            f.update(tos=ip[1], tl=struct.unpack_from("!H", ip, 2)[0], ttl=ip[8], hl=ihl)
            proto, src, dst, l4 = ip[9], ip[12:16], ip[16:20], ip[ihl:]
            nbytes = f["tl"]
        elif ethertype == 0x86DD:
            w = struct.unpack_from("!I", ip)[0]
            plen, proto, hlim = struct.unpack_from("!HBB", ip, 4)
            f.update(tos=(w >> 20) & 0xFF, fl=w & 0xFFFFF, tl=plen + 40, ttl=hlim, hl=40)
            src, dst, l4 = ip[8:24], ip[24:40], ip[40:]
            nbytes = plen + 40
        else:
            sys.exit("check: %s: a frame of ethertype 0x%04x" % (path, ethertype))
        sport = dport = flags = 0
        if proto in (6, 17):
            sport, dport = struct.unpack_from("!HH", l4)
        if proto in (1, 58):
            dport = l4[0] * 256 + l4[1]
        if proto == 6:
            f["seq"], f["ack"] = struct.unpack_from("!II", l4, 4)
            flags, f["win"] = l4[13], struct.unpack_from("!H", l4, 14)[0]
        elif proto == 17:
            f["udp"] = struct.unpack_from("!H", l4, 4)[0]
        elif proto == 2:
            f["igmp"] = l4[0]
        key = (proto, "out" if smac == mac else "in", ifindex, str(ipaddress.ip_address(src)),
               sport, str(ipaddress.ip_address(dst)), dport)
        o = out.setdefault(key, dict(f, flags=0, pk=0, bytes=0))
        o["flags"] |= flags
        o["pk"] += 1
        o["bytes"] += nbytes
    return out


def parse_expect(path):
    want = {}
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        key = (int(w[0]), w[1], int(w[2]), w[3], int(w[4]), w[5], int(w[6]))
        kv = dict(x.split("=", 1) for x in w[7:])
        for k in ("in", "out", "gw", "nat", "mask", "mac"):
            if k not in kv:
                sys.exit("check: %s: no %s= in %s" % (path, k, line.strip()))
        want[key] = kv
    return want


def num(v):
    return int(v, 0) if isinstance(v, str) else int(v)


def expected(key, kv, cap, problems):
    """The values a record of KEY must carry: the literals, checked against the capture."""
    name = "%s %s %d %s:%d > %s:%d" % key
    c = cap.get(key)
    if c is None:
        problems.append("%s: not in the capture" % name)
        return None
    fam6 = ":" in key[3]
    zero = "::" if fam6 else "0.0.0.0"
    e = {k: c[k] for k in FIRST + ("flags", "pk", "bytes")}
    e["smac"], e["dmac"] = kv["mac"].split(",")
    e["in"], e["out"], e["gw"] = int(kv["in"]), int(kv["out"]), kv["gw"]
    e["smask"], e["dmask"] = (int(x) for x in kv["mask"].split("/"))
    nat = kv["nat"].split(",") if kv["nat"] != "-" else [zero, 0, zero, 0]
    e["nat"] = (str(ipaddress.ip_address(nat[0])), int(nat[1]), str(ipaddress.ip_address(nat[2])),
                int(nat[3]))
    e["ismc"] = num(kv.get("ismc", "0"))
    for k in FIRST + ("pk",):
        if k in kv and k not in ("smac", "dmac"):
            if num(kv[k]) != c[k]:
                problems.append("%s: the capture has %s %s, the test says %s (test fault)" % (
                    name, k, c[k], kv[k]))
            e[k] = num(kv[k])
    for k in ("smac", "dmac"):
        if e[k] != c[k]:
            problems.append("%s: the capture has %s %s, the test says %s (test fault)" % (
                name, k, c[k], e[k]))
    return e


def tshark_records(path, version):
    """(flow records, NAT event records) of a tshark -T json decode, each a dict of leaf fields
    (a repeated field as a list)."""
    flows_, events = [], []
    for frame in json.load(open(path)):
        cf = frame["_source"]["layers"].get("cflow", {})
        if int(cf.get("cflow.version", 0)) != version:
            continue
        for sname, s in cf.items():
            if not sname.startswith(("FlowSet ", "Set ")):
                continue
            sid = int(s.get("cflow.flowset_id", 0))
            for tname, t in s.items():
                if not tname.startswith("Flow "):
                    continue
                leaves = {}
                stack = [t]
                while stack:
                    for k, v in stack.pop().items():
                        if isinstance(v, dict):
                            stack.append(v)
                        else:
                            leaves[k] = v
                if sid in (256, 257):
                    flows_.append(leaves)
                elif sid in (259, 260):
                    events.append(leaves)
    return flows_, events


def ts_addr(r, name):
    v = r.get("cflow.%s" % name, r.get("cflow.%sv6" % name))
    return str(ipaddress.ip_address(v))


def ts_key(r):
    d = int(r["cflow.direction"])
    return (int(r["cflow.protocol"]), ("in", "out")[d],
            int(r["cflow.inputint" if d == 0 else "cflow.outputint"]), ts_addr(r, "srcaddr"),
            int(r["cflow.srcport"]), ts_addr(r, "dstaddr"), int(r["cflow.dstport"]))


def one(r, *names):
    for n in names:
        if "cflow." + n in r:
            v = r["cflow." + n]
            return v[0] if isinstance(v, list) else v
    return None


def tshark_values(r):
    """A tshark record's elements under the checker's names."""
    v6 = "cflow.srcaddrv6" in r
    nat = ("post_nat_source_ipv6_address", "post_nat_destination_ipv6_address") if v6 else \
        ("post_natsource_ipv4_address", "post_natdestination_ipv4_address")
    g = {
        "in": int(r["cflow.inputint"]), "out": int(r["cflow.outputint"]),
        "gw": str(ipaddress.ip_address(one(r, "nexthopv6", "nexthop"))),
        "nat": (str(ipaddress.ip_address(r["cflow." + nat[0]])),
                int(r["cflow.post_naptsource_transport_port"]),
                str(ipaddress.ip_address(r["cflow." + nat[1]])),
                int(r["cflow.post_naptdestination_transport_port"])),
        "smask": int(one(r, "srcmaskv6", "srcmask")), "dmask": int(one(r, "dstmaskv6", "dstmask")),
        "smac": r["cflow.srcmac"], "dmac": r["cflow.dstmac"],
        "ttl": int(r["cflow.ip_ttl"]), "tos": int(r["cflow.tos"], 16),
        "hl": int(r["cflow.ip_header_length"]), "tl": int(r["cflow.ip_total_length"]),
        "udp": int(r["cflow.udp_length"]), "seq": int(r["cflow.tcp_seq_num"]),
        "ack": int(r["cflow.tcp_ack_num"]), "win": int(r["cflow.tcp_windows_size"]),
        "ismc": int(r["cflow.is_multicast"], 16), "flags": int(r["cflow.tcpflags"], 16),
        "pk": int(r["cflow.packets"]), "bytes": int(r["cflow.octets"]),
        "fl": int(r["cflow.ipv6flowlabel"]) if v6 else 0,
        "igmp": 0 if v6 else int(r["cflow.igmp_type"]),
    }
    return g


def check_icmp(name, key, r, problems):
    """Every ICMP type/code element equals the destination port's type*256+code (0 otherwise)."""
    t, c = (key[6] >> 8, key[6] & 0xFF) if key[0] in (1, 58) else (0, 0)
    for k, want in (("icmp_ipv4_type", t), ("icmp_ipv4_code", c), ("icmp_ipv6_type", t),
                    ("icmp_ipv6_code", c), ("icmp_type_code_ipv4", t * 256 + c)):
        vals = r.get("cflow." + k, [])
        for v in vals if isinstance(vals, list) else [vals]:
            if int(v, 0) != want:
                problems.append("%s: %s %s, want %d" % (name, k, v, want))


def compare(name, e, g, keys, problems):
    for k in keys:
        if g[k] != e[k]:
            problems.append("%s: %s %s, want %s" % (name, k, g[k], e[k]))


def check_tshark(args, want, cap, problems):
    recs, events = tshark_records(args.tshark, args.version)
    seen = {}
    for r in recs:
        key = ts_key(r)
        name = "%s %s %d %s:%d > %s:%d" % key
        if key in seen:
            problems.append("%s: %d records, want 1" % (name, seen[key] + 1))
        seen[key] = seen.get(key, 0) + 1
        if key not in want:
            problems.append("%s: a record nobody expects" % name)
            continue
        e = expected(key, want[key], cap, problems)
        if e is None:
            continue
        g = tshark_values(r)
        compare(name, e, g, ("in", "out", "gw", "nat", "smask", "dmask", "ismc", "flags", "pk",
                             "bytes") + FIRST, problems)
        check_icmp(name, key, r, problems)
    for key in sorted(set(want) - set(seen), key=str):
        problems.append("%s %s %d %s:%d > %s:%d: no record" % key)
    got_ev = []
    for r in events:
        v6 = "cflow.srcaddrv6" in r
        nat = ("post_nat_source_ipv6_address", "post_nat_destination_ipv6_address") if v6 else \
            ("post_natsource_ipv4_address", "post_natdestination_ipv4_address")
        got_ev.append("%s %s %s %s %s %s %s %s %s %s" % (
            r["cflow.nat_event"], r["cflow.protocol"], ts_addr(r, "srcaddr"),
            r["cflow.srcport"], ts_addr(r, "dstaddr"), r["cflow.dstport"],
            ipaddress.ip_address(r["cflow." + nat[0]]), r["cflow.post_naptsource_transport_port"],
            ipaddress.ip_address(r["cflow." + nat[1]]),
            r["cflow.post_naptdestination_transport_port"]))
    return len(recs), got_ev


def nf_key(r):
    src = r.get("src4_addr", r.get("src6_addr"))
    dst = r.get("dst4_addr", r.get("dst6_addr"))
    d = int(r["direction"])
    if "icmp_type" in r:
        sport, dport = 0, r["icmp_type"] * 256 + r["icmp_code"]
    else:
        sport, dport = r.get("src_port", 0), r.get("dst_port", 0)
    return (r["proto"], ("in", "out")[d], r["input_snmp" if d == 0 else "output_snmp"],
            str(ipaddress.ip_address(src)), sport, str(ipaddress.ip_address(dst)), dport)


def nf_values(r):
    """An nfdump record's fields under the checker's names (what nfdump stores)."""
    v6 = "src6_addr" in r
    zero = "::" if v6 else "0.0.0.0"
    fam = "6" if v6 else "4"
    xsa = str(ipaddress.ip_address(r.get("src%s_xlt_ip" % fam, zero)))
    xda = str(ipaddress.ip_address(r.get("dst%s_xlt_ip" % fam, zero)))
    flags = r.get("tcp_flags", "........")
    return {
        "in": r["input_snmp"], "out": r["output_snmp"],
        "gw": str(ipaddress.ip_address(r.get("ip%s_next_hop" % fam, zero))),
        "nat": (xsa, int(r.get("src_xlt_port", 0)), xda, int(r.get("dst_xlt_port", 0))),
        "smask": r["src_mask"], "dmask": r["dst_mask"],
        "smac": r["in_src_mac"], "dmac": r["in_dst_mac"], "tos": r["src_tos"],
        # nfdump's string "CEUAPRSF": bit 7 first, "." for a flag not set
        "flags": sum(0x80 >> i for i, ch in enumerate(flags) if ch != "."),
        "pk": r["in_packets"], "bytes": r["in_bytes"],
    }


def check_nfdump(args, want, cap, problems):
    recs = json.load(open(args.nfdump))
    flows_ = [r for r in recs if "nat_event_id" not in r]
    seen = {}
    for r in flows_:
        key = nf_key(r)
        name = "%s %s %d %s:%d > %s:%d" % key
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            problems.append("%s: %d records, want 1" % (name, seen[key]))
        if key not in want:
            problems.append("%s: a record nobody expects" % name)
            continue
        e = expected(key, want[key], cap, problems)
        if e is None:
            continue
        g = nf_values(r)
        if ":" in key[3] and args.version == 10:  # README: nfdump drops IPFIX 281/282
            e = dict(e, nat=("::", e["nat"][1], "::", e["nat"][3]))
        compare(name, e, g, ("in", "out", "gw", "nat", "smask", "dmask", "smac", "dmac", "tos",
                             "flags", "pk", "bytes"), problems)
    for key in sorted(set(want) - set(seen), key=str):
        problems.append("%s %s %d %s:%d > %s:%d: no record" % key)
    got_ev = []
    for r in recs:
        if "nat_event_id" not in r:
            continue
        v6 = "src6_addr" in r
        fam, zero = ("6", "::") if v6 else ("4", "0.0.0.0")
        if "icmp_type" in r:
            sport, dport = 0, r["icmp_type"] * 256 + r["icmp_code"]
        else:
            sport, dport = r.get("src_port", 0), r.get("dst_port", 0)
        got_ev.append("%s %s %s %s %s %s %s %s %s %s" % (
            r["nat_event_id"], r["proto"], ipaddress.ip_address(r["src%s_addr" % fam]), sport,
            ipaddress.ip_address(r["dst%s_addr" % fam]), dport,
            ipaddress.ip_address(r.get("src%s_xlt_ip" % fam, zero)), r.get("src_xlt_port", 0),
            ipaddress.ip_address(r.get("dst%s_xlt_ip" % fam, zero)), r.get("dst_xlt_port", 0)))
    return len(flows_), got_ev


def nfdump_event(ev, version):
    """What nfdump 1.7.1 shows of a NAT event (README, Collectors): its IPFIX decoder drops the
    IPv6 post-NAT addresses (281/282); its v9 decoder reads ICMP type and code from
    icmpTypeCodeIPv4 (32) only, which NAT event records do not carry, and shows 0.0."""
    w = ev.split()
    if version == 10 and ":" in w[2]:
        w[6] = w[8] = "::"
    if version == 9 and w[1] in ("1", "58"):
        w[5] = "0"
    return " ".join(w)


def check(args):
    problems = []
    want = parse_expect(args.expect)
    cap = first_packets(args.lan)
    cap.update(first_packets(args.wan))
    for key in sorted(set(cap) - set(want), key=str):
        problems.append("%s %s %d %s:%d > %s:%d: in the capture, not expected" % key)
    ev_want = [" ".join(l.split()) for l in open(args.events) if l.strip()]
    if args.tshark:
        n, got_ev = check_tshark(args, want, cap, problems)
    else:
        n, got_ev = check_nfdump(args, want, cap, problems)
    norm = []
    for ev in got_ev:  # addresses as ipaddress prints them, ports as numbers
        w = ev.split()
        norm.append(" ".join(str(ipaddress.ip_address(x)) if i in (2, 4, 6, 8) else str(int(x))
                             for i, x in enumerate(w)))
    if args.nfdump:
        ev_want = [nfdump_event(ev, args.version) for ev in ev_want]
    if sorted(norm) != sorted(ev_want):
        problems.append("NAT events: got %s; want %s" % (sorted(norm), sorted(ev_want)))
    print("%d flow records (%d expected), %d NAT events (%d expected); problems %d" % (
        n, len(want), len(got_ev), len(ev_want), len(problems)))
    for p in problems[:40]:
        print(p)
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lan", required=True, metavar="PCAP,MAC,IFINDEX")
    ap.add_argument("--wan", required=True, metavar="PCAP,MAC,IFINDEX")
    ap.add_argument("--expect", required=True)
    ap.add_argument("--events", required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--tshark")
    g.add_argument("--nfdump")
    ap.add_argument("--version", type=int, required=True)
    sys.exit(check(ap.parse_args()))


if __name__ == "__main__":
    main()
