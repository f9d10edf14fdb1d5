#!/usr/bin/python3
"""flows.py - the e2e oracle: flow totals from a pcap and from nfdump, keyed like tflow, compared.

  flows.py pcap FILE [--observer-mac MAC]       per-flow totals of a capture (TSV, then a total line)
  flows.py nfdump CSV                           the same table from `nfdump -o csv -N` output
  flows.py compare --pcap FILE --nfdump-csv CSV [--observer-mac MAC] [--observer-ifindex N]
                   [--one-record-per-flow]      exit 0 if both tables are equal, exactly

A flow is unidirectional: (proto, src, sport, dst, dport); the exporter observes one interface, so
the direction follows from the addresses (with --observer-mac, `in` = sent to the observed
interface, `out` = sent by it; with --observer-ifindex too, every record of an `in` flow must carry
that ifindex as its v5 input interface and every record of an `out` flow as its output). Bytes are the IP total length (no link header). ICMP: sport 0,
dport = type*256 + code, as NetFlow v5 carries it. A non-first fragment has ports 0/0.
Only IPv4 is counted (NetFlow v5 cannot carry IPv6); other frames are reported, never counted.
"""

import argparse
import struct
import sys
from collections import defaultdict

from scapy.utils import RawPcapReader  # reads pcap and pcapng

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8)
LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113

# nfdump 1.7 prints well-known protocols by name in csv; anything else as a number.
PROTO_NAMES = {"ICMP": 1, "IGMP": 2, "IPIP": 4, "TCP": 6, "UDP": 17, "IPv6": 41, "RSVP": 46,
               "GRE": 47, "ESP": 50, "AH": 51, "ICMP6": 58, "EIGRP": 88, "OSPF": 89, "PIM": 103,
               "VRRP": 112, "L2TP": 115, "SCTP": 132}


def ip4(b):
    return "%d.%d.%d.%d" % tuple(b)


class Table:
    """key -> [packets, bytes, payload, records, dir]"""

    def __init__(self):
        self.flows = defaultdict(lambda: [0, 0, 0, 0, "-"])
        self.ifindexes = defaultdict(set)  # key -> {(input, output)} of the records (nfdump)
        self.notes = defaultdict(int)  # frames not counted, by reason

    def add(self, key, packets, nbytes, payload=0, records=1, direction="-", ifs=None):
        if ifs is not None:
            self.ifindexes[key].add(ifs)
        f = self.flows[key]
        f[0] += packets
        f[1] += nbytes
        f[2] += payload
        f[3] += records
        if direction != "-":
            f[4] = direction if f[4] in ("-", direction) else "both"

    def totals(self):
        return (len(self.flows), sum(f[0] for f in self.flows.values()),
                sum(f[1] for f in self.flows.values()), sum(f[3] for f in self.flows.values()))

    def dump(self, out=sys.stdout):
        print("#proto\tsrc\tsport\tdst\tdport\tdir\tpackets\tbytes\tpayload\trecords", file=out)
        for key in sorted(self.flows, key=sort_key):
            f = self.flows[key]
            print("%d\t%s\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t%d" % (key + (f[4], f[0], f[1], f[2], f[3])),
                  file=out)
        n, p, b, r = self.totals()
        print("total\tflows %d\tpackets %d\tbytes %d\trecords %d" % (n, p, b, r), file=out)
        for why, count in sorted(self.notes.items()):
            print("# not counted: %d %s" % (count, why), file=out)


def sort_key(key):
    proto, src, sport, dst, dport = key
    return (proto, tuple(int(x) for x in src.split(".")), sport,
            tuple(int(x) for x in dst.split(".")), dport)


def parse_ipv4(ip, table, direction):
    if len(ip) < 20:
        table.notes["truncated IPv4 header"] += 1
        return
    ver_ihl, _tos, tot_len, _id, frag, _ttl, proto = struct.unpack_from("!BBHHHBB", ip)
    ihl = (ver_ihl & 0x0F) * 4
    if ver_ihl >> 4 != 4 or ihl < 20 or len(ip) < ihl:
        table.notes["malformed IPv4 header"] += 1
        return
    src, dst = ip4(ip[12:16]), ip4(ip[16:20])
    l4 = ip[ihl:]
    sport = dport = 0
    payload = tot_len - ihl
    first_fragment = (frag & 0x1FFF) == 0
    if first_fragment and proto in (6, 17, 132) and len(l4) >= 4:
        sport, dport = struct.unpack_from("!HH", l4)
        if proto == 6 and len(l4) >= 13:
            payload = tot_len - ihl - (l4[12] >> 4) * 4
        elif proto == 17:
            payload = tot_len - ihl - 8
    elif first_fragment and proto == 1 and len(l4) >= 2:
        dport = l4[0] * 256 + l4[1]
    table.add((proto, src, sport, dst, dport), 1, tot_len, payload, 1, direction)


