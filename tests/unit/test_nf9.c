/* SPDX-License-Identifier: GPL-2.0-only */
/* test_nf9.c - NetFlow v9 encoder against hand-computed golden datagrams: the classic fields. */
#include "nf9_golden.h"

static void test_full(void)
{
	struct tflow_record r1 = rec_tcp4(), r2 = rec_icmp4();
	unsigned char buf[512];
	struct tmsg m;

	_Static_assert(sizeof(golden_full) == 336, "20 + 164 + 24 + 16 + 112");
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_templates(&m, &lay), 0);
	T_EQ_INT(nf9_add_options(&m, &samp, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r1, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r2, &clk), 0);
	T_EQ_INT(m.records, 6);
	T_EQ_INT(m.data_records, 3);
	T_EQ_INT(nf9_finish(&m), sizeof(golden_full));
	T_EQ_MEM(buf, golden_full, sizeof(golden_full));
	T_EQ_INT(buf[sizeof(golden_full)], 0xa5); /* nothing written past the datagram */
}

/* ---- IPv6 data FlowSet ---- */

static const unsigned char golden_v6[] = {
	/* header */
	0x00, 0x09,		/* version 9 */
	0x00, 0x02,		/* count 2 */
	0x00, 0x12, 0x4f, 0x80, /* sysUptime 1200000 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix secs 1700000000 */
	0x00, 0x00, 0x00, 0x04, /* sequence 4 */
	0x00, 0x00, 0x00, 0x07, /* source id 7 */
	/* data FlowSet: 4 + 2 * 78 */
	0x01, 0x01, /* FlowSet id 257 */
	0x00, 0xa0, /* length 160 */
	/* record 1: UDP mDNS */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,							    /* dst ff02::fb */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfb, 0x14, 0xe9, /* src port 5353 */
	0x14, 0xe9,						    /* dst port 5353 */
	0x11,							    /* protocol UDP */
	0x00,							    /* traffic class 0 */
	0x00,							    /* tcp flags 0 */
	0x00, 0x00, 0x00, 0x02,					    /* input 2 */
	0x00, 0x00, 0x00, 0x00,					    /* output 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,		    /* packets 4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x90,		    /* bytes 400 */
	0x00, 0x07, 0xa1, 0x20,					    /* first 500000 ms */
	0x00, 0x09, 0x27, 0xbf,					    /* last 599999 ms */
	0x00, 0x00,						    /* icmp type/code: not ICMP */
	0x06,							    /* ip version 6 */
	0x00,							    /* direction ingress */
	0xff,							    /* hop limit 255 */
	0x00, 0x00,						    /* icmp type, code: not ICMP */
	/* record 2: ICMPv6 echo request */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* src fe80::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,							    /* dst fe80::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, /* src port 0 */
	0x80, 0x00,						    /* dst port: type 128, code 0 */
	0x3a,							    /* protocol ICMPv6 */
	0x00,							    /* traffic class 0 */
	0x00,							    /* tcp flags 0 */
	0x00, 0x00, 0x00, 0x00,					    /* input 0 */
	0x00, 0x00, 0x00, 0x02,					    /* output 2 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,		    /* packets 2^32 + 1 */
	0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,		    /* bytes 0x123456789abc */
	0x00, 0x12, 0x4b, 0x98,					    /* first 1199000 ms */
	0x00, 0x12, 0x4f, 0x7f,					    /* last 1199999 ms */
	0x80, 0x00,						    /* icmp type 128, code 0 */
	0x06,							    /* ip version 6 */
	0x01,							    /* direction egress */
	0x40,							    /* hop limit 64 */
	0x80, 0x00,						    /* icmp type 128, code 0 */
};

#define REC6_UDP (20 + 4)		/* the UDP record in golden_v6 */
#define REC6_ICMP (REC6_UDP + REC6_LEN) /* the ICMPv6 record in golden_v6 */

static void test_ipv6(void)
{
	struct tflow_record r1 = rec_udp6(), r2 = rec_icmp6();
	unsigned char buf[sizeof(golden_v6)];
	struct tmsg m;

	_Static_assert(sizeof(golden_v6) == 20 + 4 + 2 * REC6_LEN, "header, set, 2 records");
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 4, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r1, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r2, &clk), 0);
	T_EQ_INT(nf9_finish(&m), sizeof(golden_v6));
	T_EQ_MEM(buf, golden_v6, sizeof(golden_v6));
}

/* ---- v4, v6, options, v6, v4: one FlowSet per run of a family ---- */

