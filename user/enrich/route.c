/* SPDX-License-Identifier: GPL-2.0-only */
/* route.c - parse rtnetlink routes of the main and local tables; longest prefix match. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include "util/nlattr.h"
#include "enrich/route.h"

/* An IPv4 prefix covers 96 + plen bits of its v4-mapped address. */
static unsigned int bits(__u8 family, __u8 plen)
{
	return family == 4 ? 96u + plen : plen;
}

static void mask(__u8 *a, unsigned int nbits)
{
	for (unsigned int i = 0; i < 16; i++) {
		if (nbits >= 8) {
			nbits -= 8;
			continue;
		}
		a[i] &= (__u8)(0xff00 >> nbits);
		nbits = 0;
	}
}

/* An address of alen bytes into a, v4-mapped for IPv4; 0, or -1 when the size is not alen. */
static int get_addr(const struct nlattr *at, __u8 *a, size_t alen)
{
	if (nla_get(at, a + 16 - alen, alen))
		return -1;
	if (alen == 4)
		a[10] = a[11] = 0xff;
	return 0;
}

/* The next hop among a route's (or a multipath hop's) attributes: RTA_GATEWAY or RTA_VIA. */
static void get_gateway(const struct nlattr **tb, size_t alen, struct route_pfx *p)
{
	const struct rtvia *via;

	if (!get_addr(tb[RTA_GATEWAY], p->gw, alen) || !tb[RTA_VIA] ||
	    nla_len(tb[RTA_VIA]) < sizeof(*via))
		return;
	/* RFC 5549: an IPv4 route via an IPv6 next hop, as the datapath's FIB lookup reports it */
	via = nla_data(tb[RTA_VIA]);
	if (via->rtvia_family == AF_INET6 && nla_len(tb[RTA_VIA]) == sizeof(*via) + 16)
		memcpy(p->gw, via->rtvia_addr, 16);
}

/* A multipath route goes, for tflow, by its first hop (the kernel hashes flows over them). */
static void get_multipath(const struct nlattr *mp, size_t alen, struct route_pfx *p)
{
	const struct nlattr *tb[RTA_MAX + 1];
	struct rtnexthop nh;

	if (!mp || nla_len(mp) < sizeof(nh))
		return;
	memcpy(&nh, nla_data(mp), sizeof(nh));
	if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > nla_len(mp))
		return;
	p->oif = (__u32)nh.rtnh_ifindex;
	nla_table((const char *)nla_data(mp) + RTNH_LENGTH(0), nh.rtnh_len - RTNH_LENGTH(0), tb,
		  RTA_MAX);
	get_gateway(tb, alen, p);
}

int route_parse(const struct nlmsghdr *h, struct route_pfx *p)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rt = NLMSG_DATA(h);
	__u32 table;
	size_t alen;

	if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
		return -ENOENT;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	if (rt->rtm_family == AF_INET) {
		p->family = 4;
		alen = 4;
		p->addr[10] = p->addr[11] = 0xff;
	} else if (rt->rtm_family == AF_INET6) {
		p->family = 6;
		alen = 16;
	} else {
		return -ENOENT;
	}
	if (rt->rtm_dst_len > alen * 8)
		return -EINVAL;
	/* IPv6 dumps may include cached clones of routes (exceptions): not routes of the table. */
	if (rt->rtm_flags & RTM_F_CLONED)
		return -ENOENT;
	nla_table((const char *)rt + NLMSG_ALIGN(sizeof(*rt)),
		  h->nlmsg_len - NLMSG_LENGTH(sizeof(*rt)), tb, RTA_MAX);
	/* rtm_table is 8 bits; tables above 255 are only in RTA_TABLE */
	if (nla_get(tb[RTA_TABLE], &table, 4))
		table = rt->rtm_table;
	if (table == RT_TABLE_LOCAL && rt->rtm_type == RTN_LOCAL)
		p->local = 1;
	else if (table != RT_TABLE_MAIN)
		return -ENOENT;
	if (tb[RTA_DST] && nla_get(tb[RTA_DST], p->addr + 16 - alen, alen))
		return -EINVAL;
	if (!tb[RTA_DST] && rt->rtm_dst_len)
		return -EINVAL;
	p->plen = rt->rtm_dst_len;
	mask(p->addr, bits(p->family, p->plen));
	nla_get(tb[RTA_OIF], &p->oif, 4);
	nla_get(tb[RTA_PRIORITY], &p->metric, 4);
	get_gateway(tb, alen, p);
	if (!p->oif)
		get_multipath(tb[RTA_MULTIPATH], alen, p);
	return 0;
}

void route_table_init(struct route_table *t)
{
	memset(t, 0, sizeof(*t));
}

void route_table_free(struct route_table *t)
{
	free(t->v);
	route_table_init(t);
}

int route_table_add(struct route_table *t, const struct route_pfx *p)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct route_pfx *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *p;
	return 0;
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct route_pfx *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	if (x->plen != y->plen)
		return x->plen - y->plen;
	c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c;
	return x->metric < y->metric ? -1 : x->metric > y->metric;
}

void route_table_finish(struct route_table *t)
{
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_pfx);
	memset(t->lo, 0, sizeof(t->lo));
	memset(t->hi, 0, sizeof(t->hi));
	for (size_t i = 0; i < t->n; i++) {
		int f = t->v[i].family == 6;

		if (t->lo[f][t->v[i].plen] == t->hi[f][t->v[i].plen])
			t->lo[f][t->v[i].plen] = (__u32)i;
		t->hi[f][t->v[i].plen] = (__u32)i + 1;
	}
}

/* The first entry of v[lo..hi) whose address is key (the lowest metric), or NULL. */
static const struct route_pfx *found(const struct route_table *t, __u32 lo, __u32 hi,
				     const __u8 *key)
{
	__u32 end = hi;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;

		if (memcmp(t->v[mid].addr, key, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < end && !memcmp(t->v[lo].addr, key, 16) ? &t->v[lo] : NULL;
}

const struct route_pfx *route_find(const struct route_table *t, __u8 family, const __u8 *addr)
{
	int f = family == 6, max = family == 6 ? 128 : 32;
	const struct route_pfx *p;
	__u8 key[16];

	for (int plen = max; plen >= 0; plen--) {
		if (t->lo[f][plen] == t->hi[f][plen])
			continue;
		memcpy(key, addr, 16);
		mask(key, bits(family, (__u8)plen));
		p = found(t, t->lo[f][plen], t->hi[f][plen], key);
		if (p)
			return p;
	}
	return NULL;
}

int route_lookup(const struct route_table *t, __u8 family, const __u8 *addr)
{
	const struct route_pfx *p = route_find(t, family, addr);

	return p ? p->plen : -1;
}

void route_out(const struct route_table *main, const struct route_table *local, __u8 family,
	       const __u8 *addr, __u32 *oif, __u8 *gw)
{
	const struct route_pfx *p = NULL;

	if (!route_find(local, family, addr))
		p = route_find(main, family, addr);
	*oif = p ? p->oif : 0;
	if (p)
		memcpy(gw, p->gw, 16);
	else
		memset(gw, 0, 16);
}
