/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ipfix.c - IPFIX encoder against hand-computed golden messages: the classic fields. */
#include "ipfix_golden.h"

static void test_full(void)
{
	struct tflow_record r1 = rec_tcp4(), r2 = rec_icmp4();
	unsigned char buf[512];
	struct tmsg m;

	_Static_assert(sizeof(golden_full) == 370, "16 + 172 + 26 + 24 + 132");
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_templates(&m, &lay), 0);
	T_EQ_INT(ipfix_add_options(&m, &samp, &clk, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r1, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r2, &clk), 0);
	T_EQ_INT(m.records, 6);
	T_EQ_INT(m.data_records, 3); /* the sequence number advances by 3 */
	T_EQ_INT(ipfix_finish(&m), sizeof(golden_full));
	T_EQ_MEM(buf, golden_full, sizeof(golden_full));
	T_EQ_INT(buf[sizeof(golden_full)], 0xa5);
}

/* ---- IPv6 data set ---- */

static const unsigned char golden_v6[] = {
	/* header */
	0x00, 0x0a,		/* version 10 */
	0x00, 0xc4,		/* length 196 */
	0x65, 0x53, 0xf1, 0x00, /* export time 1700000000 */
	0x00, 0x00, 0x00, 0x06, /* sequence 6 */
	0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	/* data set: 4 + 2 * 88 */
	0x01, 0x01, /* set id 257 */
	0x00, 0xb4, /* length 180 */
	/* record 1: UDP mDNS */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, /* src 2001:db8::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,							    /* dst ff02::fb */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfb, 0x14, 0xe9, /* src port 5353 */
	0x14, 0xe9,						    /* dst port 5353 */
	0x11,							    /* protocol UDP */
	0x00,							    /* traffic class 0 */
	0x00, 0x00,						    /* tcp flags 0 */
	0x00, 0x00, 0x00, 0x02,					    /* ingress 2 */
	0x00, 0x00, 0x00, 0x00,					    /* egress 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,		    /* packets 4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x90,		    /* bytes 400 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xda, 0xbb, 0x93,		    /* start: 1699999300499 ms */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xdc, 0x42, 0x32,		    /* end: 1699999400498 ms */
	0x00, 0x00,						    /* icmp type/code: not ICMP */
	0x06,							    /* ip version 6 */
	0x00,							    /* direction ingress */
	0xff,							    /* hop limit 255 */
	0x04,							    /* end reason 4: forced end */
	0x00, 0x00,						    /* icmp type, code: not ICMP */
	/* record 2: ICMPv6 echo request */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* src fe80::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,							    /* dst fe80::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, /* src port 0 */
	0x80, 0x00,						    /* dst port: type 128, code 0 */
	0x3a,							    /* protocol ICMPv6 */
	0x00,							    /* traffic class 0 */
	0x00, 0x00,						    /* tcp flags 0 */
	0x00, 0x00, 0x00, 0x00,					    /* ingress 0 */
	0x00, 0x00, 0x00, 0x02,					    /* egress 2 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,		    /* packets 2^32 + 1 */
	0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,		    /* bytes 0x123456789abc */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x66, 0x0c,		    /* start: 1699999999500 ms */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x69, 0xf3,		    /* end: 1700000000499 ms */
	0x80, 0x00,						    /* icmp type 128, code 0 */
	0x06,							    /* ip version 6 */
	0x01,							    /* direction egress */
	0x40,							    /* hop limit 64 */
	0x02,	    /* end reason 2: active timeout */
	0x80, 0x00, /* icmp type 128, code 0 */
};

#define REC6_UDP (16 + 4)
#define REC6_ICMP (REC6_UDP + REC6_LEN)

static void test_ipv6(void)
{
	struct tflow_record r1 = rec_udp6(), r2 = rec_icmp6();
	unsigned char buf[sizeof(golden_v6)];
	struct tmsg m;

	_Static_assert(sizeof(golden_v6) == 16 + 4 + 2 * REC6_LEN, "header, set, 2 records");
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 6, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r1, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r2, &clk), 0);
	T_EQ_INT(m.data_records, 2);
	T_EQ_INT(ipfix_finish(&m), sizeof(golden_v6));
	T_EQ_MEM(buf, golden_v6, sizeof(golden_v6));
}

/* ---- v4, v6, options, v6, v4: one set per run of a family, no padding ---- */

