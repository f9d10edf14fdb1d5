/* SPDX-License-Identifier: GPL-2.0-only */
/* test_conntrack.c - ctnetlink messages as the kernel sends them, and NAT lookups by direction. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include "t.h"
#include "enrich/conntrack.h"
#include "nlbuild.h"

#define S(x) ((__u64)(x)*1000000000ULL)

struct tup {
	const char *src, *dst;
	__u16 sport, dport; /* ICMP: id in sport, type/code in dport's bytes */
};

static void put_tuple(struct nlb *m, __u16 type, int af, __u8 proto, const struct tup *t)
{
	__u8 a[16];
	__be16 p;

	nlb_nest(m, type);
	nlb_nest(m, CTA_TUPLE_IP);
	inet_pton(af, t->src, a);
	nlb_put(m, af == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, a, af == AF_INET ? 4 : 16);
	inet_pton(af, t->dst, a);
	nlb_put(m, af == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST, a, af == AF_INET ? 4 : 16);
	nlb_end(m);
	nlb_nest(m, CTA_TUPLE_PROTO);
	nlb_u8(m, CTA_PROTO_NUM, proto);
	if (proto == IPPROTO_ICMP) {
		p = htons(t->sport);
		nlb_put(m, CTA_PROTO_ICMP_ID, &p, 2);
		nlb_u8(m, CTA_PROTO_ICMP_TYPE, t->dport >> 8);
		nlb_u8(m, CTA_PROTO_ICMP_CODE, t->dport & 0xff);
	} else {
		p = htons(t->sport);
		nlb_put(m, CTA_PROTO_SRC_PORT, &p, 2);
		p = htons(t->dport);
		nlb_put(m, CTA_PROTO_DST_PORT, &p, 2);
	}
	nlb_end(m);
	nlb_end(m);
}

/* A conntrack event or dump entry: the kernel's attribute order (tuples, then status). */
static void ct_msg(struct nlb *m, int msg, int af, __u8 proto, const struct tup *orig,
		   const struct tup *reply, __u32 status)
{
	struct nfgenmsg g = { .nfgen_family = (__u8)af, .version = NFNETLINK_V0 };
	__be32 st = htonl(status);

	nlb_start(m, NFNL_SUBSYS_CTNETLINK << 8 | msg, &g, sizeof(g));
	put_tuple(m, CTA_TUPLE_ORIG, af, proto, orig);
	put_tuple(m, CTA_TUPLE_REPLY, af, proto, reply);
	nlb_put(m, CTA_STATUS, &st, 4);
}

static void conn(struct ct_conn *c, int msg, int af, __u8 proto, const struct tup *orig,
		 const struct tup *reply, __u32 status)
{
	struct nlb m;

	ct_msg(&m, msg, af, proto, orig, reply, status);
	T_EQ_INT(ct_parse(&m.h, c), 0);
}

static void key(struct tflow_key *k, int family, __u8 proto, const struct tup *t)
{
	memset(k, 0, sizeof(*k));
	if (family == 4) {
		k->src[10] = k->src[11] = k->dst[10] = k->dst[11] = 0xff;
		inet_pton(AF_INET, t->src, k->src + 12);
		inet_pton(AF_INET, t->dst, k->dst + 12);
	} else {
		inet_pton(AF_INET6, t->src, k->src);
		inet_pton(AF_INET6, t->dst, k->dst);
	}
	k->sport = htons(t->sport);
	k->dport = htons(t->dport);
	k->proto = proto;
	k->family = (__u8)family;
	k->ifindex = 7; /* observation point fields play no part in the lookup */
	k->dir = TFLOW_DIR_EGRESS;
}

/* The record of a flow with 5-tuple `seen` translates to `want` (NULL: not found). */
static void expect(struct ct_table *t, int family, __u8 proto, const struct tup *seen,
		   const struct tup *want)
{
	struct tflow_record r, w;

	memset(&r, 0, sizeof(r));
	key(&r.key, family, proto, seen);
	T_EQ_INT(ct_table_translate(t, &r), want != NULL);
	T_EQ_INT(r.has_nat, want != NULL);
	if (!want)
		return;
	key(&w.key, family, proto, want);
	T_EQ_MEM(r.nat_src, w.key.src, 16);
	T_EQ_MEM(r.nat_dst, w.key.dst, 16);
	T_EQ_INT(ntohs(r.nat_sport), want->sport);
	T_EQ_INT(ntohs(r.nat_dport), want->dport);
}

