/* SPDX-License-Identifier: GPL-2.0-only */
/* test_nf5.c - NetFlow v5 encoder against hand-computed golden datagrams. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "t.h"
#include "export/nf5.h"

#define MS(x) ((__u64)(x)*1000000ULL)

/* An IPv4 record with a v4-mapped key; ports in host order here, stored network order. */
static struct tflow_record mk4(const char *src, const char *dst, __u16 sport, __u16 dport,
			       __u8 proto)
{
	struct tflow_record r;

	memset(&r, 0, sizeof(r));
	r.key.src[10] = r.key.src[11] = 0xff;
	r.key.dst[10] = r.key.dst[11] = 0xff;
	inet_pton(AF_INET, src, r.key.src + 12);
	inet_pton(AF_INET, dst, r.key.dst + 12);
	r.key.sport = htons(sport);
	r.key.dport = htons(dport);
	r.key.proto = proto;
	r.key.family = 4;
	r.key.dir = TFLOW_DIR_INGRESS;
	return r;
}

/* ---- one TCP record ---- */

static const struct nf5_hdr_ctx ctx_tcp = {
	.sys_uptime_ms = 0x00123456,
	.unix_secs = 1700000000,
	.unix_nsecs = 123456789,
	.flow_sequence = 42,
	.engine_type = 1,
	.engine_id = 2,
	.sampling = 0x400a,
};

static struct tflow_record rec_tcp(void)
{
	struct tflow_record r = mk4("10.0.0.1", "10.0.0.2", 1234, 80, 6);

	r.key.ifindex = 3;
	r.in_ifindex = 3;
	r.out_ifindex = 5;
	r.packets = 10;
	r.bytes = 1200;
	r.first_ns = MS(1000) + 999;	  /* sub-ms part truncated */
	r.last_ns = MS(1193000) + 999999; /* likewise */
	r.tcp_flags = 0x1b;		  /* FIN|SYN|PSH|ACK */
	r.tos = 0x10;
	r.ttl = 64; /* not in v5 */
	r.end_reason = TFLOW_END_EOF;
	return r;
}

static const unsigned char golden_tcp[NF5_HDR_LEN + NF5_REC_LEN] = {
	/* header */
	0x00, 0x05,		/* version 5 */
	0x00, 0x01,		/* count 1 */
	0x00, 0x12, 0x34, 0x56, /* sys_uptime 0x123456 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix_secs 1700000000 */
	0x07, 0x5b, 0xcd, 0x15, /* unix_nsecs 123456789 */
	0x00, 0x00, 0x00, 0x2a, /* flow_sequence 42 */
	0x01,			/* engine_type 1 */
	0x02,			/* engine_id 2 */
	0x40, 0x0a,		/* sampling: mode 1, interval 10 */
	/* record 1 */
	0x0a, 0x00, 0x00, 0x01, /* srcaddr 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* dstaddr 10.0.0.2 */
	0x00, 0x00, 0x00, 0x00, /* nexthop 0 */
	0x00, 0x03,		/* input 3 */
	0x00, 0x05,		/* output 5 */
	0x00, 0x00, 0x00, 0x0a, /* dPkts 10 */
	0x00, 0x00, 0x04, 0xb0, /* dOctets 1200 */
	0x00, 0x00, 0x03, 0xe8, /* First 1000 ms */
	0x00, 0x12, 0x34, 0x28, /* Last 1193000 ms */
	0x04, 0xd2,		/* srcport 1234 */
	0x00, 0x50,		/* dstport 80 */
	0x00,			/* pad1 */
	0x1b,			/* tcp_flags FIN|SYN|PSH|ACK */
	0x06,			/* prot TCP */
	0x10,			/* tos 0x10 */
	0x00, 0x00,		/* src_as 0 */
	0x00, 0x00,		/* dst_as 0 */
	0x00,			/* src_mask 0 */
	0x00,			/* dst_mask 0 */
	0x00, 0x00,		/* pad2 */
};

static void test_one_tcp(void)
{
	struct tflow_record r = rec_tcp();
	unsigned char buf[256];

	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf5_encode(&ctx_tcp, &r, 1, buf, sizeof(buf)), sizeof(golden_tcp));
	T_EQ_MEM(buf, golden_tcp, sizeof(golden_tcp));
	T_EQ_INT(buf[sizeof(golden_tcp)], 0xa5); /* nothing written past the datagram */
}

/* ---- UDP + ICMP ---- */

