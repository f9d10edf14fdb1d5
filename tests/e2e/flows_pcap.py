# SPDX-License-Identifier: GPL-2.0-only
"""The e2e oracle's capture reader (flows.py): the frames of a pcap or pcapng file and the flow
table of their IPv4 and IPv6 packets."""

import struct
import sys

from scapy.utils import RawPcapReader  # reads pcap and pcapng

from flows_table import Table, addr

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8)
LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113

# IPv6 extension headers the oracle walks: (next header, length) as in RFC 8200; AH counts its
# length in 4-octet units minus 2, the others in 8-octet units not counting the first 8.
IPV6_EXT_HDRS = (0, 43, 44, 51, 60, 135)


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
