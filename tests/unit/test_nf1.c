/* SPDX-License-Identifier: GPL-2.0-only */
/* test_nf1.c - NetFlow v1 encoder against hand-computed golden datagrams. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "t.h"
#include "export/nf1.h"

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

static const struct nf1_hdr_ctx ctx = {
	.sys_uptime_ms = 0x00123456,
	.unix_secs = 1700000000,
	.unix_nsecs = 123456789,
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
	r.ttl = 64; /* not in v1 */
	r.end_reason = TFLOW_END_EOF;
	return r;
}

/* ICMP destination unreachable (3), port unreachable (3), seen at egress */
static struct tflow_record rec_icmp(void)
{
	struct tflow_record r = mk4("10.0.0.2", "10.0.0.1", 0, 3 * 256 + 3, 1);

	r.key.ifindex = 3;
	r.key.dir = TFLOW_DIR_EGRESS;
	r.out_ifindex = 3;
	r.packets = 1;
	r.bytes = 56;
	r.first_ns = MS(599000);
	r.last_ns = MS(599000);
	r.tos = 0xc0;
	return r;
}

static const unsigned char golden_one[NF1_HDR_LEN + NF1_REC_LEN] = {
	/* header */
	0x00, 0x01,		/* version 1 */
	0x00, 0x01,		/* count 1 */
	0x00, 0x12, 0x34, 0x56, /* sys_uptime 0x123456 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix_secs 1700000000 */
	0x07, 0x5b, 0xcd, 0x15, /* unix_nsecs 123456789 */
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
	0x00, 0x00,		/* pad1 */
	0x06,			/* prot TCP */
	0x10,			/* tos 0x10 */
	0x1b,			/* flags FIN|SYN|PSH|ACK */
	0x00,			/* tcp_retx_cnt */
	0x00,			/* tcp_retx_secs */
	0x00,			/* tcp_misseq_cnt */
	0x00, 0x00, 0x00, 0x00, /* reserved */
};

static void test_one(void)
{
	struct tflow_record r = rec_tcp();
	unsigned char buf[256];

	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf1_encode(&ctx, &r, 1, buf, sizeof(buf)), sizeof(golden_one));
	T_EQ_MEM(buf, golden_one, sizeof(golden_one));
	T_EQ_INT(buf[sizeof(golden_one)], 0xa5); /* nothing written past the datagram */
}

static const unsigned char golden_two[NF1_HDR_LEN + 2 * NF1_REC_LEN] = {
	/* header */
	0x00, 0x01,		/* version 1 */
	0x00, 0x02,		/* count 2 */
	0x00, 0x12, 0x34, 0x56, /* sys_uptime 0x123456 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix_secs 1700000000 */
	0x07, 0x5b, 0xcd, 0x15, /* unix_nsecs 123456789 */
	/* record 1: TCP */
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
	0x00, 0x00,		/* pad1 */
	0x06,			/* prot TCP */
	0x10,			/* tos 0x10 */
	0x1b,			/* flags FIN|SYN|PSH|ACK */
	0x00, 0x00, 0x00,	/* tcp_retx_cnt, tcp_retx_secs, tcp_misseq_cnt */
	0x00, 0x00, 0x00, 0x00, /* reserved */
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
	0x00, 0x00,		/* pad1 */
	0x01,			/* prot ICMP */
	0xc0,			/* tos 0xc0 */
	0x00,			/* flags 0 */
	0x00, 0x00, 0x00,	/* tcp_retx_cnt, tcp_retx_secs, tcp_misseq_cnt */
	0x00, 0x00, 0x00, 0x00, /* reserved */
};

static void test_two(void)
{
	struct tflow_record r[2] = { rec_tcp(), rec_icmp() };
	unsigned char buf[sizeof(golden_two)];

	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf1_encode(&ctx, r, 2, buf, sizeof(buf)), sizeof(golden_two));
	T_EQ_MEM(buf, golden_two, sizeof(golden_two));
}

/* ---- 24 records: the v1 maximum ---- */