/* Masquerade: client 10.0.1.2:40000 to 198.51.100.7:53 leaves as 203.0.113.1:61000. */
static const struct tup snat_o = { "10.0.1.2", "198.51.100.7", 40000, 53 };
static const struct tup snat_r = { "198.51.100.7", "203.0.113.1", 53, 61000 };
static const struct tup snat_o_after = { "203.0.113.1", "198.51.100.7", 61000, 53 };
static const struct tup snat_r_after = { "198.51.100.7", "10.0.1.2", 53, 40000 };

static void test_parse_v4(void)
{
	struct ct_conn c;
	struct tflow_key k;

	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r,
	     IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE);
	T_EQ_INT(c.kind, CT_NEW);
	T_EQ_INT(c.family, 4);
	T_EQ_INT(c.proto, IPPROTO_UDP);
	T_EQ_INT(c.status, IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE);
	key(&k, 4, IPPROTO_UDP, &snat_o);
	T_EQ_MEM(c.orig.src, k.src, 16);
	T_EQ_MEM(c.orig.dst, k.dst, 16);
	T_EQ_INT(ntohs(c.orig.sport), 40000);
	T_EQ_INT(ntohs(c.orig.dport), 53);
	key(&k, 4, IPPROTO_UDP, &snat_r);
	T_EQ_MEM(c.reply.src, k.src, 16);
	T_EQ_MEM(c.reply.dst, k.dst, 16);
	T_EQ_INT(ntohs(c.reply.sport), 53);
	T_EQ_INT(ntohs(c.reply.dport), 61000);
	T_CHECK(ct_is_nat(&c));
	conn(&c, IPCTNL_MSG_CT_DELETE, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, 0);
	T_EQ_INT(c.kind, CT_DESTROY);
	T_CHECK(ct_is_nat(&c), "no status bits, but the reply is not the original reversed");
}

static void test_parse_bad(void)
{
	struct nfgenmsg g = { .nfgen_family = AF_INET };
	struct ct_conn c;
	struct nlb m;

	/* another subsystem's message, another ctnetlink message: skipped */
	nlb_start(&m, NFNL_SUBSYS_CTNETLINK_EXP << 8 | IPCTNL_MSG_EXP_NEW, &g, sizeof(g));
	T_EQ_INT(ct_parse(&m.h, &c), -ENOENT);
	nlb_start(&m, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS_CPU, &g, sizeof(g));
	T_EQ_INT(ct_parse(&m.h, &c), -ENOENT);
	/* no tuples */
	nlb_start(&m, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW, &g, sizeof(g));
	T_EQ_INT(ct_parse(&m.h, &c), -EINVAL);
	/* shorter than its nfgenmsg */
	m.h.nlmsg_len = NLMSG_LENGTH(2);
	T_EQ_INT(ct_parse(&m.h, &c), -EINVAL);
	/* truncated inside the reply tuple: the reply is lost, the message refused */
	ct_msg(&m, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_TCP, &snat_o, &snat_r, 0);
	m.h.nlmsg_len -= 30;
	T_EQ_INT(ct_parse(&m.h, &c), -EINVAL);
	/* a TCP tuple without ports */
	ct_msg(&m, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_ICMP, &snat_o, &snat_r, 0);
	{
		/* the same bytes relabelled TCP: the ICMP attributes are no ports */
		struct nlattr *o = (struct nlattr *)((char *)NLMSG_DATA(&m.h) + 4);
		struct nlattr *ip = (struct nlattr *)((char *)o + NLA_HDRLEN);
		struct nlattr *pr = (struct nlattr *)((char *)ip + NLA_ALIGN(ip->nla_len));
		__u8 *num = (__u8 *)pr + 2 * NLA_HDRLEN;

		*num = IPPROTO_TCP;
		T_EQ_INT(ct_parse(&m.h, &c), -EINVAL);
	}
	/* an address family conntrack messages never have */
	ct_msg(&m, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, 0);
	((struct nfgenmsg *)NLMSG_DATA(&m.h))->nfgen_family = AF_BRIDGE;
	T_EQ_INT(ct_parse(&m.h, &c), -ENOENT);
}

static void test_not_nat(void)
{
	static const struct tup o = { "10.0.1.2", "10.0.2.9", 40000, 80 };
	static const struct tup r = { "10.0.2.9", "10.0.1.2", 80, 40000 };
	struct ct_conn c;

	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_TCP, &o, &r, IPS_CONFIRMED);
	T_CHECK(!ct_is_nat(&c));
}