def read_pcap(path, observer_mac=None):
    table = Table()
    mac = bytes.fromhex(observer_mac.replace(":", "")) if observer_mac else None
    reader = RawPcapReader(path)
    linktype = reader.linktype
    if linktype not in (LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL):
        sys.exit("flows.py: %s: link type %d not supported" % (path, linktype))
    for frame, _meta in reader:
        direction = "-"
        if linktype == LINKTYPE_ETHERNET:
            if len(frame) < 14:
                table.notes["truncated frame"] += 1
                continue
            if mac is not None:
                direction = "in" if frame[0:6] == mac else "out" if frame[6:12] == mac else "-"
            off, ethertype = 12, None
            ethertype = struct.unpack_from("!H", frame, off)[0]
            while ethertype in VLAN_TPIDS and len(frame) >= off + 6:
                off += 4
                ethertype = struct.unpack_from("!H", frame, off)[0]
            off += 2
        else:
            if len(frame) < 16:
                table.notes["truncated frame"] += 1
                continue
            ethertype = struct.unpack_from("!H", frame, 14)[0]
            off = 16
        if ethertype == ETH_P_IP:
            parse_ipv4(frame[off:], table, direction)
        elif ethertype == ETH_P_IPV6:
            table.notes["IPv6 packets (not in NetFlow v5)"] += 1
        else:
            table.notes["non-IP frames (ethertype 0x%04x)" % ethertype] += 1
    reader.close()
    return table


def read_nfdump_csv(path):
    """Records of `nfdump -o csv -N` (1.7.x): a header line `ts,te,td,sa,da,sp,dp,pr,...`, one line
    per record, then a blank line and a summary, which is skipped."""
    table = Table()
    cols = None
    with open(path) if path != "-" else sys.stdin as f:
        for line in f:
            line = line.rstrip("\n")
            if cols is None:
                if line.startswith("ts,te,td,sa,da,"):
                    cols = {name: i for i, name in enumerate(line.split(","))}
                continue
            row = line.split(",")
            if len(row) != len(cols):
                break  # end of the records (blank line, "Summary", "No matching flows")
            pr = row[cols["pr"]].strip()
            proto = PROTO_NAMES[pr] if pr in PROTO_NAMES else int(pr)
            src, dst = row[cols["sa"]].strip(), row[cols["da"]].strip()
            if ":" in src:
                table.notes["IPv6 records"] += 1
                continue
            key = (proto, src, int(row[cols["sp"]]), dst, int(row[cols["dp"]]))
            table.add(key, int(row[cols["ipkt"]]), int(row[cols["ibyt"]]),
                      ifs=(int(row[cols["in"]]), int(row[cols["out"]])))
    if cols is None:
        sys.exit("flows.py: %s: no nfdump csv header" % path)
    return table


def compare(args):
    want = read_pcap(args.pcap, args.observer_mac)
    got = read_nfdump_csv(args.nfdump_csv)
    problems = []
    for key in sorted(set(want.flows) | set(got.flows), key=sort_key):
        w, g = want.flows.get(key), got.flows.get(key)
        name = "proto %d %s:%d -> %s:%d" % key
        if g is None:
            problems.append("missing from nfdump: %s (%s, %d packets, %d bytes)" %
                            (name, w[4], w[0], w[1]))
        elif w is None:
            problems.append("not in the capture: %s (%d packets, %d bytes, %d records)" %
                            (name, g[0], g[1], g[3]))
        elif (w[0], w[1]) != (g[0], g[1]):
            problems.append("%s (%s): capture %d packets %d bytes, nfdump %d packets %d bytes"
                            " in %d records" % (name, w[4], w[0], w[1], g[0], g[1], g[3]))
        elif args.one_record_per_flow and g[3] != 1:
            problems.append("%s: %d records, expected 1 (nothing may time out in this test)" %
                            (name, g[3]))
        elif args.observer_ifindex is not None and w[4] in ("in", "out"):
            n = args.observer_ifindex
            pos, field = (0, "input") if w[4] == "in" else (1, "output")
            bad = sorted(i for i in got.ifindexes[key] if i[pos] != n)
            if bad:
                problems.append("%s (%s): v5 %s interface should be %d, records have"
                                " (input, output) %s" % (name, w[4], field, n, bad))
    wn, wp, wb, _ = want.totals()
    gn, gp, gb, gr = got.totals()
    print("capture: %d flows, %d packets, %d bytes" % (wn, wp, wb))
    print("nfdump:  %d flows, %d packets, %d bytes, %d records" % (gn, gp, gb, gr))
    for why, count in sorted(want.notes.items()):
        print("capture, not counted: %d %s" % (count, why))
    for why, count in sorted(got.notes.items()):
        print("nfdump, not counted: %d %s" % (count, why))
    if wn == 0:
        problems.append("the capture holds no IPv4 flow: nothing was compared")
    for p in problems[:40]:
        print(p)
    if len(problems) > 40:
        print("... %d more differences" % (len(problems) - 40))
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pcap")
    p.add_argument("file")
    p.add_argument("--observer-mac")
    p = sub.add_parser("nfdump")
    p.add_argument("csv")
    p = sub.add_parser("compare")
    p.add_argument("--pcap", required=True)
    p.add_argument("--nfdump-csv", required=True)
    p.add_argument("--observer-mac")
    p.add_argument("--observer-ifindex", type=int)
    p.add_argument("--one-record-per-flow", action="store_true")
    args = ap.parse_args()
    if args.cmd == "pcap":
        read_pcap(args.file, args.observer_mac).dump()
    elif args.cmd == "nfdump":
        read_nfdump_csv(args.csv).dump()
    else:
        sys.exit(compare(args))


if __name__ == "__main__":
    main()
