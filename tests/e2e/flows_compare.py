# SPDX-License-Identifier: GPL-2.0-only
"""The e2e oracle's comparisons (flows.py): two flow tables (compare), record times against the
capture (check-times), and where a collector restart shows in the stream (restart-points)."""

import sys

from flows_collectors import read_nfacctd_csv, read_nfdump_csv
from flows_export import export_datagrams, read_export
from flows_pcap import read_pcap
from flows_table import flow_name, sort_key


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