static const struct nf5_hdr_ctx ctx_two = {
	.sys_uptime_ms = 600000,
	.unix_secs = 1700000100,
	.unix_nsecs = 0,
	.flow_sequence = 0xfffffffe,
	.engine_type = 0,
	.engine_id = 0,
	.sampling = 0,
};

static void recs_two(struct tflow_record r[2])
{
	r[0] = mk4("192.168.1.10", "224.0.0.251", 5353, 5353, 17);
	r[0].key.ifindex = 2;
	r[0].in_ifindex = 2;
	r[0].out_ifindex = 0;
	r[0].packets = 4;
	r[0].bytes = 400;
	r[0].first_ns = MS(500000);
	r[0].last_ns = MS(599999);
	r[0].ttl = 255;

	/* ICMP destination unreachable (3), port unreachable (3): dport = 3 * 256 + 3 */
	r[1] = mk4("10.0.0.2", "10.0.0.1", 0, 3 * 256 + 3, 1);
	r[1].key.ifindex = 3;
	r[1].key.dir = TFLOW_DIR_EGRESS;
	r[1].in_ifindex = 0;
	r[1].out_ifindex = 3;
	r[1].packets = 1;
	r[1].bytes = 56;
	r[1].first_ns = MS(599000);
	r[1].last_ns = MS(599000);
	r[1].tos = 0xc0;
}

static const unsigned char golden_two[NF5_HDR_LEN + 2 * NF5_REC_LEN] = {
	/* header */
	0x00, 0x05,		/* version 5 */
	0x00, 0x02,		/* count 2 */
	0x00, 0x09, 0x27, 0xc0, /* sys_uptime 600000 ms */
	0x65, 0x53, 0xf1, 0x64, /* unix_secs 1700000100 */
	0x00, 0x00, 0x00, 0x00, /* unix_nsecs 0 */
	0xff, 0xff, 0xff, 0xfe, /* flow_sequence 4294967294 */
	0x00,			/* engine_type 0 */
	0x00,			/* engine_id 0 */
	0x00, 0x00,		/* sampling off */
	/* record 1: UDP mDNS */
	0xc0, 0xa8, 0x01, 0x0a, /* srcaddr 192.168.1.10 */
	0xe0, 0x00, 0x00, 0xfb, /* dstaddr 224.0.0.251 */
	0x00, 0x00, 0x00, 0x00, /* nexthop 0 */
	0x00, 0x02,		/* input 2 */
	0x00, 0x00,		/* output 0 */
	0x00, 0x00, 0x00, 0x04, /* dPkts 4 */
	0x00, 0x00, 0x01, 0x90, /* dOctets 400 */
	0x00, 0x07, 0xa1, 0x20, /* First 500000 ms */
	0x00, 0x09, 0x27, 0xbf, /* Last 599999 ms */
	0x14, 0xe9,		/* srcport 5353 */
	0x14, 0xe9,		/* dstport 5353 */
	0x00,			/* pad1 */
	0x00,			/* tcp_flags 0 */
	0x11,			/* prot UDP */
	0x00,			/* tos 0 */
	0x00, 0x00,		/* src_as 0 */
	0x00, 0x00,		/* dst_as 0 */
	0x00,			/* src_mask 0 */
	0x00,			/* dst_mask 0 */
	0x00, 0x00,		/* pad2 */
	/* record 2: ICMP dest-unreach / port-unreach */
	0x0a, 0x00, 0x00, 0x02, /* srcaddr 10.0.0.2 */
	0x0a, 0x00, 0x00, 0x01, /* dstaddr 10.0.0.1 */
	0x00, 0x00, 0x00, 0x00, /* nexthop 0 */
	0x00, 0x00,		/* input 0 */
	0x00, 0x03,		/* output 3 */
	0x00, 0x00, 0x00, 0x01, /* dPkts 1 */
	0x00, 0x00, 0x00, 0x38, /* dOctets 56 */
	0x00, 0x09, 0x23, 0xd8, /* First 599000 ms */
	0x00, 0x09, 0x23, 0xd8, /* Last 599000 ms */
	0x00, 0x00,		/* srcport 0 */
	0x03, 0x03,		/* dstport: ICMP type 3, code 3 */
	0x00,			/* pad1 */
	0x00,			/* tcp_flags 0 */
	0x01,			/* prot ICMP */
	0xc0,			/* tos 0xc0 */
	0x00, 0x00,		/* src_as 0 */
	0x00, 0x00,		/* dst_as 0 */
	0x00,			/* src_mask 0 */
	0x00,			/* dst_mask 0 */
	0x00, 0x00,		/* pad2 */
};

