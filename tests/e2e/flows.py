#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""flows.py - the e2e oracle: flow totals from a pcap, collectors and export datagrams, compared.

  flows.py pcap FILE [--observer-mac MAC] [--ipv6]   per-flow totals of a capture (TSV, then totals)
  flows.py nfdump CSV [--ipv6]                  the same table from `nfdump -o csv -N` output
  flows.py nfacctd CSV                          the same table from nfacctd's print plugin (csv)
  flows.py export PCAP --port P [--from N]      the same table from the export datagrams captured
                                                (NetFlow v1/v5/v9 or IPFIX, decoded here)
  flows.py compare (--pcap FILE | --want-export-pcap PCAP --want-export-port P
                   [--want-export-from N] [--want-export-until N])
                   (--nfdump-csv CSV | --nfacctd-csv CSV | --export-pcap PCAP --export-port P
                   [--export-from N] [--export-until N])
                   [--observer-mac MAC] [--observer-ifindex N] [--ipv6]
                   [--one-record-per-flow] [--check-direction]
                                                exit 0 if both tables are equal, exactly
  flows.py datagrams PCAP --port P [--json]     one line per export datagram (see below)
  flows.py check-export PCAP --port P --version V [--mtu N] [--refresh N] [--sampling I:S]
                   [--max-records N] [--end-reasons R,...] [--templates ID,...]
                   [--options-templates ID,...] [--ifnames IFINDEX=NAME,...]
                   [--ifnames-gone IFINDEX,...]
                                                the export stream's own rules (see check_export)
  flows.py check-times PCAP --port P --pcap CAPTURE [--tolerance S]
                                                flow start/end against the capture's packet times
  flows.py restart-points PCAP --port P [--hup TIME]
                                                where a collector restart shows in the stream

A flow is unidirectional: (proto, src, sport, dst, dport); the exporter observes one interface, so
the direction follows from the addresses (with --observer-mac, `in` = sent to the observed
interface, `out` = sent by it; with --observer-ifindex too, every record of an `in` flow must carry
that ifindex as its input interface and every record of an `out` flow as its output). Bytes are the
IP length (IPv4 total length, IPv6 payload length + 40; no link header). ICMP and ICMPv6: sport 0,
dport = type*256 + code, as NetFlow carries it. A non-first fragment has ports 0/0. IPv6 extension
headers (hop-by-hop, routing, fragment, destination options, AH, mobility) are walked to the
transport header. IPv6 is counted only with --ipv6 (NetFlow v1/v5 cannot carry it); frames that
are not counted are reported, never silently dropped.
"""

import argparse
import ipaddress
import json
import struct
import sys
from collections import defaultdict

from scapy.utils import RawPcapReader  # reads pcap and pcapng

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8)
LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113

# IPv6 extension headers the oracle walks: (next header, length) as in RFC 8200; AH counts its
# length in 4-octet units minus 2, the others in 8-octet units not counting the first 8.
IPV6_EXT_HDRS = (0, 43, 44, 51, 60, 135)

# nfdump 1.7 prints well-known protocols by name in csv; anything else as a number.
PROTO_NAMES = {"ICMP": 1, "IGMP": 2, "IPIP": 4, "TCP": 6, "UDP": 17, "IPv6": 41, "RSVP": 46,
               "GRE": 47, "ESP": 50, "AH": 51, "ICMP6": 58, "EIGRP": 88, "OSPF": 89, "PIM": 103,
               "VRRP": 112, "L2TP": 115, "SCTP": 132}
# pmacct prints protocol names from getprotobynumber() (lower case); numbers otherwise.
PMACCT_PROTOS = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6": 41, "gre": 47, "esp": 50,
                 "ah": 51, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136}


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


# ---------------------------------------------------------------- the capture

def l4_ports(proto, l4, payload_len):
    """(sport, dport, payload) of a first fragment's transport header."""
    sport = dport = 0
    payload = payload_len
    if proto in (6, 17, 132, 136) and len(l4) >= 4:
        sport, dport = struct.unpack_from("!HH", l4)
        if proto == 6 and len(l4) >= 13:
            payload = payload_len - (l4[12] >> 4) * 4
        elif proto in (17, 136):
            payload = payload_len - 8
    elif proto in (1, 58) and len(l4) >= 2:
        dport = l4[0] * 256 + l4[1]
    return sport, dport, payload


def parse_ipv4(ip, table, direction, ts=None):
    if len(ip) < 20:
        table.notes["truncated IPv4 header"] += 1
        return
    ver_ihl, _tos, tot_len, _id, frag, _ttl, proto = struct.unpack_from("!BBHHHBB", ip)
    ihl = (ver_ihl & 0x0F) * 4
    if ver_ihl >> 4 != 4 or ihl < 20 or len(ip) < ihl:
        table.notes["malformed IPv4 header"] += 1
        return
    src, dst = addr(ip[12:16]), addr(ip[16:20])
    sport = dport = 0
    payload = tot_len - ihl
    if (frag & 0x1FFF) == 0:  # the first fragment (or no fragment) carries the ports
        sport, dport, payload = l4_ports(proto, ip[ihl:], tot_len - ihl)
    table.add((proto, src, sport, dst, dport), 1, tot_len, payload, 1, direction, ts=ts)