static void test_snat_directions(void)
{
	struct ct_table t;
	struct ct_conn c;

	T_EQ_INT(ct_table_init(&t, 1000), 0);
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	T_EQ_INT(ct_table_apply(&t, &c, 0), 0);
	T_EQ_INT(t.map.count, 4);
	/* LAN ingress (before NAT) and WAN egress (after) both say how the packet left */
	expect(&t, 4, IPPROTO_UDP, &snat_o, &snat_o_after);
	expect(&t, 4, IPPROTO_UDP, &snat_o_after, &snat_o_after);
	/* WAN ingress (before de-NAT) and LAN egress (after) both say how the reply arrived */
	expect(&t, 4, IPPROTO_UDP, &snat_r, &snat_r_after);
	expect(&t, 4, IPPROTO_UDP, &snat_r_after, &snat_r_after);
	/* other ports, another protocol, another family: not this connection */
	expect(&t, 4, IPPROTO_UDP, &(struct tup){ "10.0.1.2", "198.51.100.7", 40001, 53 }, NULL);
	expect(&t, 4, IPPROTO_TCP, &snat_o, NULL);
	expect(&t, 6, IPPROTO_UDP,
	       &(struct tup){ "::ffff:10.0.1.2", "::ffff:198.51.100.7", 40000, 53 }, NULL);
	ct_table_free(&t);
}

/* A port forward: 198.51.100.9 reaches 203.0.113.1:8080, which is 10.0.2.5:80 inside. */
static void test_dnat_directions(void)
{
	static const struct tup o = { "198.51.100.9", "203.0.113.1", 50000, 8080 };
	static const struct tup r = { "10.0.2.5", "198.51.100.9", 80, 50000 };
	static const struct tup o_after = { "198.51.100.9", "10.0.2.5", 50000, 80 };
	static const struct tup r_after = { "203.0.113.1", "198.51.100.9", 8080, 50000 };
	struct ct_table t;
	struct ct_conn c;

	T_EQ_INT(ct_table_init(&t, 1000), 0);
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_TCP, &o, &r, IPS_DST_NAT);
	T_EQ_INT(ct_table_apply(&t, &c, 0), 0);
	expect(&t, 4, IPPROTO_TCP, &o, &o_after);
	expect(&t, 4, IPPROTO_TCP, &o_after, &o_after);
	expect(&t, 4, IPPROTO_TCP, &r, &r_after);
	expect(&t, 4, IPPROTO_TCP, &r_after, &r_after);
	ct_table_free(&t);
}

static void test_ipv6_and_icmp(void)
{
	static const struct tup o6 = { "fd00::2", "2001:db8::7", 5000, 443 };
	static const struct tup r6 = { "2001:db8::7", "2001:db8:1::1", 443, 5000 };
	static const struct tup o6_after = { "2001:db8:1::1", "2001:db8::7", 5000, 443 };
	/* ICMP echo: id 0x1234 becomes 0x0777; the flow key has type/code, not the id */
	static const struct tup oi = { "10.0.1.2", "198.51.100.7", 0x1234, 8 << 8 };
	static const struct tup ri = { "198.51.100.7", "203.0.113.1", 0x0777, 0 };
	static const struct tup req = { "10.0.1.2", "198.51.100.7", 0, 8 << 8 };
	static const struct tup req_after = { "203.0.113.1", "198.51.100.7", 0, 8 << 8 };
	static const struct tup rep = { "198.51.100.7", "203.0.113.1", 0, 0 };
	static const struct tup rep_after = { "198.51.100.7", "10.0.1.2", 0, 0 };
	struct ct_table t;
	struct ct_conn c;

	T_EQ_INT(ct_table_init(&t, 1000), 0);
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET6, IPPROTO_TCP, &o6, &r6, IPS_SRC_NAT);
	T_EQ_INT(c.family, 6);
	T_EQ_INT(ct_table_apply(&t, &c, 0), 0);
	expect(&t, 6, IPPROTO_TCP, &o6, &o6_after);
	expect(&t, 6, IPPROTO_TCP, &o6_after, &o6_after);
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_ICMP, &oi, &ri, IPS_SRC_NAT);
	T_EQ_INT(c.orig.icmp_type, 8);
	T_EQ_INT(c.orig.sport, 0);
	T_EQ_INT(ct_table_apply(&t, &c, 0), 0);
	expect(&t, 4, IPPROTO_ICMP, &req, &req_after);
	expect(&t, 4, IPPROTO_ICMP, &rep, &rep_after);
	ct_table_free(&t);
}

