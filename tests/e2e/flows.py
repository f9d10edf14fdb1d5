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
                                                the export stream's own rules (see flows_stream.py)
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
import sys

# The oracle's parts, in this folder (on sys.path: Python puts the script's folder there, and the
# tests that import flows put it there themselves); flows names them all as it did when it held
# them, for those tests (flows.frames, flows.Table, flows.export_datagrams, ...).
from flows_table import Table, addr, flow_name, norm_addr, sort_key  # noqa: F401
from flows_pcap import (ETH_P_IP, ETH_P_IPV6, IPV6_EXT_HDRS, LINKTYPE_ETHERNET,  # noqa: F401
                        LINKTYPE_LINUX_SLL, VLAN_TPIDS, frames, l4_ports, parse_ipv4, parse_ipv6,
                        read_pcap)
from flows_collectors import (PMACCT_PROTOS, PROTO_NAMES, read_nfacctd_csv,  # noqa: F401
                              read_nfdump_csv)
from flows_export import ExportDecoder, datagrams, export_datagrams, read_export  # noqa: F401
from flows_stream import check_export, ifname_map
from flows_compare import check_times, compare, restart_points


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
