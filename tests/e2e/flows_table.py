# SPDX-License-Identifier: GPL-2.0-only
"""The e2e oracle's flow table (flows.py): flow keys, their names and order, a table's totals."""

import ipaddress
import sys
from collections import defaultdict


def addr(b):
    return str(ipaddress.ip_address(bytes(b)))


def norm_addr(s):
    return str(ipaddress.ip_address(s.strip()))


class Table:
    """key -> [packets, bytes, payload, records, dir]"""

    def __init__(self):
        self.flows = defaultdict(lambda: [0, 0, 0, 0, "-"])
        self.ifindexes = defaultdict(set)  # key -> {(input, output)} of the records (collector)
        self.flowdirs = defaultdict(set)  # key -> {flowDirection (61): 0 ingress, 1 egress}
        self.times = {}  # key -> [first, last] capture timestamp (capture tables)
        self.notes = defaultdict(int)  # frames not counted, by reason

    def add(self, key, packets, nbytes, payload=0, records=1, direction="-", ifs=None,
            flowdir=None, ts=None):
        if ts is not None:
            t = self.times.setdefault(key, [ts, ts])
            t[0], t[1] = min(t[0], ts), max(t[1], ts)
        if ifs is not None:
            self.ifindexes[key].add(ifs)
        if flowdir is not None:
            self.flowdirs[key].add(flowdir)
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
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    return (proto, s.version, int(s), sport, d.version, int(d), dport)


def flow_name(key):
    fmt = "proto %d [%s]:%d -> [%s]:%d" if ":" in key[1] else "proto %d %s:%d -> %s:%d"
    return fmt % key