static void test_udp_icmp(void)
{
	struct tflow_record r[2];
	unsigned char buf[sizeof(golden_two)];

	recs_two(r);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf5_encode(&ctx_two, r, 2, buf, sizeof(buf)), sizeof(golden_two));
	T_EQ_MEM(buf, golden_two, sizeof(golden_two));
}

/* ICMP echo reply is type 0 code 0: dstport 0, as on the wire. */
static void test_icmp_echo_reply(void)
{
	struct tflow_record r = mk4("10.0.0.1", "10.0.0.2", 0, 0 * 256 + 0, 1);
	unsigned char buf[NF5_HDR_LEN + NF5_REC_LEN];
	static const unsigned char ports[4] = { 0x00, 0x00, 0x00, 0x00 };

	T_EQ_INT(nf5_encode(&ctx_two, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(buf + NF5_HDR_LEN + 32, ports, 4);
	T_EQ_INT(buf[NF5_HDR_LEN + 38], 1);
}

/* ---- 30 records: the v5 maximum ---- */

static void test_thirty(void)
{
	struct tflow_record r[NF5_MAX_RECS];
	unsigned char buf[NF5_HDR_LEN + NF5_MAX_RECS * NF5_REC_LEN + 1];
	const unsigned char *last = buf + 24 + 29 * 48;
	static const unsigned char want_last[16] = {
		0x0a, 0x00, 0x01, 0x1d, /* srcaddr 10.0.1.29 */
		0x0a, 0x00, 0x02, 0x1d, /* dstaddr 10.0.2.29 */
		0x00, 0x00, 0x00, 0x00, /* nexthop */
		0x00, 0x1d,		/* input 29 */
		0x00, 0x1e,		/* output 30 */
	};
	char a[INET_ADDRSTRLEN + 8], b[INET_ADDRSTRLEN + 8];

	for (unsigned int i = 0; i < NF5_MAX_RECS; i++) {
		snprintf(a, sizeof(a), "10.0.1.%u", i);
		snprintf(b, sizeof(b), "10.0.2.%u", i);
		r[i] = mk4(a, b, 1000 + i, 2000 + i, 17);
		r[i].in_ifindex = i;
		r[i].out_ifindex = i + 1;
		r[i].packets = i + 1;
	}
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf5_encode(&ctx_tcp, r, NF5_MAX_RECS, buf, sizeof(buf) - 1), 24 + 1440);
	T_EQ_INT(buf[2] << 8 | buf[3], 30); /* count */
	T_EQ_MEM(last, want_last, sizeof(want_last));
	T_EQ_INT(last[19], 30);			  /* dPkts low byte */
	T_EQ_INT(last[32] << 8 | last[33], 1029); /* srcport */
	T_EQ_INT(last[34] << 8 | last[35], 2029); /* dstport */
	T_EQ_INT(buf[24 + 1440], 0xa5);
}

/* ---- errors ---- */

static void test_errors(void)
{
	struct tflow_record r[NF5_MAX_RECS + 1];
	unsigned char buf[NF5_HDR_LEN + (NF5_MAX_RECS + 1) * NF5_REC_LEN];

	for (int i = 0; i < NF5_MAX_RECS + 1; i++)
		r[i] = rec_tcp();
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 0, buf, sizeof(buf)), -EINVAL);
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 31, buf, sizeof(buf)), -EINVAL);

	/* an IPv6 record anywhere in the batch */
	memset(&r[1].key, 0, sizeof(r[1].key));
	r[1].key.src[15] = 1;
	r[1].key.dst[15] = 2;
	r[1].key.family = 6;
	r[1].key.proto = 6;
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 2, buf, sizeof(buf)), -EINVAL);

	/* one byte short, and room for the header only */
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 1, buf, 24 + 48 - 1), -ENOSPC);
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 1, buf, 24), -ENOSPC);
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 1, buf, 24 + 48), 24 + 48);
	r[1] = rec_tcp();
	T_EQ_INT(nf5_encode(&ctx_tcp, r, 2, buf, 24 + 96 - 1), -ENOSPC);
}

/* ---- counters, interfaces and times that do not fit v5's fields ---- */

