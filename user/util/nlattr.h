/* SPDX-License-Identifier: GPL-2.0-only */
/* nlattr.h - netlink attribute tables, for the rtnetlink and ctnetlink message parsers. */
#ifndef TFLOW_NLATTR_H
#define TFLOW_NLATTR_H

#include <stddef.h>
#include <string.h>
#include <linux/netlink.h>

/*
 * Index the attributes in [p, p + len) by type into tb[0..max] (NULL when absent; the last of a
 * repeated type wins). A truncated attribute ends the walk: what came before it is kept.
 * struct rtattr has the same layout as struct nlattr, so rtnetlink messages parse the same way.
 */
static inline void nla_table(const void *p, size_t len, const struct nlattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = p;
		size_t alen = NLA_ALIGN(a->nla_len);
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return;
		if (type <= max)
			tb[type] = a;
		if (alen > len)
			return;
		p = (const char *)p + alen;
		len -= alen;
	}
}

static inline const void *nla_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* Copy an attribute of exactly n bytes to out; 0, or -1 when absent or of another size. */
static inline int nla_get(const struct nlattr *a, void *out, size_t n)
{
	if (!a || nla_len(a) != n)
		return -1;
	memcpy(out, nla_data(a), n);
	return 0;
}

/* The nested attributes of a, indexed into tb (all NULL when a is absent). */
static inline void nla_nested(const struct nlattr *a, const struct nlattr **tb, int max)
{
	if (!a) {
		memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
		return;
	}
	nla_table(nla_data(a), nla_len(a), tb, max);
}

#endif
