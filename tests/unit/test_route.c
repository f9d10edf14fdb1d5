/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_route.c - rtnetlink route messages as the kernel sends them; longest prefix match; where a
 * translated destination goes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/rtnetlink.h>
#include "t.h"
#include "nlbuild.h"
#include "enrich/route.h"

/* RTM_NEWROUTE as a dump or an event has it: rtmsg, RTA_TABLE, RTA_DST (absent for /0), ... */
static void route_msg(struct nlb *m, __u16 type, int af, const char *dst, __u8 plen, __u32 table,
		      unsigned int flags)
{
	struct rtmsg rt = { .rtm_family = (__u8)af,
			    .rtm_dst_len = plen,
			    .rtm_table = table < 256 ? (__u8)table : RT_TABLE_COMPAT,
			    .rtm_protocol = RTPROT_KERNEL,
			    .rtm_scope = RT_SCOPE_UNIVERSE,
			    .rtm_type = RTN_UNICAST,
			    .rtm_flags = flags };
	__u8 a[16];
	__u32 oif = 2;

	nlb_start(m, type, &rt, sizeof(rt));
	nlb_put(m, RTA_TABLE, &table, 4);
	if (dst) {
		inet_pton(af, dst, a);
		nlb_put(m, RTA_DST, a, af == AF_INET ? 4 : 16);
	}
	nlb_put(m, RTA_OIF, &oif, 4);
}

static void addr(__u8 *out, int family, const char *s)
{
	memset(out, 0, 16);
	if (family == 4) {
		out[10] = out[11] = 0xff;
		inet_pton(AF_INET, s, out + 12);
	} else {
		inet_pton(AF_INET6, s, out);
	}
}