static void test_saturation(void)
{
	struct tflow_record r = rec_tcp();
	unsigned char buf[NF5_HDR_LEN + NF5_REC_LEN];
	const unsigned char *p = buf + NF5_HDR_LEN;
	static const unsigned char all_ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char exact[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };

	r.packets = 0x100000000ULL;  /* 2^32: would wrap to 0 */
	r.bytes = 0x123456789abcULL; /* would wrap to 0x56789abc */
	T_EQ_INT(nf5_encode(&ctx_tcp, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(p + 16, all_ones, 8); /* dPkts, dOctets */

	r.packets = 0xffffffffULL; /* largest value that fits: kept */
	r.bytes = 0xfffffffeULL;
	T_EQ_INT(nf5_encode(&ctx_tcp, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(p + 16, exact, 8);

	r.packets = ~0ULL;
	r.bytes = ~0ULL;
	T_EQ_INT(nf5_encode(&ctx_tcp, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(p + 16, all_ones, 8);
}

static void test_ifindex_clamp(void)
{
	struct tflow_record r = rec_tcp();
	unsigned char buf[NF5_HDR_LEN + NF5_REC_LEN];
	const unsigned char *p = buf + NF5_HDR_LEN;
	static const unsigned char clamped[4] = { 0xff, 0xff, 0xff, 0xff };
	static const unsigned char edge[4] = { 0xff, 0xff, 0xff, 0xfe };

	r.in_ifindex = 65536;
	r.out_ifindex = 0xffffffff;
	T_EQ_INT(nf5_encode(&ctx_tcp, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(p + 12, clamped, 4);

	r.in_ifindex = 65535;
	r.out_ifindex = 65534;
	T_EQ_INT(nf5_encode(&ctx_tcp, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(p + 12, edge, 4);
}

static void test_uptime_truncation(void)
{
	struct nf5_hdr_ctx ctx = ctx_tcp;
	struct tflow_record r = rec_tcp();
	unsigned char buf[NF5_HDR_LEN + NF5_REC_LEN];
	static const unsigned char times[8] = {
		0x00, 0x00, 0x00, 0x05, /* First: 2^32 + 5 ms -> 5 */
		0xff, 0xff, 0xff, 0xff, /* Last: 2 * 2^32 - 1 ms -> 0xffffffff */
	};
	static const unsigned char uptime[4] = { 0x00, 0x00, 0x00, 0x07 };

	/* 49.7 days after boot the 32-bit ms counters wrap; First/Last wrap with sys_uptime. */
	ctx.sys_uptime_ms = (__u32)(0x100000007ULL);
	r.first_ns = MS(0x100000005ULL) + 999999;
	r.last_ns = MS(0x1ffffffffULL);
	T_EQ_INT(nf5_encode(&ctx, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(buf + 4, uptime, 4);
	T_EQ_MEM(buf + NF5_HDR_LEN + 24, times, 8);
}

/* ---- the sampling_interval header field ---- */

static void test_sampling(void)
{
	T_EQ_INT(nf5_sampling(0, 0), 0);	    /* off */
	T_EQ_INT(nf5_sampling(0, 5), 0);	    /* interval 0 is off whatever the space */
	T_EQ_INT(nf5_sampling(1, 0), 0);	    /* space 0: every packet sampled */
	T_EQ_INT(nf5_sampling(1, 1), 0x4002);	    /* 2/1 = 2 */
	T_EQ_INT(nf5_sampling(100, 900), 0x400a);   /* 1000/100 = 10 */
	T_EQ_INT(nf5_sampling(2222, 1111), 0x4002); /* 3333/2222 = 1.5: half rounds up to 2 */
	T_EQ_INT(nf5_sampling(3, 1), 0x4001);	    /* 4/3 = 1.33 -> 1 */
	T_EQ_INT(nf5_sampling(1, 20000), 0x7fff);   /* 20001 clamped to 16383 */
	T_EQ_INT(nf5_sampling(1, 16382), 0x7fff);   /* 16383 exactly */
	T_EQ_INT(nf5_sampling(0xffffffff, 0xffffffff), 0x4002); /* no overflow in the sum */
	T_EQ_INT(nf5_sampling(1, 0xffffffff), 0x7fff);
}

int main(void)
{
	T_RUN(test_one_tcp);
	T_RUN(test_udp_icmp);
	T_RUN(test_icmp_echo_reply);
	T_RUN(test_thirty);
	T_RUN(test_errors);
	T_RUN(test_saturation);
	T_RUN(test_ifindex_clamp);
	T_RUN(test_uptime_truncation);
	T_RUN(test_sampling);
	T_EXIT();
}