static void test_mixed(void)
{
	struct tflow_record tcp4 = rec_tcp4(), icmp4 = rec_icmp4();
	struct tflow_record udp6 = rec_udp6(), icmp6 = rec_icmp6();
	unsigned char buf[1024];
	unsigned char *p = buf + 20;
	struct tmsg m;
	static const unsigned char hdr[] = {
		0x00, 0x09, /* version 9 */
		0x00, 0x05, /* count 5: 4 data records, 1 options data record */
	};
	/* one record a FlowSet: padded to 4 bytes */
	static const unsigned char set4[] = { 0x01, 0x00, 0x00, 0x3c }; /* 256, 4 + 54 + 2 */
	static const unsigned char set6[] = { 0x01, 0x01, 0x00, 0x54 }; /* 257, 4 + 78 + 2 */

	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 5, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &tcp4, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &udp6, &clk), 0);
	T_EQ_INT(nf9_add_options(&m, &samp, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &icmp6, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &icmp4, &clk), 0);
	T_EQ_INT(nf9_finish(&m), 20 + 60 + 84 + 16 + 84 + 60);
	T_EQ_MEM(buf, hdr, sizeof(hdr));

	T_EQ_MEM(p, set4, 4);
	T_EQ_MEM(p + 4, golden_full + REC4_TCP, REC4_LEN);
	T_EQ_MEM(p + 4 + REC4_LEN, "\0\0", 2); /* padding: zeros */
	p += 60;
	T_EQ_MEM(p, set6, 4);
	T_EQ_MEM(p + 4, golden_v6 + REC6_UDP, REC6_LEN);
	p += 84;
	T_EQ_MEM(p, golden_full + OFF_OPT_DATA, 16); /* closed with its 3 bytes of padding */
	p += 16;
	T_EQ_MEM(p, set6, 4);
	T_EQ_MEM(p + 4, golden_v6 + REC6_ICMP, REC6_LEN);
	p += 84;
	T_EQ_MEM(p, set4, 4);
	T_EQ_MEM(p + 4, golden_full + REC4_ICMP, REC4_LEN);
	p += 60;
	T_EQ_INT(*p, 0xa5);
}

/* ---- -ENOSPC at the exact byte: the message stays as it was and still finishes ---- */

static void test_nospc(void)
{
	struct tflow_record r4 = rec_tcp4(), r6 = rec_udp6();
	unsigned char buf[512];
	struct tmsg m, before;
	size_t n;

	/* header alone */
	T_EQ_INT(nf9_begin(&m, buf, NF9_HDR_LEN - 1, &clk, 3, 7), -ENOSPC);
	T_EQ_INT(nf9_begin(&m, buf, NF9_HDR_LEN, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), -ENOSPC);
	T_EQ_INT(nf9_finish(&m), NF9_HDR_LEN); /* an empty datagram, count 0 */
	T_EQ_INT(buf[2] << 8 | buf[3], 0);

	/* templates + options template: 164 + 24 bytes, then the options data: 16 */
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, 20 + 188 - 1, &clk, 3, 7), 0);
	before = m;
	T_EQ_INT(nf9_add_templates(&m, &lay), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(buf[20], 0xa5);
	T_EQ_INT(nf9_begin(&m, buf, 20 + 188 + 16 - 1, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_templates(&m, &lay), 0);
	before = m;
	T_EQ_INT(nf9_add_options(&m, &samp, 7), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(buf[20 + 188], 0xa5);
	T_EQ_INT(nf9_finish(&m), 20 + 188);
	T_EQ_INT(buf[2] << 8 | buf[3], 3); /* count: the 3 template records */
	T_EQ_MEM(buf + 4, golden_full + 4, 16);
	T_EQ_MEM(buf + 20, golden_full + 20, 188);

	/* exactly one IPv4 record: 20 + 4 + 54, and the 2 bytes that pad its FlowSet */
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, 80, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), 0);
	before = m;
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(nf9_add_record(&m, &lay, &r6, &clk), -ENOSPC); /* nor a new set header */
	T_EQ_INT(nf9_add_options(&m, &samp, 7), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(nf9_finish(&m), 80);
	T_EQ_INT(buf[3], 1);				      /* count 1 */
	T_EQ_INT(buf[22] << 8 | buf[23], 60);		      /* set length, padding included */
	T_EQ_MEM(buf + 24, golden_full + REC4_TCP, REC4_LEN); /* the record whole */
	T_EQ_MEM(buf + 78, "\0\0", 2);
	T_EQ_INT(buf[80], 0xa5);
	T_EQ_INT(nf9_begin(&m, buf, 79, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), -ENOSPC);

	/* switching family: the IPv6 record needs its set header, 4 + 78 + 2 */
	n = 20 + 60 + 84;
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, n - 1, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), 0);
	before = m;
	T_EQ_INT(nf9_add_record(&m, &lay, &r6, &clk), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(nf9_finish(&m), 80);
	T_EQ_INT(buf[80], 0xa5);
	T_EQ_INT(nf9_begin(&m, buf, n, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r6, &clk), 0);
	T_EQ_INT(nf9_finish(&m), n);

	/* options data after a record: 16 bytes with its padding, or nothing */
	T_EQ_INT(nf9_begin(&m, buf, 80 + 15, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), 0);
	T_EQ_INT(nf9_add_options(&m, &samp, 7), -ENOSPC);
	T_EQ_INT(nf9_begin(&m, buf, 80 + 16, &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r4, &clk), 0);
	T_EQ_INT(nf9_add_options(&m, &samp, 7), 0);
	T_EQ_INT(nf9_finish(&m), 80 + 16);
	T_EQ_MEM(buf + 80, golden_full + OFF_OPT_DATA, 16);
}

