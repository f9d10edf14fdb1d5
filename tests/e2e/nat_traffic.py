#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""nat_traffic.py - traffic with known header values for test_ipfix_nat_values (in a namespace).

  nat_traffic.py udp-echo ADDR:PORT...      echo UDP datagrams back from the address they came to;
                                            prints `ready`
  nat_traffic.py tcp-echo ADDR:PORT...      echo each TCP connection's bytes back; `ready` first
  nat_traffic.py tcp SRC:SPORT DST:DPORT N --ttl T --tos X
                                            a kernel TCP connection, N bytes echoed, with the
                                            socket's TTL (hop limit) and ToS (traffic class) set
  nat_traffic.py udp IFACE DSTMAC SRC:SPORT DST:DPORT COUNT SIZE --ttl T --tos X [--ip-options]
                     [--flow-label L]       COUNT crafted datagrams (IPv4: 4 NOP option bytes with
                                            --ip-options; IPv6: the flow label), each echoed back
                                            to a socket bound to SRC:SPORT before the next is sent
  nat_traffic.py igmp IFACE SRC             one IGMPv2 membership report for 224.1.2.3 (router
                                            alert option, TTL 1, ToS 0xc0)

Addresses are IPv4 or IPv6 (an IPv6 ADDR:PORT is written [ADDR]:PORT).
"""

import argparse
import select
import socket
import sys


def endpoint(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bound(kind, ep):
    s = socket.socket(fam(ep[0]), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(ep)
    return s


def udp_echo(args):
    socks = [bound(socket.SOCK_DGRAM, endpoint(e)) for e in args.endpoints]
    print("ready", flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            data, peer = s.recvfrom(65536)
            s.sendto(data, peer)


def tcp_echo(args):
    socks = [bound(socket.SOCK_STREAM, endpoint(e)) for e in args.endpoints]
    for s in socks:
        s.listen(4)
    print("ready", flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            c, _ = s.accept()
            data = b""
            while True:
                d = c.recv(65536)
                if not d:
                    break
                data += d
            c.sendall(data)
            c.close()


def tcp(args):
    src, dst = endpoint(args.src), endpoint(args.dst)
    s = bound(socket.SOCK_STREAM, src)
    if fam(src[0]) == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, args.ttl)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, args.tos)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, args.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, args.tos)
    s.settimeout(5)
    s.connect(dst)
    s.sendall(bytes(i & 0xFF for i in range(args.n)))
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    if len(got) != args.n:
        sys.exit("tcp: %d bytes echoed, want %d" % (len(got), args.n))
    print("tcp: %d bytes echoed" % args.n)


def raw_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    with open("/sys/class/net/%s/address" % iface) as f:
        return s, f.read().strip()


def udp(args):
    from scapy.all import IP, UDP, Ether, IPOption_NOP, IPv6, Raw  # noqa: slow to import

    src, dst = endpoint(args.src), endpoint(args.dst)
    rx = bound(socket.SOCK_DGRAM, src)  # the echoes land here, not in an ICMP port unreachable
    rx.settimeout(3)
    raw, mac = raw_sock(args.iface)
    payload = bytes(i & 0xFF for i in range(args.size))
    if fam(src[0]) == socket.AF_INET:
        ip = IP(src=src[0], dst=dst[0], ttl=args.ttl, tos=args.tos,
                options=[IPOption_NOP()] * 4 if args.ip_options else [])
    else:
        ip = IPv6(src=src[0], dst=dst[0], hlim=args.ttl, tc=args.tos, fl=args.flow_label)
    frame = bytes(Ether(src=mac, dst=args.dstmac) / ip / UDP(sport=src[1], dport=dst[1]) /
                  Raw(payload))
    for n in range(args.count):
        raw.send(frame)
        try:
            if rx.recv(65536) != payload:
                sys.exit("udp: echo %d changed" % (n + 1))
        except socket.timeout:
            sys.exit("udp: no echo of datagram %d of %d" % (n + 1, args.count))
    print("udp: %d datagrams echoed" % args.count)


def igmp(args):
    from scapy.all import IP, Ether, IPOption_Router_Alert  # noqa: slow to import
    from scapy.contrib.igmp import IGMP

    raw, mac = raw_sock(args.iface)
    raw.send(bytes(Ether(src=mac, dst="01:00:5e:01:02:03") /
                   IP(src=args.src, dst="224.1.2.3", ttl=1, tos=0xC0,
                      options=[IPOption_Router_Alert()]) /
                   IGMP(type=0x16, gaddr="224.1.2.3")))
    print("igmp: 1 report")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("udp-echo", udp_echo), ("tcp-echo", tcp_echo)):
        p = sub.add_parser(name)
        p.add_argument("endpoints", nargs="+")
        p.set_defaults(fn=fn)
    p = sub.add_parser("tcp")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("n", type=int)
    p.add_argument("--ttl", type=int, required=True)
    p.add_argument("--tos", type=lambda x: int(x, 0), required=True)
    p.set_defaults(fn=tcp)
    p = sub.add_parser("udp")
    p.add_argument("iface")
    p.add_argument("dstmac")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("count", type=int)
    p.add_argument("size", type=int)
    p.add_argument("--ttl", type=int, required=True)
    p.add_argument("--tos", type=lambda x: int(x, 0), required=True)
    p.add_argument("--ip-options", action="store_true")
    p.add_argument("--flow-label", type=lambda x: int(x, 0), default=0)
    p.set_defaults(fn=udp)
    p = sub.add_parser("igmp")
    p.add_argument("iface")
    p.add_argument("src")
    p.set_defaults(fn=igmp)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
