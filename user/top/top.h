/* SPDX-License-Identifier: GPL-2.0-only */
/* top.h - tflow top: live top flows and talkers from the pinned flow cache. */
#ifndef TFLOW_TOP_H
#define TFLOW_TOP_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "tflow.h"

/* What the rows are grouped by (--by). */
enum top_by {
	TOP_BY_FLOW,  /* the cache's key: interface, direction, protocol, addresses, ports */
	TOP_BY_SRC,   /* source address */
	TOP_BY_DST,   /* destination address */
	TOP_BY_PROTO, /* IP protocol and destination port (ICMP: type and code) */
	TOP_BY_CONV,  /* the unordered address pair */
};

enum top_sort { TOP_SORT_BYTES, TOP_SORT_PACKETS };

/* One cache entry as top reads it: the counters and the time that tells a re-created flow. */
struct top_flow {
	struct tflow_key key;
	__u64 hash; /* of the key: snapshots sort by it first (IPv4 keys share their first 12 bytes)
		     */
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
};

/* One reading of the cache; top_snap_sort() makes it ready for top_delta(). */
struct top_snap {
	struct top_flow *v;
	size_t n, cap;
};

int top_snap_push(struct top_snap *s, const struct tflow_key *k, __u64 packets, __u64 bytes,
		  __u64 first_ns);
/*
 * Sort (by key hash, then key: any order both snapshots share will do) and keep one entry per key
 * (a key-by-key read of a changing map may repeat one).
 */
void top_snap_sort(struct top_snap *s);
void top_snap_free(struct top_snap *s);

/* What a flow, or a group of flows, counted in one interval. */
struct top_row {
	struct tflow_key key; /* TOP_BY_FLOW: the flow's; otherwise only the grouped fields set */
	__u64 packets;
	__u64 bytes;
	__u32 flows; /* flows in the group that counted something */
};

/*
 * Per-flow counts between two sorted snapshots into rows (room for cur->n): a flow in both counts
 * the difference; a new flow, or one whose counters went down or whose first packet changed (it
 * was exported and created again in between), counts all it has. Flows gone from cur were
 * exported: they are left out, as are flows that counted nothing. Returns the number of rows.
 */
size_t top_delta(const struct top_snap *prev, const struct top_snap *cur, struct top_row *rows);

/* Group rows in place by `by` (summing them); returns the number of groups. */
size_t top_aggregate(struct top_row *rows, size_t n, enum top_by by);

/* Largest first by bytes or packets; ties by the other counter, then by key (stable output). */
void top_sort(struct top_row *rows, size_t n, enum top_sort sort);

/* One interval, as printed. */
struct top_view {
	enum top_by by;
	enum top_sort sort;
	double seconds;	      /* between the two snapshots (measured, not the nominal interval) */
	double time;	      /* wall clock of the second snapshot, Unix seconds */
	size_t cache_flows;   /* entries in the cache */
	size_t active;	      /* flows that counted something in the interval */
	__u64 packets, bytes; /* what every flow counted in the interval */
	size_t groups;	      /* rows before the top N were taken */
	const struct top_row *rows;
	size_t n; /* rows shown */
	/* Interface name of an ifindex into buf (IF_NAMESIZE bytes); returns buf. */
	const char *(*ifname)(__u32 ifindex, char *buf);
};

/* Human units, 3 significant digits at most: "960 bit/s", "1.6 kbit/s", "12.8 Mbit/s". */
void top_fmt_bits(double bits_per_s, char *buf, size_t size);
/* "120 pps", "1.5 kpps", "2.3 Mpps". */
void top_fmt_pps(double pps, char *buf, size_t size);

/* The interval as a table (a header line, column titles, rows, a total line). */
void top_print_text(FILE *f, const struct top_view *v);
/* The interval as one JSON object on one line (keys in README, "tflow top"). */
void top_print_json(FILE *f, const struct top_view *v);

const char *top_by_name(enum top_by by);
/* 0 and *by set, or -EINVAL. */
int top_by_parse(const char *s, enum top_by *by);

/* `tflow top ...` (argv[0] is "top"); returns the exit status. */
int top_main(int argc, char **argv);

#endif