static void test_destroy_keep_expire(void)
{
	struct ct_table t;
	struct ct_conn c;

	T_EQ_INT(ct_table_init(&t, 1000), 0);
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	ct_table_apply(&t, &c, 0);
	ct_table_expire(&t, S(1000));
	expect(&t, 4, IPPROTO_UDP, &snat_o, &snat_o_after); /* live: never expires */
	conn(&c, IPCTNL_MSG_CT_DELETE, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	ct_table_apply(&t, &c, S(1030));
	ct_table_expire(&t, S(1029));
	expect(&t, 4, IPPROTO_UDP, &snat_r, &snat_r_after); /* ended, still kept */
	ct_table_expire(&t, S(1030));
	expect(&t, 4, IPPROTO_UDP, &snat_o, NULL);
	expect(&t, 4, IPPROTO_UDP, &snat_r, NULL);
	T_EQ_INT(t.map.count, 0);
	/* a destroy for a connection never seen (made before a dump) is kept as well */
	ct_table_apply(&t, &c, S(2000));
	expect(&t, 4, IPPROTO_UDP, &snat_o_after, &snat_o_after);
	/* the same tuple in use again: live again */
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	ct_table_apply(&t, &c, 0);
	ct_table_expire(&t, S(3000));
	expect(&t, 4, IPPROTO_UDP, &snat_o, &snat_o_after);
	ct_table_free(&t);
}

/* After lost events, a dump: what it no longer shows ended unseen. */
static void test_resync(void)
{
	static const struct tup o2 = { "10.0.1.3", "198.51.100.7", 40000, 53 };
	static const struct tup r2 = { "198.51.100.7", "203.0.113.1", 53, 61001 };
	struct ct_table t;
	struct ct_conn c1, c2;

	T_EQ_INT(ct_table_init(&t, 1000), 0);
	conn(&c1, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	conn(&c2, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &o2, &r2, IPS_SRC_NAT);
	ct_table_apply(&t, &c1, 0);
	ct_table_apply(&t, &c2, 0);
	ct_table_sync_begin(&t);
	ct_table_apply(&t, &c2, 0); /* the dump shows c2 only */
	ct_table_sync_end(&t, S(50));
	ct_table_expire(&t, S(49));
	expect(&t, 4, IPPROTO_UDP, &snat_o, &snat_o_after);
	ct_table_expire(&t, S(50));
	expect(&t, 4, IPPROTO_UDP, &snat_o, NULL);
	expect(&t, 4, IPPROTO_UDP, &o2, &(struct tup){ "203.0.113.1", "198.51.100.7", 61001, 53 });
	T_EQ_INT(t.map.count, 4);
	ct_table_free(&t);
}

static void test_limit_and_growth(void)
{
	struct tup o = { "10.0.0.0", "198.51.100.7", 0, 53 },
		   r = { "198.51.100.7", "203.0.113.1", 53, 0 };
	char a[32];
	struct ct_table t;
	struct ct_conn c;
	int i;

	T_EQ_INT(ct_table_init(&t, 4 * 5000), 0);
	o.src = a;
	for (i = 0; i < 5001; i++) {
		snprintf(a, sizeof(a), "10.0.%u.%u", (unsigned)i / 250, (unsigned)i % 250 + 1);
		o.sport = (__u16)(1024 + i);
		r.dport = (__u16)(20000 + i);
		r.sport = 53;
		conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &o, &r, IPS_SRC_NAT);
		T_EQ_INT(ct_table_apply(&t, &c, 0), i < 5000 ? 0 : -ENOSPC);
	}
	T_EQ_INT(t.map.count, 20000);
	T_EQ_INT(t.full, 1);
	T_CHECK(t.map.mask + 1 >= 8192, "grew from 1024 buckets: %zu", t.map.mask + 1);
	for (i = 0; i < 5000; i += 499) {
		snprintf(a, sizeof(a), "10.0.%u.%u", (unsigned)i / 250, (unsigned)i % 250 + 1);
		o.sport = (__u16)(1024 + i);
		expect(&t, 4, IPPROTO_UDP, &o,
		       &(struct tup){ "203.0.113.1", "198.51.100.7", (__u16)(20000 + i), 53 });
	}
	/* refreshing a stored connection needs no room */
	snprintf(a, sizeof(a), "10.0.0.1");
	o.sport = 1024;
	r.dport = 20000;
	conn(&c, IPCTNL_MSG_CT_DELETE, AF_INET, IPPROTO_UDP, &o, &r, IPS_SRC_NAT);
	T_EQ_INT(ct_table_apply(&t, &c, S(1)), 0);
	ct_table_free(&t);
}

static void test_event_records(void)
{
	static const struct tup o6 = { "fd00::2", "2001:db8::7", 5000, 443 };
	static const struct tup r6 = { "2001:db8::7", "2001:db8:1::1", 443, 5000 };
	struct tflow_record r, w;
	struct ct_conn c;

	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	ct_event_record(&c, S(7), &r);
	key(&w.key, 4, IPPROTO_UDP, &snat_o);
	T_EQ_MEM(r.key.src, w.key.src, 16);
	T_EQ_MEM(r.key.dst, w.key.dst, 16);
	T_EQ_INT(ntohs(r.key.sport), 40000);
	T_EQ_INT(ntohs(r.key.dport), 53);
	T_EQ_INT(r.key.proto, IPPROTO_UDP);
	T_EQ_INT(r.key.family, 4);
	key(&w.key, 4, IPPROTO_UDP, &snat_o_after);
	T_EQ_MEM(r.nat_src, w.key.src, 16);
	T_EQ_MEM(r.nat_dst, w.key.dst, 16);
	T_EQ_INT(ntohs(r.nat_sport), 61000);
	T_EQ_INT(ntohs(r.nat_dport), 53);
	T_EQ_INT(r.has_nat, 1);
	T_EQ_INT(r.nat_event, 4); /* NAT44 session create */
	T_CHECK(r.first_ns == S(7) && r.last_ns == S(7));
	T_CHECK(r.packets == 0 && r.bytes == 0);
	conn(&c, IPCTNL_MSG_CT_DELETE, AF_INET, IPPROTO_UDP, &snat_o, &snat_r, IPS_SRC_NAT);
	ct_event_record(&c, S(8), &r);
	T_EQ_INT(r.nat_event, 5); /* NAT44 session delete */
	conn(&c, IPCTNL_MSG_CT_NEW, AF_INET6, IPPROTO_TCP, &o6, &r6, IPS_SRC_NAT);
	ct_event_record(&c, S(9), &r);
	T_EQ_INT(r.nat_event, 1); /* no NAT66 value: Create event */
	conn(&c, IPCTNL_MSG_CT_DELETE, AF_INET6, IPPROTO_TCP, &o6, &r6, IPS_SRC_NAT);
	ct_event_record(&c, S(9), &r);
	T_EQ_INT(r.nat_event, 2);
}

/* Mutated messages, each in a heap block of its exact length (ASan sees any read past it). */
static void test_parse_mutations(void)
{
	__u32 seed = 12345;
	struct ct_conn c;
	struct nlb m;
	int parsed = 0;

	for (int i = 0; i < 20000; i++) {
		struct nlmsghdr *h;
		size_t len;

		ct_msg(&m, IPCTNL_MSG_CT_NEW, i & 1 ? AF_INET6 : AF_INET, IPPROTO_TCP,
		       i & 1 ? &(struct tup){ "fd00::2", "2001:db8::7", 1, 2 } : &snat_o,
		       i & 1 ? &(struct tup){ "2001:db8::7", "2001:db8:1::1", 2, 1 } : &snat_r,
		       IPS_SRC_NAT);
		len = m.h.nlmsg_len;
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			/* header bytes too, but the length stays within the block */
			m.buf[16 + (seed >> 8) % (len - 16)] ^= (char)(1 + (seed >> 24) % 255);
		}
		if (i % 7 == 0)
			len -= (seed >> 4) % (len - 20);
		m.h.nlmsg_len = (__u32)len;
		h = malloc(len);
		memcpy(h, m.buf, len);
		parsed += ct_parse(h, &c) == 0;
		free(h);
	}
	T_CHECK(parsed > 0 && parsed < 20000, "%d of 20000 parsed", parsed);
}

int main(void)
{
	T_RUN(test_parse_v4);
	T_RUN(test_parse_bad);
	T_RUN(test_not_nat);
	T_RUN(test_snat_directions);
	T_RUN(test_dnat_directions);
	T_RUN(test_ipv6_and_icmp);
	T_RUN(test_destroy_keep_expire);
	T_RUN(test_resync);
	T_RUN(test_limit_and_growth);
	T_RUN(test_event_records);
	T_RUN(test_parse_mutations);
	T_EXIT();
}