/* ---- bad input ---- */

static void test_einval(void)
{
	struct tflow_record r = rec_tcp4();
	unsigned char buf[256];
	struct tmsg m, before;

	T_EQ_INT(nf9_begin(&m, NULL, sizeof(buf), &clk, 0, 0), -EINVAL);
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 0, 0), 0);
	before = m;
	r.key.family = 0;
	T_EQ_INT(nf9_add_record(&m, &lay, &r, &clk), -EINVAL);
	r.key.family = 5;
	T_EQ_INT(nf9_add_record(&m, &lay, &r, &clk), -EINVAL);
	T_EQ_MEM(&m, &before, sizeof(m));
}

/* ---- how many records one 1500-byte IPv4 datagram carries (1500 - 20 IP - 8 UDP) ---- */

static int pack(int with_templates, size_t *len)
{
	struct tflow_record r = rec_tcp4();
	unsigned char buf[1500 - 28];
	struct tmsg m;
	int n = 0;

	nf9_begin(&m, buf, sizeof(buf), &clk, 0, 7);
	if (with_templates) {
		T_EQ_INT(nf9_add_templates(&m, &lay), 0);
		T_EQ_INT(nf9_add_options(&m, &samp, 7), 0);
	}
	while (nf9_add_record(&m, &lay, &r, &clk) == 0)
		n++;
	*len = nf9_finish(&m);
	return n;
}

static void test_packing(void)
{
	size_t len;

	/* 20 + 4 + 26 * 54 = 1428; a 27th record would make 1482 > 1472 */
	T_EQ_INT(pack(0, &len), 26);
	T_EQ_INT(len, 1428);
	/* 20 + 164 + 24 + 16 + 4 + 23 * 54 + 2 (padding) = 1472 exactly */
	T_EQ_INT(pack(1, &len), 23);
	T_EQ_INT(len, 1472);
}

/* ---- sampling rate announced, uptime wrap ---- */

static void test_sampling(void)
{
	static const struct {
		struct enc_sampling s;
		__u32 rate;
		__u8 algorithm;
	} cases[] = {
		{ { 1, 0 }, 1, 0 },		      /* off, as the caller announces it */
		{ { 0, 0 }, 1, 0 },		      /* interval 0 is off too */
		{ { 0, 7 }, 1, 0 },		      /* whatever the space */
		{ { 1, 1 }, 2, 1 },		      /* 2 / 1, deterministic */
		{ { 2222, 1111 }, 2, 1 },	      /* 1.5 rounds up */
		{ { 3, 1 }, 1, 1 },		      /* 1.33 rounds down, still sampling */
		{ { 1, 20000 }, 20001, 1 },	      /* no 14-bit limit as in v5 */
		{ { 1, 0xffffffff }, 0xffffffff, 1 }, /* 2^32 clamped */
	};
	unsigned char buf[64];
	struct tmsg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const unsigned char *p = buf + 20 + 4 + 4;

		T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
		T_EQ_INT(nf9_add_options(&m, &cases[i].s, 7), 0);
		T_EQ_INT(nf9_finish(&m), 20 + 16);
		T_EQ_INT((__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3], cases[i].rate);
		T_EQ_INT(p[4], cases[i].algorithm); /* 0 none, 1 deterministic */
	}
}

static void test_uptime_wrap(void)
{
	struct enc_clock c = { .mono_ns = MS(0x100000007ULL), .real_ns = clk.real_ns };
	struct tflow_record r = rec_tcp4();
	unsigned char buf[128];
	struct tmsg m;
	static const unsigned char uptime[4] = { 0x00, 0x00, 0x00, 0x07 };
	static const unsigned char times[8] = {
		0x00, 0x00, 0x00, 0x05, /* first: 2^32 + 5 ms -> 5 */
		0xff, 0xff, 0xff, 0xff, /* last: 2 * 2^32 - 1 ms -> 0xffffffff */
	};

	/* 49.7 days after boot the 32-bit ms counters wrap; records wrap with sysUptime */
	r.first_ns = MS(0x100000005ULL) + 999999;
	r.last_ns = MS(0x1ffffffffULL);
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &c, 0, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r, &c), 0);
	T_EQ_INT(nf9_finish(&m), 80);
	T_EQ_MEM(buf + 4, uptime, 4);
	T_EQ_MEM(buf + 24 + 39, times, 8);
}

int main(void)
{
	fields_layout(&lay, TF_CLASSIC, IE_FMT_V9);
	T_RUN(test_full);
	T_RUN(test_ipv6);
	T_RUN(test_mixed);
	T_RUN(test_nospc);
	T_RUN(test_einval);
	T_RUN(test_packing);
	T_RUN(test_sampling);
	T_RUN(test_uptime_wrap);
	T_EXIT();
}
