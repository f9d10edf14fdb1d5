/* route.c - parse rtnetlink routes of the main table; longest prefix match over them. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include "nlattr.h"
#include "route.h"

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
	if (table != RT_TABLE_MAIN)
		return -ENOENT;
	if (tb[RTA_DST] && nla_get(tb[RTA_DST], p->addr + 16 - alen, alen))
		return -EINVAL;
	if (!tb[RTA_DST] && rt->rtm_dst_len)
		return -EINVAL;
	p->plen = rt->rtm_dst_len;
	mask(p->addr, bits(p->family, p->plen));
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

	if (x->family != y->family)
		return x->family - y->family;
	if (x->plen != y->plen)
		return x->plen - y->plen;
	return memcmp(x->addr, y->addr, 16);
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

static bool found(const struct route_table *t, __u32 lo, __u32 hi, const __u8 *key)
{
	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		int c = memcmp(t->v[mid].addr, key, 16);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int route_lookup(const struct route_table *t, __u8 family, const __u8 *addr)
{
	int f = family == 6, max = family == 6 ? 128 : 32;
	__u8 key[16];

	for (int plen = max; plen >= 0; plen--) {
		if (t->lo[f][plen] == t->hi[f][plen])
			continue;
		memcpy(key, addr, 16);
		mask(key, bits(family, (__u8)plen));
		if (found(t, t->lo[f][plen], t->hi[f][plen], key))
			return plen;
	}
	return -1;
}
