/* SPDX-License-Identifier: GPL-2.0-only */
/* conntrack.c - parse ctnetlink conntrack messages; find the NAT translation of a flow. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "enrich/conntrack.h"
#include "util/nlattr.h"

/*
 * The protocols whose ports the datapath puts in the flow key (bpf/parse.bpf.h). For the others
 * (ICMP, GRE, DCCP, ...) the key's ports are 0 or ICMP type/code, which conntrack does not
 * translate, so connections are found by addresses and protocol and the ports are kept.
 */
static bool has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_SCTP;
}

static int parse_addrs(const struct nlattr *ip, __u8 family, struct ct_tuple *t)
{
	const struct nlattr *tb[CTA_IP_MAX + 1];

	nla_nested(ip, tb, CTA_IP_MAX);
	if (family == 6) {
		if (nla_get(tb[CTA_IP_V6_SRC], t->src, 16) ||
		    nla_get(tb[CTA_IP_V6_DST], t->dst, 16))
			return -EINVAL;
		return 0;
	}
	/* v4-mapped, as the flow key has it */
	t->src[10] = t->src[11] = t->dst[10] = t->dst[11] = 0xff;
	if (nla_get(tb[CTA_IP_V4_SRC], t->src + 12, 4) ||
	    nla_get(tb[CTA_IP_V4_DST], t->dst + 12, 4))
		return -EINVAL;
	return 0;
}

static int parse_tuple(const struct nlattr *tuple, __u8 family, struct ct_tuple *t, __u8 *proto)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *pb[CTA_PROTO_MAX + 1];

	nla_nested(tuple, tb, CTA_TUPLE_MAX);
	nla_nested(tb[CTA_TUPLE_PROTO], pb, CTA_PROTO_MAX);
	if (parse_addrs(tb[CTA_TUPLE_IP], family, t) || nla_get(pb[CTA_PROTO_NUM], proto, 1))
		return -EINVAL;
	if (has_ports(*proto) && (nla_get(pb[CTA_PROTO_SRC_PORT], &t->sport, 2) ||
				  nla_get(pb[CTA_PROTO_DST_PORT], &t->dport, 2)))
		return -EINVAL;
	if (*proto == IPPROTO_ICMP) {
		nla_get(pb[CTA_PROTO_ICMP_TYPE], &t->icmp_type, 1);
		nla_get(pb[CTA_PROTO_ICMP_CODE], &t->icmp_code, 1);
	} else if (*proto == IPPROTO_ICMPV6) {
		nla_get(pb[CTA_PROTO_ICMPV6_TYPE], &t->icmp_type, 1);
		nla_get(pb[CTA_PROTO_ICMPV6_CODE], &t->icmp_code, 1);
	}
	return 0;
}

int ct_parse(const struct nlmsghdr *h, struct ct_conn *c)
{
	const struct nlattr *tb[CTA_MAX + 1];
	const struct nfgenmsg *g = NLMSG_DATA(h);
	int type = NFNL_MSG_TYPE(h->nlmsg_type);
	__u8 proto_reply;
	__be32 status;

	if (NFNL_SUBSYS_ID(h->nlmsg_type) != NFNL_SUBSYS_CTNETLINK ||
	    (type != IPCTNL_MSG_CT_NEW && type != IPCTNL_MSG_CT_DELETE))
		return -ENOENT;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	if (g->nfgen_family == AF_INET)
		c->family = 4;
	else if (g->nfgen_family == AF_INET6)
		c->family = 6;
	else
		return -ENOENT;
	c->kind = type == IPCTNL_MSG_CT_NEW ? CT_NEW : CT_DESTROY;
	nla_table((const char *)g + NLMSG_ALIGN(sizeof(*g)),
		  h->nlmsg_len - NLMSG_LENGTH(sizeof(*g)), tb, CTA_MAX);
	if (parse_tuple(tb[CTA_TUPLE_ORIG], c->family, &c->orig, &c->proto) ||
	    parse_tuple(tb[CTA_TUPLE_REPLY], c->family, &c->reply, &proto_reply) ||
	    proto_reply != c->proto)
		return -EINVAL;
	if (!nla_get(tb[CTA_STATUS], &status, 4))
		c->status = ntohl(status);
	return 0;
}

bool ct_is_nat(const struct ct_conn *c)
{
	const struct ct_tuple *o = &c->orig, *r = &c->reply;

	if (c->status & (IPS_SRC_NAT | IPS_DST_NAT))
		return true;
	return memcmp(o->src, r->dst, 16) || memcmp(o->dst, r->src, 16) || o->sport != r->dport ||
	       o->dport != r->sport;
}

/* What a lookup key leads to: a packet's 5-tuple after NAT, and how long the entry lives. */
struct ct_entry {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u32 gen;
	__u64 dead_ns; /* 0: live */
};

/* The lookup key: struct tflow_key with only addresses, ports, protocol and family set. */
static void key_make(struct tflow_key *k, __u8 family, __u8 proto, const __u8 *src, const __u8 *dst,
		     __be16 sport, __be16 dport)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, src, 16);
	memcpy(k->dst, dst, 16);
	k->proto = proto;
	k->family = family;
	if (has_ports(proto)) {
		k->sport = sport;
		k->dport = dport;
	}
}

#define CT_MIN_BUCKETS 1024

int ct_table_init(struct ct_table *t, size_t limit)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
	return ftable_init(&t->map, sizeof(struct ct_entry), CT_MIN_BUCKETS);
}

static bool copy_entry(const struct tflow_key *k, void *val, void *ctx)
{
	struct ftable *to = ctx;
	void *v = ftable_get(to, k, true, NULL);

	if (v)
		memcpy(v, val, to->val_size);
	return false;
}