def parse_ipv6(ip, table, direction, ts=None):
    if len(ip) < 40 or ip[0] >> 4 != 6:
        table.notes["truncated or malformed IPv6 header"] += 1
        return
    plen, nxt = struct.unpack_from("!HB", ip, 4)
    src, dst = addr(ip[8:24]), addr(ip[24:40])
    off, first_fragment = 40, True
    while nxt in IPV6_EXT_HDRS:
        if len(ip) < off + 8:
            table.notes["truncated IPv6 extension header"] += 1
            return
        hdr_next, hdr_len = ip[off], ip[off + 1]
        if nxt == 44:
            frag_off = struct.unpack_from("!H", ip, off + 2)[0] >> 3
            first_fragment = first_fragment and frag_off == 0
            size = 8
        elif nxt == 51:
            size = (hdr_len + 2) * 4
        else:
            size = (hdr_len + 1) * 8
        nxt, off = hdr_next, off + size
    sport = dport = 0
    payload = 40 + plen - off
    if first_fragment:
        sport, dport, payload = l4_ports(nxt, ip[off:], 40 + plen - off)
    table.add((nxt, src, sport, dst, dport), 1, plen + 40, payload, 1, direction, ts=ts)


def frames(path):
    """(timestamp, frame, ethertype, offset of the network header, dst mac, src mac)"""
    reader = RawPcapReader(path)
    for frame, meta in reader:
        # pcap: one link type for the file; pcapng: one per interface, given with each packet
        linktype = getattr(meta, "linktype", None) or reader.linktype
        if linktype not in (LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL):
            sys.exit("flows.py: %s: link type %d not supported" % (path, linktype))
        ts = meta.sec + meta.usec / 1e6 if hasattr(meta, "sec") else \
            ((meta.tshigh << 32) | meta.tslow) / meta.tsresol
        if linktype == LINKTYPE_ETHERNET:
            if len(frame) < 14:
                yield ts, frame, None, 0, None, None
                continue
            off = 12
            ethertype = struct.unpack_from("!H", frame, off)[0]
            while ethertype in VLAN_TPIDS and len(frame) >= off + 6:
                off += 4
                ethertype = struct.unpack_from("!H", frame, off)[0]
            yield ts, frame, ethertype, off + 2, frame[0:6], frame[6:12]
        else:
            if len(frame) < 16:
                yield ts, frame, None, 0, None, None
                continue
            yield ts, frame, struct.unpack_from("!H", frame, 14)[0], 16, None, None
    reader.close()


def read_pcap(path, observer_mac=None, ipv6=False):
    table = Table()
    mac = bytes.fromhex(observer_mac.replace(":", "")) if observer_mac else None
    for ts, frame, ethertype, off, dmac, smac in frames(path):
        if ethertype is None:
            table.notes["truncated frame"] += 1
            continue
        direction = "-"
        if mac is not None and dmac is not None:
            # on the veth, what the observer did not send, it receives (multicast included)
            direction = "out" if smac == mac else "in" if dmac == mac or dmac[0] & 1 else "-"
        if ethertype == ETH_P_IP:
            parse_ipv4(frame[off:], table, direction, ts)
        elif ethertype == ETH_P_IPV6 and ipv6:
            parse_ipv6(frame[off:], table, direction, ts)
        elif ethertype == ETH_P_IPV6:
            table.notes["IPv6 packets (not in NetFlow v1/v5)"] += 1
        else:
            table.notes["non-IP frames (ethertype 0x%04x)" % ethertype] += 1
    return table


# ---------------------------------------------------------------- collectors

def read_nfdump_csv(path, ipv6=False):
    """Records of `nfdump -o csv -N` (1.7.x): a header line `ts,te,td,sa,da,sp,dp,pr,...`, one line
    per record, then a blank line and a summary, which is skipped. nfdump 1.7.1 prints an ICMP
    record's type and code as dp "T.C" when they reach it as separate values, and as the number
    type*256+code when it finds them in the destination port; both are read as type*256+code."""
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
            src, dst = norm_addr(row[cols["sa"]]), norm_addr(row[cols["da"]])
            if ":" in src and not ipv6:
                table.notes["IPv6 records"] += 1
                continue
            sp, dp = row[cols["sp"]].strip(), row[cols["dp"]].strip()
            if "." in dp:
                t, c = dp.split(".")
                dp = int(t) * 256 + int(c)
            key = (proto, src, int(float(sp)), dst, int(dp))
            table.add(key, int(row[cols["ipkt"]]), int(row[cols["ibyt"]]),
                      ifs=(int(row[cols["in"]]), int(row[cols["out"]])),
                      flowdir=int(row[cols["dir"]]) if "dir" in cols else None)
    if cols is None:
        sys.exit("flows.py: %s: no nfdump csv header" % path)
    return table


