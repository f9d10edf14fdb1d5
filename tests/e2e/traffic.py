#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""traffic.py - deterministic traffic for the e2e tests (run inside a namespace).

  traffic.py udp-sink PORT...                       drain UDP on PORTs; prints `ready`
  traffic.py udp-send DST PORT:COUNT:SIZE... [--sport N] [--gap S]
                                                    COUNT datagrams of SIZE payload bytes per PORT
  traffic.py tcp-server PORT REPLY_BYTES            accept one connection, read to EOF, reply,
                                                    close; prints `ready`, then `received N`
  traffic.py tcp-client DST PORT SEND_BYTES REPLY_BYTES
                                                    send, half-close, read the reply to EOF; exit 1
                                                    unless exactly REPLY_BYTES came back
  traffic.py udp-flows IFACE DSTMAC SRC DST DPORT COUNT SIZE [--sport-base N]
                                                    COUNT one-packet UDP flows (source ports
                                                    N..N+COUNT-1) as raw frames on IFACE
  traffic.py udp-spray DST PORT_BASE PORTS SIZE --rate PPS --duration S [--sport N]
                                                    round-robin over PORTS destination ports
                                                    (many flows, each active all the time)
  traffic.py ipv6-ext IFACE DSTMAC SRC DST UDP_PORT IPv6 with extension headers as raw frames:
                                                    3 MLDv2 reports (hop-by-hop router alert,
                                                    ICMPv6 143) to ff02::16, 2 neighbour
                                                    solicitations for DST, 2 UDP datagrams with a
                                                    destination options header to DST:UDP_PORT
  traffic.py udp-echo PORT...                       send every datagram back to its sender;
                                                    prints `ready`
  traffic.py udp-ping DST PORT COUNT SIZE [--sport N]
                                                    COUNT datagrams, each sent once the echo of
                                                    the previous came back; exit 1 on a lost one