static void test_max(void)
{
	struct tflow_record r[NF1_MAX_RECS + 1];
	unsigned char buf[NF1_HDR_LEN + (NF1_MAX_RECS + 1) * NF1_REC_LEN];
	const unsigned char *last = buf + 16 + 23 * 48;

	for (int i = 0; i < NF1_MAX_RECS + 1; i++) {
		r[i] = rec_tcp();
		r[i].packets = i + 1;
	}
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf1_encode(&ctx, r, NF1_MAX_RECS, buf, sizeof(buf)), 16 + 24 * 48);
	T_EQ_INT(buf[2] << 8 | buf[3], 24); /* count */
	T_EQ_INT(last[19], 24);		    /* dPkts low byte of the 24th */
	T_EQ_INT(buf[16 + 24 * 48], 0xa5);
	T_EQ_INT(nf1_encode(&ctx, r, NF1_MAX_RECS + 1, buf, sizeof(buf)), -EINVAL);
}

/* ---- errors ---- */

static void test_errors(void)
{
	struct tflow_record r[2] = { rec_tcp(), rec_tcp() };
	unsigned char buf[NF1_HDR_LEN + 2 * NF1_REC_LEN];

	T_EQ_INT(nf1_encode(&ctx, r, 0, buf, sizeof(buf)), -EINVAL);

	/* one byte short, and room for the header only */
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf1_encode(&ctx, r, 1, buf, 16 + 48 - 1), -ENOSPC);
	T_EQ_INT(nf1_encode(&ctx, r, 1, buf, 16), -ENOSPC);
	T_EQ_INT(buf[0], 0xa5); /* nothing written */
	T_EQ_INT(nf1_encode(&ctx, r, 1, buf, 16 + 48), 16 + 48);
	T_EQ_INT(nf1_encode(&ctx, r, 2, buf, 16 + 96 - 1), -ENOSPC);

	/* an IPv6 record anywhere in the batch: v1 carries IPv4 only */
	memset(&r[1].key, 0, sizeof(r[1].key));
	r[1].key.src[15] = 1;
	r[1].key.dst[15] = 2;
	r[1].key.family = 6;
	r[1].key.proto = 6;
	T_EQ_INT(nf1_encode(&ctx, r, 2, buf, sizeof(buf)), -EINVAL);
	T_EQ_INT(nf1_encode(&ctx, r + 1, 1, buf, sizeof(buf)), -EINVAL);
}

/* ---- values that do not fit v1's fields ---- */

static void test_saturation(void)
{
	struct tflow_record r = rec_tcp();
	unsigned char buf[NF1_HDR_LEN + NF1_REC_LEN];
	const unsigned char *p = buf + NF1_HDR_LEN;
	static const unsigned char ifs[4] = {
		0xff, 0xff, /* input 65536 clamped to 65535 */
		0xff, 0xfe, /* output 65534 kept */
	};
	static const unsigned char counts[8] = {
		0xff, 0xff, 0xff, 0xff, /* dPkts 2^32 saturated */
		0xff, 0xff, 0xff, 0xfe, /* dOctets 2^32 - 2 kept */
	};
	static const unsigned char times[8] = {
		0x00, 0x00, 0x00, 0x05, /* First: 2^32 + 5 ms -> 5 */
		0xff, 0xff, 0xff, 0xff, /* Last: 2 * 2^32 - 1 ms -> 0xffffffff */
	};

	r.in_ifindex = 65536;
	r.out_ifindex = 65534;
	r.packets = 0x100000000ULL;
	r.bytes = 0xfffffffeULL;
	r.first_ns = MS(0x100000005ULL) + 999999;
	r.last_ns = MS(0x1ffffffffULL);
	T_EQ_INT(nf1_encode(&ctx, &r, 1, buf, sizeof(buf)), sizeof(buf));
	T_EQ_MEM(p + 12, ifs, 4);
	T_EQ_MEM(p + 16, counts, 8);
	T_EQ_MEM(p + 24, times, 8);
}

int main(void)
{
	T_RUN(test_one);
	T_RUN(test_two);
	T_RUN(test_max);
	T_RUN(test_errors);
	T_RUN(test_saturation);
	T_EXIT();
}