def read_nfacctd_csv(path):
    """pmacct's print plugin, print_output: csv, aggregate src_host, dst_host, src_port, dst_port,
    proto: a header line (SRC_IP,DST_IP,SRC_PORT,DST_PORT,PROTOCOL,PACKETS,BYTES; repeated at each
    refresh when the file is appended to), then one line per aggregate; the rows of several
    refreshes are summed per key."""
    table = Table()
    cols = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("SRC_IP,") or "PACKETS" in line:
                cols = {name: i for i, name in enumerate(line.split(","))}
                continue
            if cols is None:
                sys.exit("flows.py: %s: data before the csv header: %s" % (path, line))
            row = line.split(",")
            pr = row[cols["PROTOCOL"]].strip()
            proto = int(pr) if pr.isdigit() else PMACCT_PROTOS[pr.lower()]
            key = (proto, norm_addr(row[cols["SRC_IP"]]), int(row[cols["SRC_PORT"]]),
                   norm_addr(row[cols["DST_IP"]]), int(row[cols["DST_PORT"]]))
            table.add(key, int(row[cols["PACKETS"]]), int(row[cols["BYTES"]]), records=0)
    if cols is None:
        sys.exit("flows.py: %s: no nfacctd csv header" % path)
    return table


# ---------------------------------------------------------------- export datagrams