/*
 * The table starts small (most hosts translate nothing) and grows 4x whenever it holds more than
 * two entries a bucket; a failed allocation leaves it as it was, only slower.
 */
static void grow(struct ct_table *t)
{
	struct ftable n;

	if (t->map.count <= 2 * (t->map.mask + 1) ||
	    ftable_init(&n, sizeof(struct ct_entry), 4 * (t->map.mask + 1)))
		return;
	ftable_walk(&t->map, copy_entry, &n);
	if (n.count != t->map.count) {
		ftable_free(&n);
		return;
	}
	ftable_free(&t->map);
	t->map = n;
}

void ct_table_free(struct ct_table *t)
{
	ftable_free(&t->map);
}

/* Key: tuple a (reversed when a_rev); value: tuple b reversed, the other direction after NAT. */
static int put(struct ct_table *t, const struct ct_conn *c, const struct ct_tuple *a, bool a_rev,
	       const struct ct_tuple *b, __u64 dead_ns)
{
	struct tflow_key k;
	struct ct_entry *e;

	if (a_rev)
		key_make(&k, c->family, c->proto, a->dst, a->src, a->dport, a->sport);
	else
		key_make(&k, c->family, c->proto, a->src, a->dst, a->sport, a->dport);
	e = ftable_get(&t->map, &k, true, NULL);
	if (!e)
		return -ENOMEM;
	memcpy(e->src, b->dst, 16);
	memcpy(e->dst, b->src, 16);
	e->sport = b->dport;
	e->dport = b->sport;
	e->gen = t->gen;
	e->dead_ns = dead_ns;
	return 0;
}

int ct_table_apply(struct ct_table *t, const struct ct_conn *c, __u64 dead_ns)
{
	const struct ct_tuple *o = &c->orig, *r = &c->reply;
	struct tflow_key k;

	key_make(&k, c->family, c->proto, o->src, o->dst, o->sport, o->dport);
	if (t->map.count + 4 > t->limit && !ftable_get(&t->map, &k, false, NULL)) {
		t->full++;
		return -ENOSPC;
	}
	grow(t);
	/* Original direction: before NAT (o) and after (r reversed) both become r reversed. */
	if (put(t, c, o, false, r, dead_ns) || put(t, c, r, true, r, dead_ns) ||
	    /* Reply direction: before de-NAT (r) and after (o reversed) become o reversed. */
	    put(t, c, r, false, o, dead_ns) || put(t, c, o, true, o, dead_ns))
		return -ENOMEM;
	return 0;
}

static bool expired(const struct tflow_key *k, void *val, void *ctx)
{
	const struct ct_entry *e = val;

	(void)k;
	return e->dead_ns && e->dead_ns <= *(const __u64 *)ctx;
}

void ct_table_expire(struct ct_table *t, __u64 now)
{
	ftable_walk(&t->map, expired, &now);
}

void ct_table_sync_begin(struct ct_table *t)
{
	t->gen++;
}

struct sync_ctx {
	__u32 gen;
	__u64 dead_ns;
};

static bool unseen(const struct tflow_key *k, void *val, void *ctx)
{
	const struct sync_ctx *s = ctx;
	struct ct_entry *e = val;

	(void)k;
	if (!e->dead_ns && e->gen != s->gen)
		e->dead_ns = s->dead_ns;
	return false;
}

void ct_table_sync_end(struct ct_table *t, __u64 dead_ns)
{
	struct sync_ctx s = { .gen = t->gen, .dead_ns = dead_ns };

	ftable_walk(&t->map, unseen, &s);
}

bool ct_table_translate(struct ct_table *t, struct tflow_record *r)
{
	const struct tflow_key *rk = &r->key;
	const struct ct_entry *e;
	struct tflow_key k;

	key_make(&k, rk->family, rk->proto, rk->src, rk->dst, rk->sport, rk->dport);
	e = ftable_get(&t->map, &k, false, NULL);
	r->has_nat = e != NULL;
	if (!e)
		return false;
	memcpy(r->nat_src, e->src, 16);
	memcpy(r->nat_dst, e->dst, 16);
	r->nat_sport = has_ports(rk->proto) ? e->sport : rk->sport;
	r->nat_dport = has_ports(rk->proto) ? e->dport : rk->dport;
	return true;
}

void ct_event_record(const struct ct_conn *c, __u64 now, struct tflow_record *r)
{
	const struct ct_tuple *o = &c->orig, *rp = &c->reply;
	bool del = c->kind == CT_DESTROY;

	memset(r, 0, sizeof(*r));
	memcpy(r->key.src, o->src, 16);
	memcpy(r->key.dst, o->dst, 16);
	r->key.proto = c->proto;
	r->key.family = c->family;
	r->key.sport = o->sport;
	r->key.dport = o->dport;
	if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6)
		r->key.dport = htons((__u16)(o->icmp_type << 8 | o->icmp_code)); /* as NetFlow */
	memcpy(r->nat_src, rp->dst, 16);
	memcpy(r->nat_dst, rp->src, 16);
	r->nat_sport = has_ports(c->proto) ? rp->dport : r->key.sport;
	r->nat_dport = has_ports(c->proto) ? rp->sport : r->key.dport;
	r->has_nat = 1;
	if (c->family == 4)
		r->nat_event = del ? CT_NAT_EVENT_NAT44_DELETE : CT_NAT_EVENT_NAT44_CREATE;
	else
		r->nat_event = del ? CT_NAT_EVENT_DELETE : CT_NAT_EVENT_CREATE;
	r->first_ns = now;
	r->last_ns = now;
}
