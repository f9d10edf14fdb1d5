/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * route.h - the main routing table's prefixes, for src/dst-address-mask (longest prefix match),
 * and its routes, for where a translated destination goes (with the local table's addresses).
 */
#ifndef TFLOW_ROUTE_H
#define TFLOW_ROUTE_H

#include <stddef.h>
#include <linux/netlink.h>
#include <linux/types.h>

/* A route's destination prefix and next hop; IPv4 v4-mapped as in struct tflow_key. */
struct route_pfx {
	__u8 addr[16];
	__u8 gw[16]; /* next hop (of the first path of a multipath route); zero: none (connected) */
	__u32 oif;   /* output interface; 0 for unreachable, blackhole and prohibit routes */
	__u32 metric; /* RTA_PRIORITY: of two routes to one prefix the kernel takes the lower */
	__u8 plen;    /* 0..32 (IPv4) or 0..128 (IPv6) */
	__u8 family;  /* 4 or 6 */
	__u8 local;   /* 1: an address of this host (local table, type local) */
	__u8 pad;
};

/*
 * Parse one RTM_NEWROUTE/RTM_DELROUTE message: 0 for a route of the main table or an address of
 * the host (local table, type local: p->local 1) (p filled); -ENOENT for anything else (another
 * table or type, a cached clone, another family); -EINVAL malformed.
 */
int route_parse(const struct nlmsghdr *h, struct route_pfx *p);

/* Prefixes sorted by family, length and address; found by binary search per length present. */
struct route_table {
	struct route_pfx *v;
	size_t n, cap;
	__u32 lo[2][129]; /* [family 4: 0, 6: 1][plen]: v[lo..hi) have that length */
	__u32 hi[2][129];
};

void route_table_init(struct route_table *t);
void route_table_free(struct route_table *t);

/* Add a prefix (duplicates are harmless); 0 or -ENOMEM. route_table_finish before lookups. */
int route_table_add(struct route_table *t, const struct route_pfx *p);
void route_table_finish(struct route_table *t);

/*
 * The route of the longest prefix holding addr (16 bytes, v4-mapped), of the lowest metric among
 * routes to that prefix; NULL if none.
 */
const struct route_pfx *route_find(const struct route_table *t, __u8 family, const __u8 *addr);

/* Prefix length of the longest prefix holding addr, or -1 if none. */
int route_lookup(const struct route_table *t, __u8 family, const __u8 *addr);

/*
 * Where a packet to addr leaves, by the main table: its output interface (0: none, or addr is
 * in the local table, an address of the host itself) and next hop (gw, 16 bytes; zero: none).
 */
void route_out(const struct route_table *main, const struct route_table *local, __u8 family,
	       const __u8 *addr, __u32 *oif, __u8 *gw);

#endif