class ExportDecoder:
    """NetFlow v1, v5, v9 and IPFIX, decoded from the bytes (independent of any collector).
    Templates are remembered per (version, source/domain id, template id), as a collector does."""

    def __init__(self):
        self.templates = {}

    def decode(self, data):
        d = {"udp_len": len(data)}
        if len(data) < 4:
            d["error"] = "short datagram"
            return d
        version = struct.unpack_from("!H", data)[0]
        d["version"] = version
        try:
            if version in (1, 5):
                self._v1v5(data, d)
            elif version == 9:
                self._v9(data, d)
            elif version == 10:
                self._ipfix(data, d)
            else:
                d["error"] = "unknown version %d" % version
        except (struct.error, IndexError, ValueError) as e:
            d["error"] = "decode: %s" % e
        return d

    @staticmethod
    def _v1v5(data, d):
        version, count, uptime, secs, nsecs = struct.unpack_from("!HHIII", data)
        hlen = 16 if version == 1 else 24
        d.update(count=count, uptime=uptime, unix_secs=secs, unix_nsecs=nsecs, records=[],
                 templates=[], options_templates=[], options=[], data_records=count)
        if version == 5:
            d["sequence"], _et, _eid, d["sampling"] = struct.unpack_from("!IBBH", data, 16)
        if len(data) != hlen + 48 * count:
            d["error"] = "length %d, want %d for %d records" % (len(data), hlen + 48 * count, count)
            return
        for i in range(count):
            o = hlen + 48 * i
            src, dst = addr(data[o:o + 4]), addr(data[o + 4:o + 8])
            inp, outp, pkts, octs, first, last, sport, dport = \
                struct.unpack_from("!HHIIIIHH", data, o + 12)
            proto = data[o + 38]  # v1 and v5 alike
            r = {"proto": proto, "src": src, "sport": sport, "dst": dst, "dport": dport,
                 "packets": pkts, "bytes": octs, "in": inp, "out": outp,
                 "start_ms": secs * 1000 + nsecs // 1000000 - (uptime - first),
                 "end_ms": secs * 1000 + nsecs // 1000000 - (uptime - last)}
            d["records"].append(r)

    @staticmethod
    def _fields(fields, data, o):
        """Decode one record by its template; returns ([(ie, bytes)], new offset)."""
        r = []
        for ie, length, pen in fields:
            if length == 65535:
                length = data[o]
                o += 1
                if length == 255:
                    length = struct.unpack_from("!H", data, o)[0]
                    o += 2
            if o + length > len(data):
                raise ValueError("record runs past the set")
            r.append((ie if not pen else (pen, ie), data[o:o + length]))
            o += length
        return r, o

    @staticmethod
    def _num(v):
        return int.from_bytes(v, "big")

    def _record(self, f, d):
        n = self._num
        r = {}
        if 8 in f:
            r["src"], r["dst"] = addr(f[8]), addr(f[12])
        elif 27 in f:
            r["src"], r["dst"] = addr(f[27]), addr(f[28])
        r["proto"] = n(f.get(4, b"\0"))
        r["sport"] = n(f.get(7, b"\0"))
        r["dport"] = n(f.get(11, b"\0"))
        r["packets"] = n(f.get(2, b"\0"))
        r["bytes"] = n(f.get(1, b"\0"))
        r["in"] = n(f.get(10, b"\0"))
        r["out"] = n(f.get(14, b"\0"))
        for ie, name in ((32, "icmp_type_32"), (139, "icmp_type_139"), (136, "end_reason"),
                         (61, "direction"), (60, "ip_version"), (192, "ttl"), (6, "tcp_flags")):
            if ie in f:
                r[name] = n(f[ie])
        if 22 in f:  # v9: sysUptime ms; the header's unix_secs is the same instant as its uptime
            r["start_ms"] = d["unix_secs"] * 1000 - (d["uptime"] - n(f[22]))
            r["end_ms"] = d["unix_secs"] * 1000 - (d["uptime"] - n(f[21]))
        if 152 in f:
            r["start_ms"], r["end_ms"] = n(f[152]), n(f[153])
        return r

    def _sets(self, data, o, end, d, ipfix):
        src_id = d["source_id"]
        tmpl_set, opt_set = (2, 3) if ipfix else (0, 1)
        while o + 4 <= end:
            sid, slen = struct.unpack_from("!HH", data, o)
            if slen < 4 or o + slen > end:
                d["error"] = "set %d at %d: length %d runs past the datagram" % (sid, o, slen)
                return
            body, send = o + 4, o + slen
            if sid == tmpl_set:
                p = body
                while p + 4 <= send and struct.unpack_from("!H", data, p)[0]:  # 0: padding
                    tid, nf = struct.unpack_from("!HH", data, p)
                    p += 4
                    fields = []
                    for _ in range(nf):
                        ie, ln = struct.unpack_from("!HH", data, p)
                        p += 4
                        pen = 0
                        if ipfix and ie & 0x8000:
                            pen = struct.unpack_from("!I", data, p)[0]
                            p += 4
                            ie &= 0x7FFF
                        fields.append((ie, ln, pen))
                    self.templates[(d["version"], src_id, tid)] = ("data", fields, 0)
                    d["templates"].append({"id": tid, "fields": [(f[0], f[1]) for f in fields]})
                    d["count_records"] += 1
            elif sid == opt_set:
                p = body
                while p + 6 <= send and struct.unpack_from("!H", data, p)[0]:
                    if ipfix:
                        tid, nf, nscope = struct.unpack_from("!HHH", data, p)
                        p += 6
                    else:
                        tid, scope_len, opt_len = struct.unpack_from("!HHH", data, p)
                        p += 6
                        nscope, nf = scope_len // 4, (scope_len + opt_len) // 4
                    fields = []
                    for _ in range(nf):
                        ie, ln = struct.unpack_from("!HH", data, p)
                        p += 4
                        pen = 0
                        if ipfix and ie & 0x8000:
                            pen = struct.unpack_from("!I", data, p)[0]
                            p += 4
                            ie &= 0x7FFF
                        fields.append((ie, ln, pen))
                    self.templates[(d["version"], src_id, tid)] = ("options", fields, nscope)
                    d["options_templates"].append({"id": tid, "scope": nscope,
                                                   "fields": [(f[0], f[1]) for f in fields]})
                    d["count_records"] += 1
            elif sid >= 256:
                t = self.templates.get((d["version"], src_id, sid))
                if t is None:
                    d["unknown_sets"].append(sid)
                else:
                    kind, fields, nscope = t
                    minlen = sum(1 if f[1] == 65535 else f[1] for f in fields)
                    p = body
                    while send - p >= max(minlen, 1) and minlen > 0:
                        f, p = self._fields(fields, data, p)
                        d["count_records"] += 1
                        d["data_records"] += 1
                        if kind == "options":
                            # v9 scope field types are their own registry (1 system, 2 interface);
                            # interfaceName (82) is a string, zero-padded to its length
                            o_rec = {("scope%d" % i if not ipfix and i < nscope else str(k)):
                                     v.rstrip(b"\0").decode("utf-8", "replace") if k == 82
                                     else self._num(v) for i, (k, v) in enumerate(f)}
                            o_rec["template"] = sid
                            d["options"].append(o_rec)
                        else:
                            d["records"].append(self._record(dict(f), d))
            else:
                d["error"] = "set id %d is reserved" % sid
            o = send
        if o != end:
            d["error"] = "%d bytes after the last set" % (end - o)

    def _v9(self, data, d):
        _v, count, uptime, secs, seq, src = struct.unpack_from("!HHIIII", data)
        d.update(count=count, uptime=uptime, unix_secs=secs, sequence=seq, source_id=src,
                 templates=[], options_templates=[], options=[], records=[], unknown_sets=[],
                 count_records=0, data_records=0)
        self._sets(data, 20, len(data), d, False)

    def _ipfix(self, data, d):
        _v, length, etime, seq, dom = struct.unpack_from("!HHIII", data)
        d.update(length=length, export_time=etime, sequence=seq, source_id=dom, templates=[],
                 options_templates=[], options=[], records=[], unknown_sets=[],
                 count_records=0, data_records=0)
        if length != len(data):
            d["error"] = "message length %d, datagram %d" % (length, len(data))
            return
        self._sets(data, 16, length, d, True)


def export_datagrams(path, port, icmp=True):
    """Every UDP datagram to `port` in a capture, decoded, in capture order. Each gets `n`
    (1-based), `time`, `ip_len` (the IP packet's length), `family`, and `refused` (an ICMP/ICMPv6
    port unreachable quoting it followed: no socket was bound to the port)."""
    dec = ExportDecoder()
    out = []
    pending = {}  # (ip id or flow label, udp checksum, udp length) -> datagram
    for ts, frame, ethertype, off, _d, _s in frames(path):
        ip = frame[off:]
        if ethertype == ETH_P_IP and len(ip) >= 20:
            ihl = (ip[0] & 0x0F) * 4
            proto, ip_len, ip_id = ip[9], struct.unpack_from("!H", ip, 2)[0], ip[4:6]
            l4, fam = ip[ihl:], 4
        elif ethertype == ETH_P_IPV6 and len(ip) >= 40:
            proto, ip_len, ip_id = ip[6], struct.unpack_from("!H", ip, 4)[0] + 40, b""
            l4, fam = ip[40:], 6
        else:
            continue
        if proto in (1, 58) and len(l4) >= 8 and (l4[0], l4[1]) in ((3, 3), (1, 4)):
            q = l4[8:]  # the quoted packet
            if fam == 4 and len(q) >= 28:
                qihl = (q[0] & 0x0F) * 4
                qudp, qid = q[qihl:], q[4:6]
            elif fam == 6 and len(q) >= 48:
                qudp, qid = q[40:], b""
            else:
                continue
            if len(qudp) >= 8 and struct.unpack_from("!H", qudp, 2)[0] == port:
                k = (qid, qudp[4:8])
                if k in pending:
                    pending.pop(k)["refused"] = True
            continue
        if proto != 17 or len(l4) < 8 or struct.unpack_from("!H", l4, 2)[0] != port:
            continue
        d = dec.decode(l4[8:struct.unpack_from("!H", l4, 4)[0]])
        d.update(n=len(out) + 1, time=ts, ip_len=ip_len, family=fam, refused=False)
        out.append(d)
        pending[(ip_id, l4[4:8])] = d
    return out


def read_export(path, port, first=1, ipv6=True, until=None):
    """The flow table of the records in datagrams first <= n < until."""
    table = Table()
    for d in export_datagrams(path, port):
        if d["n"] < first or (until is not None and d["n"] >= until):
            continue
        for r in d.get("records", []):
            if ":" in r["src"] and not ipv6:
                table.notes["IPv6 records"] += 1
                continue
            key = (r["proto"], r["src"], r["sport"], r["dst"], r["dport"])
            table.add(key, r["packets"], r["bytes"], ifs=(r["in"], r["out"]),
                      flowdir=r.get("direction"))
    return table


def datagrams(args):
    """One line per export datagram: n time ip_len family version sequence source_id templates
    options data_records refused [error]; or the whole decode as JSON lines (--json)."""
    for d in export_datagrams(args.file, args.port):
        if args.json:
            print(json.dumps(d, sort_keys=True))
            continue
        print("%d\t%.6f\t%d\t%d\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s" % (
            d["n"], d["time"], d["ip_len"], d["family"], d.get("version", -1),
            d.get("sequence", "-"),
            d.get("source_id", "-"), len(d.get("templates", [])) + len(d.get("options_templates",
                                                                              [])),
            len(d.get("options", [])), d.get("data_records", 0), d["refused"],
            d.get("error", "")))


def ifname_map(s):
    """IFINDEX=NAME,... -> {ifindex: {names}}"""
    m = defaultdict(set)
    for x in s.split(","):
        k, v = x.split("=", 1)
        m[int(k)].add(v)
    return dict(m)


def check_export(args):
    """An export stream's own rules, datagram by datagram:
    - every datagram decodes (no error, no data set without a known template), version as asked;
    - the IP packet is at most --mtu bytes; at most --max-records flow records a datagram;
    - IPFIX: every record's flowEndReason is one of --end-reasons (1 idle, 2 active, 3 end of
      flow, 4 forced, 5 lack of resources);
    - v9: sequence = the previous one + 1; IPFIX: sequence = the previous one + its data records
      (options data records included); v5: + its flow records; the first datagram starts at 0;
    - v9/IPFIX: the first datagram carries the data templates --templates (default 256, 257 for
      flows and 259, 260 for NAT events, as with every ipfix field selected), the options templates
      --options-templates (default 258 for sampling and 261 for interface names, as with in- or
      out-interface selected) and one sampling options record (258); a template datagram comes at
      least every --refresh datagrams; with --ifnames IFINDEX=NAME,..., every interface options
      record (261) names an interface of that list as it says, and after every datagram with
      templates each one of the list is named before the next flow record (and at least once),
      but those of --ifnames-gone (deleted while the capture ran: no longer named);
      the sampling options record announces --sampling I:S (v9: samplingInterval (34) = the
      rate round((I+S)/I), algorithm (35) = 1 deterministic, 0 with sampling off; IPFIX:
      samplingPacketInterval (305) = I, samplingPacketSpace (306) = S; sampling off is 1:0: rate
      1, interval 1, space 0);
    - v9: each ICMP and ICMPv6 record carries its type/code in field 32 (ICMP_TYPE), equal to its
      destination port (nfdump 1.7.1's v9 decoder reads ICMP type/code from 32 only).
    Prints a summary; exit 1 with the problems listed."""
    dg = export_datagrams(args.file, args.port)
    problems = []
    prev = None
    since_tmpl = None
    want_sampling = None
    if args.sampling:
        i, s = (int(x) for x in args.sampling.split(":"))
        want_sampling = (i, s)
    n_rec = n_tmpl = 0
    names_due, names_seen = set(), set()
    for d in dg:
        where = "datagram %d" % d["n"]
        if d.get("error"):
            problems.append("%s: %s" % (where, d["error"]))
        if d.get("version") != args.version:
            problems.append("%s: version %s, want %d" % (where, d.get("version"), args.version))
            continue
        if d.get("unknown_sets"):
            problems.append("%s: data sets %s before their template" % (where, d["unknown_sets"]))
        for r in d.get("records", []) if args.end_reasons else []:
            if r.get("end_reason") not in args.end_reasons:
                problems.append("%s: %s: flowEndReason %s, want one of %s" % (
                    where, flow_name((r["proto"], r["src"], r["sport"], r["dst"], r["dport"])),
                    r.get("end_reason"), args.end_reasons))
        if args.max_records and d.get("data_records", 0) > args.max_records:
            problems.append("%s: %d records, at most %d allowed" % (where, d["data_records"],
                                                                   args.max_records))
        if args.mtu and d["ip_len"] > args.mtu:
            problems.append("%s: IP length %d > mtu %d" % (where, d["ip_len"], args.mtu))
        if args.version == 9 and d["count"] != d["count_records"]:
            problems.append("%s: header count %d, %d records (templates, options, data)" %
                            (where, d["count"], d["count_records"]))
        if "sequence" in d:
            if prev is None:
                want = 0
            elif args.version == 9:
                want = (prev["sequence"] + 1) & 0xFFFFFFFF
            else:
                want = (prev["sequence"] + prev["data_records"]) & 0xFFFFFFFF
            if d["sequence"] != want:
                problems.append("%s: sequence %d, want %d" % (where, d["sequence"], want))
        if args.version in (9, 10):
            tids = sorted(t["id"] for t in d["templates"])
            oids = sorted(t["id"] for t in d["options_templates"])
            has = bool(tids or oids)
            if has:
                n_tmpl += 1
                if tids != args.templates or oids != args.options_templates:
                    problems.append("%s: templates %s, options templates %s; want %s and %s"
                                    % (where, tids, oids, args.templates,
                                       args.options_templates))
                n_samp = sum(o["template"] == 258 for o in d["options"])
                if n_samp != 1:
                    problems.append("%s: %d sampling options records with the templates, want 1"
                                    % (where, n_samp))
                names_due = set(args.ifnames or {}) - set(args.ifnames_gone)
            if prev is None and not has:
                problems.append("%s: the first datagram has no templates" % where)
            since_tmpl = 1 if has else (since_tmpl or 0) + 1
            if args.refresh and since_tmpl > args.refresh:
                problems.append("%s: %d datagrams since the last templates (refresh %d)" %
                                (where, since_tmpl - 1, args.refresh))
                since_tmpl = 1
            for o in d["options"]:
                if o["template"] == 261 and args.ifnames is not None:
                    ifindex, name = o.get("10", o.get("scope0")), o.get("82")
                    if name not in args.ifnames.get(ifindex, ()):
                        problems.append("%s: interface options: %s is '%s', want %s" % (
                            where, ifindex, name, sorted(args.ifnames.get(ifindex, ()))))
                    names_due.discard(ifindex)
                    names_seen.add(ifindex)
            if d["records"] and names_due:
                problems.append("%s: flow records before the names of ifindex %s since the"
                                " templates" % (where, sorted(names_due)))
                names_due = set()
            for o in d["options"]:
                if want_sampling is None or o["template"] != 258:
                    continue
                i, s = want_sampling
                if args.version == 9:  # 1 in round((I + S) / I), half up, like v5
                    rate = (2 * (i + s) + i) // (2 * i) if i and s else 1
                    want = {"34": rate, "35": 1 if i and s else 0}
                else:
                    want = {"305": i or 1, "306": s if i else 0}
                got = {k: o.get(k) for k in want}
                if got != want:
                    problems.append("%s: sampling options %s, want %s" % (where, got, want))
            if args.version == 9:
                for r in d["records"]:
                    if r["proto"] in (1, 58) and r.get("icmp_type_32") != r["dport"]:
                        problems.append("%s: ICMP record %s: field 32 = %s, dport %d" % (
                            where, flow_name((r["proto"], r["src"], r["sport"], r["dst"],
                                              r["dport"])), r.get("icmp_type_32"), r["dport"]))
        n_rec += d.get("data_records", 0)
        prev = d
    if not dg:
        problems.append("no export datagram to port %d in %s" % (args.port, args.file))
    if args.ifnames and set(args.ifnames) - names_seen:
        problems.append("no interface options record for ifindex %s" %
                        sorted(set(args.ifnames) - names_seen))
    print("%d datagrams, %d with templates, %d data records (options included), at most %d in"
          " one, largest IP packet %d bytes" % (
              len(dg), n_tmpl, n_rec, max((d.get("data_records", 0) for d in dg), default=0),
              max((d["ip_len"] for d in dg), default=0)))
    for p in problems[:40]:
        print(p)
    if len(problems) > 40:
        print("... %d more problems" % (len(problems) - 40))
    return 1 if problems else 0


# ---------------------------------------------------------------- comparison

def check_times(args):
    """Every flow record to --port starts and ends within --tolerance seconds of its flow's packets
    in the capture (--pcap): first packet - tolerance <= start <= end <= last packet + tolerance.
    v9 gives wall time through the header (unix seconds, no fraction, and sysUptime): up to 1 s
    early by construction; IPFIX gives flowStart/EndMilliseconds."""
    want = read_pcap(args.pcap, None, True)
    problems = []
    n = 0
    for d in export_datagrams(args.file, args.port):
        for r in d.get("records", []):
            key = (r["proto"], r["src"], r["sport"], r["dst"], r["dport"])
            n += 1
            if key not in want.times:
                problems.append("%s: not in the capture" % flow_name(key))
                continue
            first, last = want.times[key]
            start, end = r["start_ms"] / 1000.0, r["end_ms"] / 1000.0
            if not first - args.tolerance <= start <= end <= last + args.tolerance:
                problems.append("%s: start %.3f end %.3f, packets seen %.3f .. %.3f (%+.3f, %+.3f)"
                                % (flow_name(key), start, end, first, last, start - first,
                                   end - last))
    print("%d records checked against the capture's packet times (tolerance %g s)" %
          (n, args.tolerance))
    if n == 0:
        problems.append("no record to port %d" % args.port)
    for p in problems[:20]:
        print(p)
    return 1 if problems else 0


def restart_points(args):
    """Where a collector restart shows in an export stream captured on lo (see export_datagrams):
    prints `r1 r2 k j tj h th`: the first and last datagram refused (no socket on the port), k the
    first one after them (delivered to the new collector), j the first one from k on that carries
    templates and tj its time; with --hup TIME, h the first datagram sent at or after TIME and th
    its time (0 where there is none). Exit 1 if no datagram was refused or the refused ones are not
    one run (a collector that came and went more than once)."""
    dg = export_datagrams(args.file, args.port)
    refused = [d["n"] for d in dg if d["refused"]]
    if not refused:
        sys.exit("flows.py: no datagram to port %d was refused" % args.port)
    r1, r2 = refused[0], refused[-1]
    if refused != list(range(r1, r2 + 1)):
        sys.exit("flows.py: refused datagrams %s are not one run" % refused)
    k = r2 + 1
    tmpl = [d for d in dg if d["n"] >= k and (d.get("templates") or d.get("options_templates"))]
    j, tj = (tmpl[0]["n"], tmpl[0]["time"]) if tmpl else (0, 0.0)
    h, th = 0, 0.0
    if args.hup is not None:
        after = [d for d in dg if d["time"] >= args.hup]
        if after:
            h, th = after[0]["n"], after[0]["time"]
    print("%d %d %d %d %.6f %d %.6f" % (r1, r2, k, j, tj, h, th))


def compare(args):
    if args.want_export_pcap:
        want = read_export(args.want_export_pcap, args.want_export_port, args.want_export_from,
                           args.ipv6, args.want_export_until)
    else:
        want = read_pcap(args.pcap, args.observer_mac, args.ipv6)
    if args.nfdump_csv:
        got, what = read_nfdump_csv(args.nfdump_csv, args.ipv6), "nfdump"
    elif args.nfacctd_csv:
        got, what = read_nfacctd_csv(args.nfacctd_csv), "nfacctd"
    else:
        got, what = read_export(args.export_pcap, args.export_port, args.export_from,
                                args.ipv6, args.export_until), "export"
    problems = []
    for key in sorted(set(want.flows) | set(got.flows), key=sort_key):
        w, g = want.flows.get(key), got.flows.get(key)
        name = flow_name(key)
        if g is None:
            problems.append("missing from %s: %s (%s, %d packets, %d bytes)" %
                            (what, name, w[4], w[0], w[1]))
        elif w is None:
            problems.append("not in the %s: %s (%d packets, %d bytes, %d records)" %
                            ("export datagrams" if args.want_export_pcap else "capture", name,
                             g[0], g[1], g[3]))
        elif (w[0], w[1]) != (g[0], g[1]):
            problems.append("%s (%s): capture %d packets %d bytes, %s %d packets %d bytes"
                            " in %d records" % (name, w[4], w[0], w[1], what, g[0], g[1], g[3]))
        elif args.one_record_per_flow and g[3] != 1:
            problems.append("%s: %d records, expected 1 (nothing may time out in this test)" %
                            (name, g[3]))
        elif args.observer_ifindex is not None and w[4] in ("in", "out") and got.ifindexes[key]:
            n = args.observer_ifindex
            pos, field = (0, "input") if w[4] == "in" else (1, "output")
            bad = sorted(i for i in got.ifindexes[key] if i[pos] != n)
            if bad:
                problems.append("%s (%s): %s interface should be %d, records have"
                                " (input, output) %s" % (name, w[4], field, n, bad))
        if g is not None and w is not None and args.check_direction and w[4] in ("in", "out"):
            want_dir = {0 if w[4] == "in" else 1}
            if got.flowdirs[key] != want_dir:
                problems.append("%s (%s): flowDirection %s, want %s" % (
                    name, w[4], sorted(got.flowdirs[key]), sorted(want_dir)))
    wn, wp, wb, _ = want.totals()
    gn, gp, gb, gr = got.totals()
    print("%-8s %d flows, %d packets, %d bytes" % (
        "export datagrams %d..%s" % (args.want_export_from, args.want_export_until or "")
        if args.want_export_pcap else "capture:", wn, wp, wb))
    print("%-8s %d flows, %d packets, %d bytes, %d records" % (what + ":", gn, gp, gb, gr))
    for why, count in sorted(want.notes.items()):
        print("capture, not counted: %d %s" % (count, why))
    for why, count in sorted(got.notes.items()):
        print("%s, not counted: %d %s" % (what, count, why))
    if wn == 0:
        problems.append("the capture holds no flow: nothing was compared")
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
    p.add_argument("--ipv6", action="store_true")
    p = sub.add_parser("nfdump")
    p.add_argument("csv")
    p.add_argument("--ipv6", action="store_true")
    p = sub.add_parser("nfacctd")
    p.add_argument("csv")
    p = sub.add_parser("export")
    p.add_argument("file")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--from", dest="first", type=int, default=1)
    p = sub.add_parser("datagrams")
    p.add_argument("file")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("check-export")
    p.add_argument("file")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--version", type=int, required=True)
    p.add_argument("--mtu", type=int)
    p.add_argument("--refresh", type=int)
    p.add_argument("--sampling", metavar="I:S")
    p.add_argument("--max-records", type=int)
    p.add_argument("--end-reasons", type=lambda s: [int(x) for x in s.split(",")],
                   help="IPFIX: every record's flowEndReason (136) is one of these")
    p.add_argument("--templates", type=lambda s: sorted(int(x) for x in s.split(",")),
                   default=[256, 257, 259, 260],
                   help="v9/IPFIX: the data template ids sent (259, 260: nat-events=yes)")
    p.add_argument("--ifnames-gone", metavar="IFINDEX,...", default=[],
                   type=lambda s: [int(x) for x in s.split(",")],
                   help="v9/IPFIX: interfaces of --ifnames deleted meanwhile: no longer named")
    p.add_argument("--options-templates", type=lambda s: sorted(int(x) for x in s.split(",")),
                   default=[258, 261],
                   help="v9/IPFIX: the options template ids sent (261: in- or out-interface)")
    p.add_argument("--ifnames", metavar="IFINDEX=NAME,...",
                   type=ifname_map,
                   help="v9/IPFIX: the interfaces the options records of template 261 name "
                   "(an ifindex given twice: it may carry either name, renamed meanwhile)")
    p = sub.add_parser("check-times")
    p.add_argument("file")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pcap", required=True)
    p.add_argument("--tolerance", type=float, default=1.0)
    p = sub.add_parser("restart-points")
    p.add_argument("file")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--hup", type=float)
    p = sub.add_parser("compare")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--pcap")
    g.add_argument("--want-export-pcap")
    p.add_argument("--want-export-port", type=int)
    p.add_argument("--want-export-from", type=int, default=1)
    p.add_argument("--want-export-until", type=int)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--nfdump-csv")
    g.add_argument("--nfacctd-csv")
    g.add_argument("--export-pcap")
    p.add_argument("--export-port", type=int)
    p.add_argument("--export-from", type=int, default=1)
    p.add_argument("--export-until", type=int)
    p.add_argument("--observer-mac")
    p.add_argument("--observer-ifindex", type=int)
    p.add_argument("--ipv6", action="store_true")
    p.add_argument("--one-record-per-flow", action="store_true")
    p.add_argument("--check-direction", action="store_true",
                   help="v9/IPFIX: every record's flowDirection (61) is 0 for in, 1 for out")
    args = ap.parse_args()
    if args.cmd == "pcap":
        read_pcap(args.file, args.observer_mac, args.ipv6).dump()
    elif args.cmd == "nfdump":
        read_nfdump_csv(args.csv, args.ipv6).dump()
    elif args.cmd == "nfacctd":
        read_nfacctd_csv(args.csv).dump()
    elif args.cmd == "export":
        read_export(args.file, args.port, args.first).dump()
    elif args.cmd == "datagrams":
        datagrams(args)
    elif args.cmd == "check-export":
        sys.exit(check_export(args))
    elif args.cmd == "check-times":
        sys.exit(check_times(args))
    elif args.cmd == "restart-points":
        restart_points(args)
    else:
        if args.export_pcap and not args.export_port:
            ap.error("--export-pcap needs --export-port")
        if args.want_export_pcap and not args.want_export_port:
            ap.error("--want-export-pcap needs --want-export-port")
        sys.exit(compare(args))


if __name__ == "__main__":
    main()