DST may be an IPv4 or an IPv6 address; the sinks and the TCP server listen on both families.
"""

import argparse
import select
import signal
import socket
import sys
import time


def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def any_addr(fam):
    return "::" if fam == socket.AF_INET6 else "0.0.0.0"


def listen_both(kind, port):
    """Sockets bound to PORT on 0.0.0.0 and, where the namespace has IPv6, on :: (v6 only)."""
    socks = []
    for fam in (socket.AF_INET, socket.AF_INET6):
        s = socket.socket(fam, kind)
        if kind == socket.SOCK_STREAM:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        else:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            s.bind((any_addr(fam), port))
        except OSError:
            if fam == socket.AF_INET:
                raise
            s.close()  # no IPv6 in this namespace
            continue
        socks.append(s)
    return socks


def udp_sink(args):
    socks = []
    for port in args.ports:
        socks += listen_both(socket.SOCK_DGRAM, port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select(socks, [], [])
        for s in readable:
            s.recv(65536)


def udp_send(args):
    fam = family(args.dst)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if args.sport:
        s.bind((any_addr(fam), args.sport))
    total = 0
    for spec in args.specs:
        port, count, size = (int(x) for x in spec.split(":"))
        payload = bytes(i & 0xFF for i in range(size))
        for _ in range(count):
            s.sendto(payload, (args.dst, port))
            total += 1
            if args.gap:
                time.sleep(args.gap)
    print("sent %d datagrams" % total)


def tcp_server(args):
    socks = listen_both(socket.SOCK_STREAM, args.port)
    for ls in socks:
        ls.listen(1)
    print("ready", flush=True)
    readable, _, _ = select.select(socks, [], [])
    c, _ = readable[0].accept()
    received = 0
    while True:
        data = c.recv(65536)
        if not data:
            break
        received += len(data)
    c.sendall(bytes(i & 0xFF for i in range(args.reply_bytes)))
    c.close()
    for ls in socks:
        ls.close()
    print("received %d" % received, flush=True)


def tcp_client(args):
    c = socket.create_connection((args.dst, args.port), timeout=10)
    c.sendall(bytes(i & 0xFF for i in range(args.send_bytes)))
    c.shutdown(socket.SHUT_WR)
    got = 0
    while True:
        data = c.recv(65536)
        if not data:
            break
        got += len(data)
    c.close()
    print("sent %d received %d" % (args.send_bytes, got))
    if got != args.reply_bytes:
        sys.exit("tcp-client: expected %d reply bytes, got %d" % (args.reply_bytes, got))


def udp_flows(args):
    from scapy.all import IP, UDP, Ether, Raw  # noqa: import here, scapy is slow to load

    with open("/sys/class/net/%s/address" % args.iface) as f:
        src_mac = f.read().strip()
    payload = bytes(args.size)
    frames = []
    for i in range(args.count):
        pkt = (Ether(src=src_mac, dst=args.dstmac) / IP(src=args.src, dst=args.dst, ttl=64) /
               UDP(sport=args.sport_base + i, dport=args.dport) / Raw(payload))
        frames.append(bytes(pkt))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    start = time.monotonic()
    for frame in frames:
        s.send(frame)
    elapsed = time.monotonic() - start
    print("sent %d frames of %d bytes in %.2f s" % (len(frames), len(frames[0]), elapsed))


def udp_spray(args):
    fam = family(args.dst)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if args.sport:
        s.bind((any_addr(fam), args.sport))
    payload = bytes(args.size)
    total = 0
    start = time.monotonic()
    while time.monotonic() - start < args.duration:
        for i in range(args.ports):
            s.sendto(payload, (args.dst, args.port_base + i))
            total += 1
            # paced against the clock, so a late wake-up does not stretch the run
            delay = start + total / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    print("sent %d datagrams to %d ports in %.2f s" % (total, args.ports,
                                                       time.monotonic() - start))


def ipv6_ext(args):
    from scapy.all import (ICMPv6MLReport2, ICMPv6MLDMultAddrRec, ICMPv6ND_NS,  # noqa: slow
                           ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                           RouterAlert, UDP, Ether, Raw)

    with open("/sys/class/net/%s/address" % args.iface) as f:
        src_mac = f.read().strip()
    frames = []
    for _ in range(3):  # MLDv2 report: hop-by-hop header with a router alert, hop limit 1
        frames.append(Ether(src=src_mac, dst="33:33:00:00:00:16") /
                      IPv6(src=args.src, dst="ff02::16", hlim=1) /
                      IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)]) /
                      ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4,
                                                                     dst="ff02::1:ff77:77")]))
    dst_bytes = socket.inet_pton(socket.AF_INET6, args.dst)
    sol = "ff02::1:ff%02x:%02x%02x" % tuple(dst_bytes[13:16])
    sol_mac = "33:33:ff:%02x:%02x:%02x" % tuple(dst_bytes[13:16])
    for _ in range(2):
        frames.append(Ether(src=src_mac, dst=sol_mac) / IPv6(src=args.src, dst=sol, hlim=255) /
                      ICMPv6ND_NS(tgt=args.dst) / ICMPv6NDOptSrcLLAddr(lladdr=src_mac))
    for _ in range(2):
        frames.append(Ether(src=src_mac, dst=args.dstmac) / IPv6(src=args.src, dst=args.dst) /
                      IPv6ExtHdrDestOpt() / UDP(sport=40006, dport=args.udp_port) /
                      Raw(bytes(100)))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    for frame in frames:
        s.send(bytes(frame))
    print("sent 3 MLDv2 reports, 2 neighbour solicitations, 2 UDP with destination options")


def udp_echo(args):
    socks = []
    for port in args.ports:
        socks += listen_both(socket.SOCK_DGRAM, port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select(socks, [], [])
        for s in readable:
            data, peer = s.recvfrom(65536)
            s.sendto(data, peer)


def udp_ping(args):
    fam = family(args.dst)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if args.sport:
        s.bind((any_addr(fam), args.sport))
    s.settimeout(2)
    payload = bytes(i & 0xFF for i in range(args.size))
    for n in range(args.count):
        s.sendto(payload, (args.dst, args.port))
        try:
            data = s.recv(65536)
        except socket.timeout:
            sys.exit("udp-ping: no echo of datagram %d of %d" % (n + 1, args.count))
        if data != payload:
            sys.exit("udp-ping: datagram %d came back changed" % (n + 1))
    print("sent %d datagrams, %d echoes" % (args.count, args.count))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udp-sink")
    p.add_argument("ports", nargs="+", type=int)
    p.set_defaults(fn=udp_sink)
    p = sub.add_parser("udp-send")
    p.add_argument("dst")
    p.add_argument("specs", nargs="+", metavar="PORT:COUNT:SIZE")
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--gap", type=float, default=0.0)
    p.set_defaults(fn=udp_send)
    p = sub.add_parser("tcp-server")
    p.add_argument("port", type=int)
    p.add_argument("reply_bytes", type=int)
    p.set_defaults(fn=tcp_server)
    p = sub.add_parser("tcp-client")
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("send_bytes", type=int)
    p.add_argument("reply_bytes", type=int)
    p.set_defaults(fn=tcp_client)
    p = sub.add_parser("udp-flows")
    p.add_argument("iface")
    p.add_argument("dstmac")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("dport", type=int)
    p.add_argument("count", type=int)
    p.add_argument("size", type=int)
    p.add_argument("--sport-base", type=int, default=10000)
    p.set_defaults(fn=udp_flows)
    p = sub.add_parser("udp-spray")
    p.add_argument("dst")
    p.add_argument("port_base", type=int)
    p.add_argument("ports", type=int)
    p.add_argument("size", type=int)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--sport", type=int, default=0)
    p.set_defaults(fn=udp_spray)
    p = sub.add_parser("ipv6-ext")
    p.add_argument("iface")
    p.add_argument("dstmac")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("udp_port", type=int)
    p.set_defaults(fn=ipv6_ext)
    p = sub.add_parser("udp-echo")
    p.add_argument("ports", nargs="+", type=int)
    p.set_defaults(fn=udp_echo)
    p = sub.add_parser("udp-ping")
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("count", type=int)
    p.add_argument("size", type=int)
    p.add_argument("--sport", type=int, default=0)
    p.set_defaults(fn=udp_ping)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
