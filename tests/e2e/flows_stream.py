# SPDX-License-Identifier: GPL-2.0-only
"""The e2e oracle's export stream rules (flows.py check-export): sequence numbers, templates first
and refreshed, sampling and interface options records, MTU, record counts."""

from collections import defaultdict

from flows_export import export_datagrams
from flows_table import flow_name


def ifname_map(s):
    """IFINDEX=NAME,... -> {ifindex: {names}}"""
    m = defaultdict(set)
    for x in s.split(","):
        k, v = x.split("=", 1)
        m[int(k)].add(v)
    return dict(m)


class StreamState:
    """What check_export carries from one datagram to the next, and the problems found."""

    def __init__(self, args):
        self.problems = []
        self.prev = None
        self.since_tmpl = None
        self.want_sampling = None
        if args.sampling:
            i, s = (int(x) for x in args.sampling.split(":"))
            self.want_sampling = (i, s)
        self.n_rec = self.n_tmpl = 0
        self.names_due, self.names_seen = set(), set()


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
    st = StreamState(args)
    for d in dg:
        where = "datagram %d" % d["n"]
        if not check_datagram(args, st, d, where):
            continue
        if args.version in (9, 10):
            check_templates(args, st, d, where)
            check_options(args, st, d, where)
        st.n_rec += d.get("data_records", 0)
        st.prev = d
    return check_report(args, st, dg)


def check_datagram(args, st, d, where):
    """check_export's rules for any version: decoded, version, data sets, end reasons, record
    count, MTU, v9 header count, sequence. False if the version is not the one asked (the
    datagram is not checked further, nor counted)."""
    problems, prev = st.problems, st.prev
    if d.get("error"):
        problems.append("%s: %s" % (where, d["error"]))
    if d.get("version") != args.version:
        problems.append("%s: version %s, want %d" % (where, d.get("version"), args.version))
        return False
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
    return True


def check_templates(args, st, d, where):
    """v9/IPFIX: the templates a datagram carries, with one sampling options record; the first
    datagram has them and they come again at least every --refresh datagrams."""
    problems = st.problems
    tids = sorted(t["id"] for t in d["templates"])
    oids = sorted(t["id"] for t in d["options_templates"])
    has = bool(tids or oids)
    if has:
        st.n_tmpl += 1
        if tids != args.templates or oids != args.options_templates:
            problems.append("%s: templates %s, options templates %s; want %s and %s"
                            % (where, tids, oids, args.templates,
                               args.options_templates))
        n_samp = sum(o["template"] == 258 for o in d["options"])
        if n_samp != 1:
            problems.append("%s: %d sampling options records with the templates, want 1"
                            % (where, n_samp))
        st.names_due = set(args.ifnames or {}) - set(args.ifnames_gone)
    if st.prev is None and not has:
        problems.append("%s: the first datagram has no templates" % where)
    st.since_tmpl = 1 if has else (st.since_tmpl or 0) + 1
    if args.refresh and st.since_tmpl > args.refresh:
        problems.append("%s: %d datagrams since the last templates (refresh %d)" %
                        (where, st.since_tmpl - 1, args.refresh))
        st.since_tmpl = 1


def check_options(args, st, d, where):
    """v9/IPFIX: the interface names (261) and sampling (258) options records, every name due
    before the next flow record, and v9's ICMP type/code in field 32."""
    problems, want_sampling = st.problems, st.want_sampling
    for o in d["options"]:
        if o["template"] == 261 and args.ifnames is not None:
            ifindex, name = o.get("10", o.get("scope0")), o.get("82")
            if name not in args.ifnames.get(ifindex, ()):
                problems.append("%s: interface options: %s is '%s', want %s" % (
                    where, ifindex, name, sorted(args.ifnames.get(ifindex, ()))))
            st.names_due.discard(ifindex)
            st.names_seen.add(ifindex)
    if d["records"] and st.names_due:
        problems.append("%s: flow records before the names of ifindex %s since the"
                        " templates" % (where, sorted(st.names_due)))
        st.names_due = set()
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


def check_report(args, st, dg):
    """check_export's end: the rules of the whole stream, a summary, the problems; 1 if any."""
    problems, names_seen, n_tmpl, n_rec = st.problems, st.names_seen, st.n_tmpl, st.n_rec
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