static void test_mixed(void)
{
	struct tflow_record tcp4 = rec_tcp4(), icmp4 = rec_icmp4();
	struct tflow_record udp6 = rec_udp6(), icmp6 = rec_icmp6();
	unsigned char buf[1024];
	unsigned char *p = buf + 16;
	struct tmsg m;
	static const unsigned char hdr[] = {
		0x00, 0x0a, /* version 10 */
		0x01, 0x68, /* length 16 + 68 + 92 + 24 + 92 + 68 = 360 */
	};
	static const unsigned char set4[] = { 0x01, 0x00, 0x00, 0x44 }; /* 256, 4 + 64 */
	static const unsigned char set6[] = { 0x01, 0x01, 0x00, 0x5c }; /* 257, 4 + 88 */

	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 5, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &tcp4, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &udp6, &clk), 0);
	T_EQ_INT(ipfix_add_options(&m, &samp, &clk, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &icmp6, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &icmp4, &clk), 0);
	T_EQ_INT(m.data_records, 5);
	T_EQ_INT(ipfix_finish(&m), 360);
	T_EQ_MEM(buf, hdr, sizeof(hdr));

	T_EQ_MEM(p, set4, 4);
	T_EQ_MEM(p + 4, golden_full + REC4_TCP, REC4_LEN);
	p += 68;
	T_EQ_MEM(p, set6, 4);
	T_EQ_MEM(p + 4, golden_v6 + REC6_UDP, REC6_LEN);
	p += 92;
	T_EQ_MEM(p, golden_full + OFF_OPT_DATA, 24);
	p += 24;
	T_EQ_MEM(p, set6, 4);
	T_EQ_MEM(p + 4, golden_v6 + REC6_ICMP, REC6_LEN);
	p += 92;
	T_EQ_MEM(p, set4, 4);
	T_EQ_MEM(p + 4, golden_full + REC4_ICMP, REC4_LEN);
	p += 68;
	T_EQ_INT(*p, 0xa5);
}

/* ---- flowEndReason and absolute times ---- */

static void test_end_reason(void)
{
	struct tflow_record r = rec_tcp4();
	unsigned char buf[128];
	struct tmsg m;

	for (__u8 reason = TFLOW_END_IDLE; reason <= TFLOW_END_RESOURCES; reason++) {
		r.end_reason = reason;
		T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
		T_EQ_INT(ipfix_add_record(&m, &lay, &r, &clk), 0);
		T_EQ_INT(ipfix_finish(&m), 16 + 4 + REC4_LEN);
		T_EQ_INT(buf[16 + 4 + REC4_LEN - 3], reason); /* before icmp type, code */
	}
}

static void test_times(void)
{
	/* booted exactly at 2023-11-14 22:13:20 UTC (1700000000 s); now 10 days after */
	struct enc_clock c = {
		.mono_ns = 864000ULL * 1000000000ULL + 999999999,
		.real_ns = 1700864000ULL * 1000000000ULL + 999999999,
	};
	struct tflow_record r = rec_tcp4();
	unsigned char buf[128];
	const unsigned char *p = buf + 16 + 4 + 40; /* flowStartMilliseconds */
	struct tmsg m;
	static const unsigned char times[16] = {
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /* 1700000000000 ms: boot */
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xf5, 0xe6, 0x67, /* 1700001080935 ms */
	};
	static const unsigned char export_time[4] = { 0x65, 0x61, 0x20, 0x00 }; /* 1700864000 */

	r.first_ns = 0;
	r.last_ns = MS(1080935) + 999999; /* 18 min 0.935999999 s after boot */
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &c, 0, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r, &c), 0);
	T_EQ_INT(ipfix_finish(&m), 16 + 4 + REC4_LEN);
	T_EQ_MEM(buf + 4, export_time, 4);
	T_EQ_MEM(p, times, 16);
}

/* ---- -ENOSPC at the exact byte: the message stays as it was and still finishes ---- */

static void test_nospc(void)
{
	struct tflow_record r4 = rec_tcp4(), r6 = rec_udp6();
	unsigned char buf[512];
	struct tmsg m, before;
	size_t n;

	T_EQ_INT(ipfix_begin(&m, buf, IPFIX_HDR_LEN - 1, &clk, 3, 7), -ENOSPC);
	T_EQ_INT(ipfix_begin(&m, buf, IPFIX_HDR_LEN, &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r4, &clk), -ENOSPC);
	T_EQ_INT(ipfix_finish(&m), IPFIX_HDR_LEN); /* an empty message, length 16 */
	T_EQ_INT(buf[2] << 8 | buf[3], 16);

	/* templates: 172 + 26 bytes, then the options data: 24 */
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, 16 + 198 - 1, &clk, 3, 7), 0);
	before = m;
	T_EQ_INT(ipfix_add_templates(&m, &lay), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(buf[16], 0xa5);
	T_EQ_INT(ipfix_begin(&m, buf, 16 + 198 + 24 - 1, &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_templates(&m, &lay), 0);
	before = m;
	T_EQ_INT(ipfix_add_options(&m, &samp, &clk, 7), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(buf[16 + 198], 0xa5);
	T_EQ_INT(ipfix_finish(&m), 16 + 198);
	T_EQ_INT(buf[2] << 8 | buf[3], 214);
	T_EQ_MEM(buf + 4, golden_full + 4, 12);
	T_EQ_MEM(buf + 16, golden_full + 16, 198);

	/* exactly one IPv4 record: 16 + 4 + 64 */
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, 84, &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r4, &clk), 0);
	before = m;
	T_EQ_INT(ipfix_add_record(&m, &lay, &r4, &clk), -ENOSPC);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r6, &clk), -ENOSPC);
	T_EQ_INT(ipfix_add_options(&m, &samp, &clk, 7), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(ipfix_finish(&m), 84);
	T_EQ_INT(buf[2] << 8 | buf[3], 84);
	T_EQ_INT(buf[18] << 8 | buf[19], 68); /* set length */
	T_EQ_MEM(buf + 20, golden_full + REC4_TCP, REC4_LEN);
	T_EQ_INT(buf[84], 0xa5);
	T_EQ_INT(ipfix_begin(&m, buf, 83, &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r4, &clk), -ENOSPC);

	/* switching family: the IPv6 record needs its set header, 4 + 88 */
	n = 16 + 68 + 92;
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, n - 1, &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r4, &clk), 0);
	before = m;
	T_EQ_INT(ipfix_add_record(&m, &lay, &r6, &clk), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(ipfix_finish(&m), 84);
	T_EQ_INT(buf[84], 0xa5);
	T_EQ_INT(ipfix_begin(&m, buf, n, &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r4, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r6, &clk), 0);
	T_EQ_INT(ipfix_finish(&m), n);
	T_EQ_INT(m.data_records, 2);
}

