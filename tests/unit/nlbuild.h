/* SPDX-License-Identifier: GPL-2.0-only */
/* nlbuild.h - build netlink messages for the parser tests, as the kernel lays them out. */
#ifndef TFLOW_NLBUILD_H
#define TFLOW_NLBUILD_H

#include <string.h>
#include <linux/netlink.h>

struct nlb {
	union {
		struct nlmsghdr h;
		char buf[2048];
	};
	size_t nest[8]; /* offsets of the open nested attributes */
	int depth;
};

/* Start a message of type with a fixed header of hlen bytes (copied from hdr). */
static inline void *nlb_start(struct nlb *m, __u16 type, const void *hdr, size_t hlen)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_type = type;
	m->h.nlmsg_len = NLMSG_LENGTH(hlen);
	memcpy(NLMSG_DATA(&m->h), hdr, hlen);
	m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len);
	return NLMSG_DATA(&m->h);
}

static inline void nlb_put(struct nlb *m, __u16 type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->h.nlmsg_len);

	a->nla_type = type;
	a->nla_len = (__u16)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->h.nlmsg_len += NLA_ALIGN(a->nla_len);
}

static inline void nlb_u8(struct nlb *m, __u16 type, __u8 v)
{
	nlb_put(m, type, &v, 1);
}

static inline void nlb_nest(struct nlb *m, __u16 type)
{
	m->nest[m->depth++] = m->h.nlmsg_len;
	nlb_put(m, type | NLA_F_NESTED, NULL, 0);
}

static inline void nlb_end(struct nlb *m)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->nest[--m->depth]);

	a->nla_len = (__u16)(m->h.nlmsg_len - m->nest[m->depth]);
}

#endif
