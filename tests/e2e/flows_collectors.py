# SPDX-License-Identifier: GPL-2.0-only
"""The e2e oracle's collector readers (flows.py): the flow table of nfdump's and nfacctd's csv."""

import sys

from flows_table import Table, norm_addr

# nfdump 1.7 prints well-known protocols by name in csv; anything else as a number.
PROTO_NAMES = {"ICMP": 1, "IGMP": 2, "IPIP": 4, "TCP": 6, "UDP": 17, "IPv6": 41, "RSVP": 46,
               "GRE": 47, "ESP": 50, "AH": 51, "ICMP6": 58, "EIGRP": 88, "OSPF": 89, "PIM": 103,
               "VRRP": 112, "L2TP": 115, "SCTP": 132}
# pmacct prints protocol names from getprotobynumber() (lower case); numbers otherwise.
PMACCT_PROTOS = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6": 41, "gre": 47, "esp": 50,
                 "ah": 51, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136}


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
