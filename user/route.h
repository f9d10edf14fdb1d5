/* route.h - the main routing table's prefixes, for src/dst-address-mask (longest prefix match). */
#ifndef TFLOW_ROUTE_H
#define TFLOW_ROUTE_H

#include <stddef.h>
#include <linux/netlink.h>
#include <linux/types.h>

/* A route's destination prefix; IPv4 v4-mapped as in struct tflow_key. */
struct route_pfx {
	__u8 addr[16];
	__u8 plen;   /* 0..32 (IPv4) or 0..128 (IPv6) */
	__u8 family; /* 4 or 6 */
};

/*
 * Parse one RTM_NEWROUTE/RTM_DELROUTE message: 0 for a route of the main table (p filled);
 * -ENOENT for anything else (another table, a cached clone, another family); -EINVAL malformed.
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

/* Prefix length of the longest prefix holding addr (16 bytes, v4-mapped), or -1 if none. */
int route_lookup(const struct route_table *t, __u8 family, const __u8 *addr);

#endif
