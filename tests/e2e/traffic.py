#!/usr/bin/python3
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
"""

import argparse
import select
import signal
import socket
import sys
import time


def udp_sink(args):
    socks = []
    for port in args.ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind(("0.0.0.0", port))
        socks.append(s)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select(socks, [], [])
        for s in readable:
            s.recv(65536)


def udp_send(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.sport:
        s.bind(("0.0.0.0", args.sport))
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
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", args.port))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    received = 0
    while True:
        data = c.recv(65536)
        if not data:
            break
        received += len(data)
    c.sendall(bytes(i & 0xFF for i in range(args.reply_bytes)))
    c.close()
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
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
