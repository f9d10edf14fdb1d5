# SPDX-License-Identifier: GPL-2.0-only
"""The e2e oracle's export decoder (flows.py): NetFlow v1/v5/v9 and IPFIX datagrams captured on
their way to a collector, decoded here, and the flow table of their records."""

import json
import struct

from flows_pcap import ETH_P_IP, ETH_P_IPV6, frames
from flows_table import Table, addr


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