static void test_parse(void)
{
	struct route_pfx p;
	struct nlb m;
	__u8 want[16];

	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.0", 24, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	addr(want, 4, "10.1.2.0");
	T_EQ_MEM(p.addr, want, 16);
	T_EQ_INT(p.plen, 24);
	T_EQ_INT(p.family, 4);
	/* a deletion parses the same (the caller knows it from the type) */
	route_msg(&m, RTM_DELROUTE, AF_INET6, "2001:db8:1::", 48, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	addr(want, 6, "2001:db8:1::");
	T_EQ_MEM(p.addr, want, 16);
	T_EQ_INT(p.plen, 48);
	T_EQ_INT(p.family, 6);
	/* the default route has no RTA_DST */
	route_msg(&m, RTM_NEWROUTE, AF_INET, NULL, 0, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	addr(want, 4, "0.0.0.0");
	T_EQ_MEM(p.addr, want, 16);
	T_EQ_INT(p.plen, 0);
	/* host bits are cleared */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.77", 24, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	addr(want, 4, "10.1.2.0");
	T_EQ_MEM(p.addr, want, 16);
	route_msg(&m, RTM_NEWROUTE, AF_INET6, "2001:db8:ffff::1", 33, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	addr(want, 6, "2001:db8:8000::");
	T_EQ_MEM(p.addr, want, 16);
}

static void test_parse_skipped(void)
{
	struct route_pfx p;
	struct nlb m;

	/* the local table, a table above 255 (RTA_TABLE only), a cached clone: not the main table
	 */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.1", 32, RT_TABLE_LOCAL, 0);
	T_EQ_INT(route_parse(&m.h, &p), -ENOENT);
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.0", 24, 1000, 0);
	T_EQ_INT(route_parse(&m.h, &p), -ENOENT);
	route_msg(&m, RTM_NEWROUTE, AF_INET6, "2001:db8::1", 128, RT_TABLE_MAIN, RTM_F_CLONED);
	T_EQ_INT(route_parse(&m.h, &p), -ENOENT);
	/* another family, another message */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.0", 24, RT_TABLE_MAIN, 0);
	((struct rtmsg *)NLMSG_DATA(&m.h))->rtm_family = AF_MPLS;
	T_EQ_INT(route_parse(&m.h, &p), -ENOENT);
	m.h.nlmsg_type = RTM_NEWLINK;
	T_EQ_INT(route_parse(&m.h, &p), -ENOENT);
	/* malformed: a prefix longer than the address, a /24 without its address, a short header */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.0", 33, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), -EINVAL);
	route_msg(&m, RTM_NEWROUTE, AF_INET, NULL, 24, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), -EINVAL);
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.1.2.0", 24, RT_TABLE_MAIN, 0);
	m.h.nlmsg_len = NLMSG_LENGTH(4);
	T_EQ_INT(route_parse(&m.h, &p), -EINVAL);
}

/* Next hops, metrics, multipath, RFC 5549 and the local table, as `ip route` writes them. */
static void test_parse_routes(void)
{
	struct rtnexthop nh = { .rtnh_len = RTNH_LENGTH(8), .rtnh_ifindex = 7 };
	struct route_pfx p;
	struct nlb m;
	__u8 want[16], gw6[16], buf[2 + 16];
	__u32 metric = 100, gw4;

	/* 198.18.0.0/16 via 172.16.77.2 dev 2 metric 100 */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "198.18.0.0", 16, RT_TABLE_MAIN, 0);
	inet_pton(AF_INET, "172.16.77.2", &gw4);
	nlb_put(&m, RTA_GATEWAY, &gw4, 4);
	nlb_put(&m, RTA_PRIORITY, &metric, 4);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	addr(want, 4, "172.16.77.2");
	T_EQ_MEM(p.gw, want, 16);
	T_EQ_INT(p.oif, 2);
	T_EQ_INT(p.metric, 100);
	T_EQ_INT(p.local, 0);
	/* connected: no gateway */
	route_msg(&m, RTM_NEWROUTE, AF_INET6, "fd77::", 64, RT_TABLE_MAIN, 0);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	memset(want, 0, 16);
	T_EQ_MEM(p.gw, want, 16);
	T_EQ_INT(p.oif, 2);
	/* RFC 5549: 10.9.0.0/16 via inet6 fe80::1 */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.9.0.0", 16, RT_TABLE_MAIN, 0);
	*(__u16 *)buf = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", gw6);
	memcpy(buf + 2, gw6, 16);
	nlb_put(&m, RTA_VIA, buf, sizeof(buf));
	T_EQ_INT(route_parse(&m.h, &p), 0);
	T_EQ_MEM(p.gw, gw6, 16);
	/* multipath (no RTA_OIF): the first hop, dev 7 via 10.0.0.1 */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.8.0.0", 16, RT_TABLE_MAIN, 0);
	m.h.nlmsg_len -= NLA_ALIGN(NLA_HDRLEN + 4); /* no RTA_OIF: it was the last attribute */
	nlb_nest(&m, RTA_MULTIPATH);
	memcpy(m.buf + m.h.nlmsg_len, &nh, sizeof(nh));
	m.h.nlmsg_len += sizeof(nh);
	inet_pton(AF_INET, "10.0.0.1", &gw4);
	nlb_put(&m, RTA_GATEWAY, &gw4, 4);
	nlb_end(&m);
	T_EQ_INT(route_parse(&m.h, &p), 0);
	T_EQ_INT(p.oif, 7);
	addr(want, 4, "10.0.0.1");
	T_EQ_MEM(p.gw, want, 16);
	/* the local table: addresses of the host (type local), not its broadcast routes */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.77.0.2", 32, RT_TABLE_LOCAL, 0);
	((struct rtmsg *)NLMSG_DATA(&m.h))->rtm_type = RTN_LOCAL;
	T_EQ_INT(route_parse(&m.h, &p), 0);
	T_EQ_INT(p.local, 1);
	T_EQ_INT(p.plen, 32);
	((struct rtmsg *)NLMSG_DATA(&m.h))->rtm_type = RTN_BROADCAST;
	T_EQ_INT(route_parse(&m.h, &p), -ENOENT);
	/* type local in the main table is an ordinary route of it */
	route_msg(&m, RTM_NEWROUTE, AF_INET, "10.5.0.0", 16, RT_TABLE_MAIN, 0);
	((struct rtmsg *)NLMSG_DATA(&m.h))->rtm_type = RTN_LOCAL;
	T_EQ_INT(route_parse(&m.h, &p), 0);
	T_EQ_INT(p.local, 0);
}

static void add(struct route_table *t, int family, const char *a, __u8 plen)
{
	struct route_pfx p = { .plen = plen, .family = (__u8)family };

	addr(p.addr, family, a);
	T_EQ_INT(route_table_add(t, &p), 0);
}

static int lookup(const struct route_table *t, int family, const char *a)
{
	__u8 x[16];

	addr(x, family, a);
	return route_lookup(t, (__u8)family, x);
}

static void test_lpm(void)
{
	struct route_table t;

	route_table_init(&t);
	T_EQ_INT(lookup(&t, 4, "10.1.2.3"), -1); /* empty */
	add(&t, 4, "10.0.0.0", 8);
	add(&t, 4, "10.1.0.0", 16);
	add(&t, 4, "10.1.2.0", 24);
	add(&t, 4, "10.1.2.128", 25);
	add(&t, 4, "10.1.2.0", 24); /* the same prefix twice (two metrics) */
	add(&t, 4, "192.0.2.1", 32);
	add(&t, 6, "2001:db8::", 32);
	add(&t, 6, "2001:db8:1::", 48);
	add(&t, 6, "fd00::", 8);
	add(&t, 6, "2001:db8:1::1", 128);
	route_table_finish(&t);
	T_EQ_INT(lookup(&t, 4, "10.1.2.3"), 24);
	T_EQ_INT(lookup(&t, 4, "10.1.2.200"), 25);
	T_EQ_INT(lookup(&t, 4, "10.1.3.3"), 16);
	T_EQ_INT(lookup(&t, 4, "10.2.0.1"), 8);
	T_EQ_INT(lookup(&t, 4, "192.0.2.1"), 32);
	T_EQ_INT(lookup(&t, 4, "192.0.2.2"), -1); /* no default route */
	T_EQ_INT(lookup(&t, 4, "11.0.0.1"), -1);
	T_EQ_INT(lookup(&t, 6, "2001:db8:1::1"), 128);
	T_EQ_INT(lookup(&t, 6, "2001:db8:1::2"), 48);
	T_EQ_INT(lookup(&t, 6, "2001:db8:2::1"), 32);
	T_EQ_INT(lookup(&t, 6, "fdff::1"), 8);
	T_EQ_INT(lookup(&t, 6, "2001:db9::1"), -1);
	/* families never mix: a v4-mapped IPv6 address is not in an IPv4 route */
	T_EQ_INT(lookup(&t, 6, "::ffff:10.1.2.3"), -1);
	add(&t, 4, "0.0.0.0", 0);
	add(&t, 6, "::", 0);
	route_table_finish(&t);
	T_EQ_INT(lookup(&t, 4, "192.0.2.2"), 0);
	T_EQ_INT(lookup(&t, 6, "2001:db9::1"), 0);
	T_EQ_INT(lookup(&t, 4, "10.1.2.200"), 25);
	route_table_free(&t);
	T_EQ_INT(lookup(&t, 4, "10.1.2.3"), -1);
}

static void add_route(struct route_table *t, int family, const char *a, __u8 plen, const char *gw,
		      __u32 oif, __u32 metric)
{
	struct route_pfx p = { .plen = plen, .family = (__u8)family, .oif = oif, .metric = metric };

	addr(p.addr, family, a);
	if (gw)
		addr(p.gw, family, gw);
	T_EQ_INT(route_table_add(t, &p), 0);
}

/* Where a translated destination goes: the main table's route, none for the host's own. */
static void test_route_out(void)
{
	struct route_table main, local;
	__u8 a[16], gw[16], want[16];
	__u32 oif;

	route_table_init(&main);
	route_table_init(&local);
	add_route(&main, 4, "10.77.0.0", 24, NULL, 2, 0);
	add_route(&main, 4, "198.18.0.0", 16, "172.16.77.2", 3, 0);
	/* two routes to one prefix: the lower metric, whatever order they come in */
	add_route(&main, 4, "10.80.0.0", 16, "10.77.0.9", 2, 200);
	add_route(&main, 4, "10.80.0.0", 16, "172.16.77.9", 3, 100);
	add_route(&main, 4, "10.80.0.0", 16, "10.77.0.8", 2, 300);
	add_route(&main, 6, "fd79::", 48, "fd78::2", 3, 1024);
	add_route(&local, 4, "10.77.0.2", 32, NULL, 2, 0);
	add_route(&local, 6, "fd78::1", 128, NULL, 3, 0);
	route_table_finish(&main);
	route_table_finish(&local);

	addr(a, 4, "10.77.0.1"); /* a port forward to an inside host: connected */
	memset(gw, 0xaa, 16);
	route_out(&main, &local, 4, a, &oif, gw);
	T_EQ_INT(oif, 2);
	memset(want, 0, 16);
	T_EQ_MEM(gw, want, 16);
	addr(a, 4, "198.18.5.5"); /* via a next hop */
	route_out(&main, &local, 4, a, &oif, gw);
	T_EQ_INT(oif, 3);
	addr(want, 4, "172.16.77.2");
	T_EQ_MEM(gw, want, 16);
	addr(a, 4, "10.80.1.1");
	route_out(&main, &local, 4, a, &oif, gw);
	T_EQ_INT(oif, 3);
	addr(want, 4, "172.16.77.9");
	T_EQ_MEM(gw, want, 16);
	T_EQ_INT(route_lookup(&main, 4, a), 16);
	addr(a, 6, "fd79::5");
	route_out(&main, &local, 6, a, &oif, gw);
	T_EQ_INT(oif, 3);
	addr(want, 6, "fd78::2");
	T_EQ_MEM(gw, want, 16);
	/* a redirect to the host itself (its address is in a connected prefix), and no route */
	memset(want, 0, 16);
	addr(a, 4, "10.77.0.2");
	route_out(&main, &local, 4, a, &oif, gw);
	T_EQ_INT(oif, 0);
	T_EQ_MEM(gw, want, 16);
	addr(a, 6, "fd78::1");
	route_out(&main, &local, 6, a, &oif, gw);
	T_EQ_INT(oif, 0);
	addr(a, 4, "192.0.2.1");
	memset(gw, 0xaa, 16);
	route_out(&main, &local, 4, a, &oif, gw);
	T_EQ_INT(oif, 0);
	T_EQ_MEM(gw, want, 16);
	/* a prefix of another length with the same address is not a match */
	addr(a, 4, "10.77.0.0");
	T_EQ_INT(route_lookup(&local, 4, a), -1);
	route_table_free(&main);
	route_table_free(&local);
}

/* Many prefixes of one length: the binary search finds each, and nothing between them. */
static void test_lpm_many(void)
{
	struct route_table t;
	char a[32];

	route_table_init(&t);
	for (unsigned int i = 0; i < 20000; i += 2) {
		snprintf(a, sizeof(a), "10.%u.%u.0", i / 256, i % 256);
		add(&t, 4, a, 24);
	}
	route_table_finish(&t);
	for (unsigned int i = 0; i < 20000; i++) {
		snprintf(a, sizeof(a), "10.%u.%u.9", i / 256, i % 256);
		if (lookup(&t, 4, a) != (i % 2 ? -1 : 24))
			T_CHECK(0, "%s: %d", a, lookup(&t, 4, a));
	}
	route_table_free(&t);
}

/* Mutated messages, each in a heap block of its exact length (ASan sees any read past it). */
static void test_parse_mutations(void)
{
	__u32 seed = 777;
	struct route_pfx p = { .plen = 0 };
	struct nlb m;
	int parsed = 0;

	for (int i = 0; i < 20000; i++) {
		struct nlmsghdr *h;
		size_t len;

		route_msg(&m, RTM_NEWROUTE, i & 1 ? AF_INET6 : AF_INET,
			  i & 1 ? "2001:db8::" : "10.1.0.0", 16, RT_TABLE_MAIN, 0);
		len = m.h.nlmsg_len;
		for (int k = 0; k < 1 + i % 3; k++) {
			seed = seed * 1103515245 + 12345;
			m.buf[16 + (seed >> 8) % (len - 16)] ^= (char)(1 + (seed >> 24) % 255);
		}
		if (i % 5 == 0)
			len -= (seed >> 4) % (len - 28);
		m.h.nlmsg_len = (__u32)len;
		h = malloc(len);
		memcpy(h, m.buf, len);
		parsed += route_parse(h, &p) == 0;
		T_CHECK(p.plen <= 128);
		free(h);
	}
	T_CHECK(parsed > 0 && parsed < 20000, "%d of 20000 parsed", parsed);
}

int main(void)
{
	T_RUN(test_parse);
	T_RUN(test_parse_skipped);
	T_RUN(test_parse_routes);
	T_RUN(test_lpm);
	T_RUN(test_lpm_many);
	T_RUN(test_route_out);
	T_RUN(test_parse_mutations);
	T_EXIT();
}