/* ---- bad input; a buffer larger than an IPFIX message can say ---- */

static void test_einval(void)
{
	struct tflow_record r = rec_tcp4();
	unsigned char buf[256];
	struct tmsg m, before;

	T_EQ_INT(ipfix_begin(&m, NULL, sizeof(buf), &clk, 0, 0), -EINVAL);
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 0), 0);
	before = m;
	r.key.family = 0;
	T_EQ_INT(ipfix_add_record(&m, &lay, &r, &clk), -EINVAL);
	r.key.family = 5;
	T_EQ_INT(ipfix_add_record(&m, &lay, &r, &clk), -EINVAL);
	T_EQ_MEM(&m, &before, sizeof(m));
}

static void test_max_len(void)
{
	static unsigned char buf[70000];
	struct tflow_record r = rec_tcp4();
	struct tmsg m;
	size_t len;
	int n = 0;

	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
	while (ipfix_add_record(&m, &lay, &r, &clk) == 0)
		n++;
	len = ipfix_finish(&m);
	/* 16 + 4 + 1023 * 64 = 65492; one more would pass the 16-bit length */
	T_EQ_INT(n, 1023);
	T_EQ_INT(len, 65492);
	T_EQ_INT(buf[2] << 8 | buf[3], 65492);
}

/* ---- how many records one 1500-byte IPv4 datagram carries (1500 - 20 IP - 8 UDP) ---- */

static int pack(int with_templates, size_t *len)
{
	struct tflow_record r = rec_tcp4();
	unsigned char buf[1500 - 28];
	struct tmsg m;
	int n = 0;

	ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7);
	if (with_templates) {
		T_EQ_INT(ipfix_add_templates(&m, &lay), 0);
		T_EQ_INT(ipfix_add_options(&m, &samp, &clk, 7), 0);
	}
	while (ipfix_add_record(&m, &lay, &r, &clk) == 0)
		n++;
	*len = ipfix_finish(&m);
	return n;
}

static void test_packing(void)
{
	size_t len;

	/* 16 + 4 + 22 * 64 = 1428; a 23rd record would make 1492 > 1472 */
	T_EQ_INT(pack(0, &len), 22);
	T_EQ_INT(len, 1428);
	/* 16 + 172 + 26 + 24 + 4 + 19 * 64 = 1458; a 20th would make 1522 */
	T_EQ_INT(pack(1, &len), 19);
	T_EQ_INT(len, 1458);
}

/* ---- sampling off; interval 0 announced as 1 sampled, 0 skipped ---- */

static void test_sampling_off(void)
{
	static const unsigned char want[8] = {
		0x00, 0x00, 0x00, 0x01, /* interval 1 */
		0x00, 0x00, 0x00, 0x00, /* space 0 */
	};
	struct enc_sampling off = { 1, 0 }, zero = { 0, 5 };
	unsigned char buf[64];
	struct tmsg m;

	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
	T_EQ_INT(ipfix_add_options(&m, &off, &clk, 7), 0);
	T_EQ_INT(ipfix_finish(&m), 16 + 24);
	T_EQ_MEM(buf + 16 + 8, want, 8);
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
	T_EQ_INT(ipfix_add_options(&m, &zero, &clk, 7), 0);
	T_EQ_INT(ipfix_finish(&m), 16 + 24);
	T_EQ_MEM(buf + 16 + 8, want, 8);
}

int main(void)
{
	fields_layout(&lay, TF_CLASSIC, IE_FMT_IPFIX);
	T_RUN(test_full);
	T_RUN(test_ipv6);
	T_RUN(test_mixed);
	T_RUN(test_end_reason);
	T_RUN(test_times);
	T_RUN(test_nospc);
	T_RUN(test_einval);
	T_RUN(test_max_len);
	T_RUN(test_packing);
	T_RUN(test_sampling_off);
	T_EXIT();
}
