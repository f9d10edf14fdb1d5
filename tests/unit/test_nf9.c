/* test_nf9.c - NetFlow v9 encoder and the IE table against hand-computed golden datagrams. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "t.h"
#include "record/fields.h"
#include "export/nf9.h"
#include "export/layout.h"

#define MS(x) ((__u64)(x)*1000000ULL)

/* sysUptime 1200000 ms (+123456 ns), unix time 1700000000.5 s */
static const struct enc_clock clk = {
	.mono_ns = MS(1200000) + 123456,
	.real_ns = 1700000000500000000ULL,
};

/*
 * The templates of the classic selection (TF_CLASSIC): those of tflow before the field selection,
 * with icmpTypeIPv4/icmpCodeIPv4 (176/177; IPv6 178/179) after them. main() builds it.
 */
static struct ie_layout lay;

/* 100 sampled, 900 skipped: 1 in 10 */
static const struct enc_sampling samp = { .interval = 100, .space = 900 };

static struct tflow_record mk(int family, const char *src, const char *dst, __u16 sport,
			      __u16 dport, __u8 proto)
{
	struct tflow_record r;

	memset(&r, 0, sizeof(r));
	if (family == 4) {
		r.key.src[10] = r.key.src[11] = 0xff;
		r.key.dst[10] = r.key.dst[11] = 0xff;
		inet_pton(AF_INET, src, r.key.src + 12);
		inet_pton(AF_INET, dst, r.key.dst + 12);
	} else {
		inet_pton(AF_INET6, src, r.key.src);
		inet_pton(AF_INET6, dst, r.key.dst);
	}
	r.key.sport = htons(sport);
	r.key.dport = htons(dport);
	r.key.proto = proto;
	r.key.family = family;
	r.key.dir = TFLOW_DIR_INGRESS;
	return r;
}

static struct tflow_record rec_tcp4(void)
{
	struct tflow_record r = mk(4, "10.0.0.1", "10.0.0.2", 1234, 80, 6);

	r.key.ifindex = 3;
	r.in_ifindex = 3;
	r.out_ifindex = 5;
	r.packets = 10;
	r.bytes = 1200;
	r.first_ns = MS(1000) + 999;	  /* sub-ms part truncated */
	r.last_ns = MS(1193000) + 999999; /* likewise */
	r.tcp_flags = 0x1b;		  /* FIN|SYN|PSH|ACK */
	r.tos = 0x10;
	r.ttl = 64;
	r.end_reason = TFLOW_END_EOF;
	return r;
}

/* ICMP destination unreachable (3), port unreachable (3), seen at egress */
static struct tflow_record rec_icmp4(void)
{
	struct tflow_record r = mk(4, "10.0.0.2", "10.0.0.1", 0, 3 * 256 + 3, 1);

	r.key.ifindex = 3;
	r.key.dir = TFLOW_DIR_EGRESS;
	r.out_ifindex = 3;
	r.packets = 1;
	r.bytes = 56;
	r.first_ns = MS(599000);
	r.last_ns = MS(599000);
	r.tos = 0xc0;
	r.ttl = 64;
	r.end_reason = TFLOW_END_IDLE;
	return r;
}

static struct tflow_record rec_udp6(void)
{
	struct tflow_record r = mk(6, "2001:db8::1", "ff02::fb", 5353, 5353, 17);

	r.key.ifindex = 2;
	r.in_ifindex = 2;
	r.packets = 4;
	r.bytes = 400;
	r.first_ns = MS(500000);
	r.last_ns = MS(599999);
	r.ttl = 255;
	r.end_reason = TFLOW_END_FORCED;
	return r;
}

/* ICMPv6 echo request (128/0) at egress, counters past 32 bits */
static struct tflow_record rec_icmp6(void)
{
	struct tflow_record r = mk(6, "fe80::1", "fe80::2", 0, 128 * 256 + 0, 58);

	r.key.ifindex = 2;
	r.key.dir = TFLOW_DIR_EGRESS;
	r.out_ifindex = 2;
	r.packets = 0x100000001ULL;
	r.bytes = 0x123456789abcULL;
	r.first_ns = MS(1199000) + 500000;
	r.last_ns = MS(1199999) + 999999;
	r.ttl = 64;
	r.end_reason = TFLOW_END_ACTIVE;
	return r;
}

/* ---- header, templates, options, an IPv4 data FlowSet ---- */

static const unsigned char golden_full[] = {
	/* header */
	0x00, 0x09,		/* version 9 */
	0x00, 0x06,		/* count: 2 templates, 1 options template, 1 options data, 2 data */
	0x00, 0x12, 0x4f, 0x80, /* sysUptime 1200000 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix secs 1700000000 */
	0x00, 0x00, 0x00, 0x03, /* sequence 3 */
	0x00, 0x00, 0x00, 0x07, /* source id 7 */
	/* template FlowSet: 4 + 2 * (4 + 19 * 4) = 164 bytes, no padding */
	0x00, 0x00,		/* FlowSet id 0: templates */
	0x00, 0xa4,		/* length 164 */
	0x01, 0x00,		/* template id 256 (IPv4) */
	0x00, 0x13,		/* field count 19 */
	0x00, 0x08, 0x00, 0x04, /* IPV4_SRC_ADDR, 4 */
	0x00, 0x0c, 0x00, 0x04, /* IPV4_DST_ADDR, 4 */
	0x00, 0x07, 0x00, 0x02, /* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02, /* L4_DST_PORT, 2 */
	0x00, 0x04, 0x00, 0x01, /* PROTOCOL, 1 */
	0x00, 0x05, 0x00, 0x01, /* SRC_TOS, 1 */
	0x00, 0x06, 0x00, 0x01, /* TCP_FLAGS, 1 (v9 length) */
	0x00, 0x0a, 0x00, 0x04, /* INPUT_SNMP, 4 */
	0x00, 0x0e, 0x00, 0x04, /* OUTPUT_SNMP, 4 */
	0x00, 0x02, 0x00, 0x08, /* IN_PKTS, 8 */
	0x00, 0x01, 0x00, 0x08, /* IN_BYTES, 8 */
	0x00, 0x16, 0x00, 0x04, /* FIRST_SWITCHED, 4 */
	0x00, 0x15, 0x00, 0x04, /* LAST_SWITCHED, 4 */
	0x00, 0x20, 0x00, 0x02, /* ICMP_TYPE, 2 */
	0x00, 0x3c, 0x00, 0x01, /* IP_PROTOCOL_VERSION, 1 */
	0x00, 0x3d, 0x00, 0x01, /* DIRECTION, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL (192), 1 */
	0x00, 0xb0, 0x00, 0x01, /* icmpTypeIPv4 (176), 1 */
	0x00, 0xb1, 0x00, 0x01, /* icmpCodeIPv4 (177), 1 */
	0x01, 0x01,		/* template id 257 (IPv6) */
	0x00, 0x13,		/* field count 19 */
	0x00, 0x1b, 0x00, 0x10, /* IPV6_SRC_ADDR, 16 */
	0x00, 0x1c, 0x00, 0x10, /* IPV6_DST_ADDR, 16 */
	0x00, 0x07, 0x00, 0x02, /* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02, /* L4_DST_PORT, 2 */
	0x00, 0x04, 0x00, 0x01, /* PROTOCOL, 1 */
	0x00, 0x05, 0x00, 0x01, /* SRC_TOS, 1 */
	0x00, 0x06, 0x00, 0x01, /* TCP_FLAGS, 1 */
	0x00, 0x0a, 0x00, 0x04, /* INPUT_SNMP, 4 */
	0x00, 0x0e, 0x00, 0x04, /* OUTPUT_SNMP, 4 */
	0x00, 0x02, 0x00, 0x08, /* IN_PKTS, 8 */
	0x00, 0x01, 0x00, 0x08, /* IN_BYTES, 8 */
	0x00, 0x16, 0x00, 0x04, /* FIRST_SWITCHED, 4 */
	0x00, 0x15, 0x00, 0x04, /* LAST_SWITCHED, 4 */
	0x00, 0x20, 0x00, 0x02, /* ICMP_TYPE, 2: also for ICMPv6 (nfdump ignores 139 in v9) */
	0x00, 0x3c, 0x00, 0x01, /* IP_PROTOCOL_VERSION, 1 */
	0x00, 0x3d, 0x00, 0x01, /* DIRECTION, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL (192), 1 */
	0x00, 0xb2, 0x00, 0x01, /* icmpTypeIPv6 (178), 1 */
	0x00, 0xb3, 0x00, 0x01, /* icmpCodeIPv6 (179), 1 */
	/* options template FlowSet: 4 + 6 + 4 + 2 * 4 = 22, padded to 24 */
	0x00, 0x01,		/* FlowSet id 1: options templates */
	0x00, 0x18,		/* length 24 */
	0x01, 0x02,		/* template id 258 */
	0x00, 0x04,		/* option scope length 4 */
	0x00, 0x08,		/* option length 8 */
	0x00, 0x01, 0x00, 0x04, /* scope System, 4 */
	0x00, 0x22, 0x00, 0x04, /* SAMPLING_INTERVAL, 4 */
	0x00, 0x23, 0x00, 0x01, /* SAMPLING_ALGORITHM, 1 */
	0x00, 0x00,		/* padding */
	/* options data FlowSet: 4 + 4 + 4 + 1 = 13, padded to 16 */
	0x01, 0x02,		/* FlowSet id 258 */
	0x00, 0x10,		/* length 16 */
	0x00, 0x00, 0x00, 0x07, /* System: source id 7 */
	0x00, 0x00, 0x00, 0x0a, /* sampling interval: 1 in (100 + 900) / 100 = 10 */
	0x01,			/* sampling algorithm 1: deterministic */
	0x00, 0x00, 0x00,	/* padding */
	/* data FlowSet: 4 + 2 * 54 */
	0x01, 0x00, /* FlowSet id 256 */
	0x00, 0x70, /* length 112 */
	/* record 1: TCP */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,				/* dst 10.0.0.2 */
	0x04, 0xd2,					/* src port 1234 */
	0x00, 0x50,					/* dst port 80 */
	0x06,						/* protocol TCP */
	0x10,						/* tos 0x10 */
	0x1b,						/* tcp flags FIN|SYN|PSH|ACK */
	0x00, 0x00, 0x00, 0x03,				/* input 3 */
	0x00, 0x00, 0x00, 0x05,				/* output 5 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* packets 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, /* bytes 1200 */
	0x00, 0x00, 0x03, 0xe8,				/* first 1000 ms */
	0x00, 0x12, 0x34, 0x28,				/* last 1193000 ms */
	0x00, 0x00,					/* icmp type/code: not ICMP */
	0x04,						/* ip version 4 */
	0x00,						/* direction ingress */
	0x40,						/* ttl 64 */
	0x00, 0x00,					/* icmp type, code: not ICMP */
	/* record 2: ICMP port unreachable */
	0x0a, 0x00, 0x00, 0x02,				/* src 10.0.0.2 */
	0x0a, 0x00, 0x00, 0x01,				/* dst 10.0.0.1 */
	0x00, 0x00,					/* src port 0 */
	0x03, 0x03,					/* dst port: type 3, code 3 */
	0x01,						/* protocol ICMP */
	0xc0,						/* tos 0xc0 */
	0x00,						/* tcp flags 0 */
	0x00, 0x00, 0x00, 0x00,				/* input 0 */
	0x00, 0x00, 0x00, 0x03,				/* output 3 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* packets 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38, /* bytes 56 */
	0x00, 0x09, 0x23, 0xd8,				/* first 599000 ms */
	0x00, 0x09, 0x23, 0xd8,				/* last 599000 ms */
	0x03, 0x03,					/* icmp type 3, code 3 */
	0x04,						/* ip version 4 */
	0x01,						/* direction egress */
	0x40,						/* ttl 64 */
	0x03, 0x03,					/* icmp type 3, code 3 */
};

#define OFF_TMPL 20		  /* template FlowSet */
#define OFF_OPT_TMPL (20 + 164)	  /* options template FlowSet */
#define OFF_OPT_DATA (184 + 24)	  /* options data FlowSet */
#define OFF_DATA4 (208 + 16)	  /* IPv4 data FlowSet */
#define REC4_TCP (OFF_DATA4 + 4)  /* the TCP record in golden_full */
#define REC4_ICMP (REC4_TCP + 54) /* the ICMP record in golden_full */
#define REC4_LEN 54
#define REC6_LEN 78

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

/* ---- the field selection: every field, the fewest, NAT events ---- */

/* rec_tcp4() with what the datapath, routing and conntrack add: translated by source NAT. */
static struct tflow_record rec_full4(void)
{
	struct tflow_record r = rec_tcp4();
	static const __u8 smac[6] = { 0x02, 0, 0, 0, 0, 0x01 },
			  dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	memcpy(r.ext.src_mac, smac, 6);
	memcpy(r.ext.dst_mac, dmac, 6);
	r.ext.tcp_seq = 0x01020304;
	r.ext.tcp_ack = 0x0a0b0c0d;
	r.ext.tcp_win = 64240;
	r.ext.ip_tot_len = 60;
	r.ext.ip_hdr_len = 20;
	r.ext.gateway[10] = r.ext.gateway[11] = 0xff;
	inet_pton(AF_INET, "10.0.0.254", r.ext.gateway + 12);
	r.src_mask = 24;
	r.dst_mask = 16;
	r.has_nat = 1;
	memcpy(r.nat_src, r.key.src, 12);
	inet_pton(AF_INET, "192.0.2.1", r.nat_src + 12);
	memcpy(r.nat_dst, r.key.dst, 16);
	r.nat_sport = htons(40000);
	r.nat_dport = htons(80);
	return r;
}

/* rec_udp6() with first-packet fields; no conntrack entry: its NAT fields must read as 0. */
static struct tflow_record rec_full6(void)
{
	struct tflow_record r = rec_udp6();
	static const __u8 smac[6] = { 0x02, 0, 0, 0, 0, 0x03 },
			  dmac[6] = { 0x33, 0x33, 0, 0, 0, 0xfb };

	memcpy(r.ext.src_mac, smac, 6);
	memcpy(r.ext.dst_mac, dmac, 6);
	r.ext.ip_tot_len = 100;
	r.ext.udp_len = 60;
	r.ext.ip_hdr_len = 48; /* a destination options header: exported as 40, as IANA says */
	r.ext.flow_label = 0x12345;
	r.src_mask = 64;
	r.dst_mask = 8;
	r.nat_dport = htons(1); /* has_nat 0: not exported */
	return r;
}

static const unsigned char golden_all[] = {
	/* header */
	0x00, 0x09,		/* version 9 */
	0x00, 0x07,		/* count: 4 templates, 1 options template, 2 data */
	0x00, 0x12, 0x4f, 0x80, /* sysUptime 1200000 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix secs 1700000000 */
	0x00, 0x00, 0x00, 0x09, /* sequence 9 */
	0x00, 0x00, 0x00, 0x07, /* source id 7 */
	/* template FlowSet: 4 + 2 * (4 + 37 * 4) + 2 * (4 + 11 * 4) = 404 */
	0x00, 0x00,		/* FlowSet id 0: templates */
	0x01, 0x94,		/* length 404 */
	0x01, 0x00,		/* template id 256 (IPv4) */
	0x00, 0x25,		/* field count 37 */
	0x00, 0x08, 0x00, 0x04, /* IPV4_SRC_ADDR, 4 */
	0x00, 0x0c, 0x00, 0x04, /* IPV4_DST_ADDR, 4 */
	0x00, 0x07, 0x00, 0x02, /* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02, /* L4_DST_PORT, 2 */
	0x00, 0x04, 0x00, 0x01, /* PROTOCOL, 1 */
	0x00, 0x05, 0x00, 0x01, /* SRC_TOS, 1 */
	0x00, 0x06, 0x00, 0x01, /* TCP_FLAGS, 1 */
	0x00, 0x0a, 0x00, 0x04, /* INPUT_SNMP, 4 */
	0x00, 0x0e, 0x00, 0x04, /* OUTPUT_SNMP, 4 */
	0x00, 0x02, 0x00, 0x08, /* IN_PKTS, 8 */
	0x00, 0x01, 0x00, 0x08, /* IN_BYTES, 8 */
	0x00, 0x16, 0x00, 0x04, /* FIRST_SWITCHED, 4 */
	0x00, 0x15, 0x00, 0x04, /* LAST_SWITCHED, 4 */
	0x00, 0x20, 0x00, 0x02, /* ICMP_TYPE, 2 */
	0x00, 0x3c, 0x00, 0x01, /* IP_PROTOCOL_VERSION, 1 */
	0x00, 0x3d, 0x00, 0x01, /* DIRECTION, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL, 1 */
	0x00, 0xb8, 0x00, 0x04, /* tcpSequenceNumber (184), 4 */
	0x00, 0xb9, 0x00, 0x04, /* tcpAcknowledgementNumber (185), 4 */
	0x00, 0xba, 0x00, 0x02, /* tcpWindowSize (186), 2 */
	0x00, 0xb0, 0x00, 0x01, /* icmpTypeIPv4 (176), 1 */
	0x00, 0xb1, 0x00, 0x01, /* icmpCodeIPv4 (177), 1 */
	0x00, 0x21, 0x00, 0x01, /* MUL_IGMP_TYPE (33), 1 */
	0x00, 0x38, 0x00, 0x06, /* IN_SRC_MAC (56), 6 */
	0x00, 0x50, 0x00, 0x06, /* IN_DST_MAC (80), 6 */
	0x00, 0x09, 0x00, 0x01, /* SRC_MASK (9), 1 */
	0x00, 0x0d, 0x00, 0x01, /* DST_MASK (13), 1 */
	0x00, 0xbd, 0x00, 0x01, /* ipHeaderLength (189), 1 */
	0x00, 0xe0, 0x00, 0x02, /* ipTotalLength (224), 2 */
	0x00, 0xce, 0x00, 0x01, /* isMulticast (206), 1 */
	0x00, 0xa0, 0x00, 0x08, /* systemInitTimeMilliseconds (160), 8 */
	0x00, 0x0f, 0x00, 0x04, /* IPV4_NEXT_HOP (15), 4 */
	0x00, 0xe1, 0x00, 0x04, /* postNATSourceIPv4Address (225), 4 */
	0x00, 0xe2, 0x00, 0x04, /* postNATDestinationIPv4Address (226), 4 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort (227), 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort (228), 2 */
	0x00, 0xcd, 0x00, 0x02, /* udpMessageLength (205), 2 */
	0x01, 0x01,		/* template id 257 (IPv6) */
	0x00, 0x25,		/* field count 37 */
	0x00, 0x1b, 0x00, 0x10, /* IPV6_SRC_ADDR, 16 */
	0x00, 0x1c, 0x00, 0x10, /* IPV6_DST_ADDR, 16 */
	0x00, 0x07, 0x00, 0x02, /* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02, /* L4_DST_PORT, 2 */
	0x00, 0x04, 0x00, 0x01, /* PROTOCOL, 1 */
	0x00, 0x05, 0x00, 0x01, /* SRC_TOS, 1 */
	0x00, 0x06, 0x00, 0x01, /* TCP_FLAGS, 1 */
	0x00, 0x0a, 0x00, 0x04, /* INPUT_SNMP, 4 */
	0x00, 0x0e, 0x00, 0x04, /* OUTPUT_SNMP, 4 */
	0x00, 0x02, 0x00, 0x08, /* IN_PKTS, 8 */
	0x00, 0x01, 0x00, 0x08, /* IN_BYTES, 8 */
	0x00, 0x16, 0x00, 0x04, /* FIRST_SWITCHED, 4 */
	0x00, 0x15, 0x00, 0x04, /* LAST_SWITCHED, 4 */
	0x00, 0x20, 0x00, 0x02, /* ICMP_TYPE, 2: for ICMPv6 too */
	0x00, 0x3c, 0x00, 0x01, /* IP_PROTOCOL_VERSION, 1 */
	0x00, 0x3d, 0x00, 0x01, /* DIRECTION, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL, 1 */
	0x00, 0xb8, 0x00, 0x04, /* tcpSequenceNumber, 4 */
	0x00, 0xb9, 0x00, 0x04, /* tcpAcknowledgementNumber, 4 */
	0x00, 0xba, 0x00, 0x02, /* tcpWindowSize, 2 */
	0x00, 0xb2, 0x00, 0x01, /* icmpTypeIPv6 (178), 1 */
	0x00, 0xb3, 0x00, 0x01, /* icmpCodeIPv6 (179), 1 */
	0x00, 0x38, 0x00, 0x06, /* IN_SRC_MAC, 6 */
	0x00, 0x50, 0x00, 0x06, /* IN_DST_MAC, 6 */
	0x00, 0x1d, 0x00, 0x01, /* IPV6_SRC_MASK (29), 1 */
	0x00, 0x1e, 0x00, 0x01, /* IPV6_DST_MASK (30), 1 */
	0x00, 0xbd, 0x00, 0x01, /* ipHeaderLength, 1 */
	0x00, 0xe0, 0x00, 0x02, /* ipTotalLength, 2 */
	0x00, 0x1f, 0x00, 0x04, /* IPV6_FLOW_LABEL (31), 4 */
	0x00, 0xce, 0x00, 0x01, /* isMulticast, 1 */
	0x00, 0xa0, 0x00, 0x08, /* systemInitTimeMilliseconds, 8 */
	0x00, 0x3e, 0x00, 0x10, /* IPV6_NEXT_HOP (62), 16 */
	0x01, 0x19, 0x00, 0x10, /* postNATSourceIPv6Address (281), 16 */
	0x01, 0x1a, 0x00, 0x10, /* postNATDestinationIPv6Address (282), 16 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort, 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort, 2 */
	0x00, 0xcd, 0x00, 0x02, /* udpMessageLength, 2 */
	0x01, 0x03,		/* template id 259 (NAT events, IPv4) */
	0x00, 0x0b,		/* field count 11 */
	0x01, 0x43, 0x00, 0x08, /* observationTimeMilliseconds (323), 8 */
	0x00, 0xe6, 0x00, 0x01, /* natEvent (230), 1 */
	0x00, 0x04, 0x00, 0x01, /* PROTOCOL, 1 */
	0x00, 0x08, 0x00, 0x04, /* IPV4_SRC_ADDR, 4 */
	0x00, 0x0c, 0x00, 0x04, /* IPV4_DST_ADDR, 4 */
	0x00, 0x07, 0x00, 0x02, /* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02, /* L4_DST_PORT, 2 */
	0x00, 0xe1, 0x00, 0x04, /* postNATSourceIPv4Address, 4 */
	0x00, 0xe2, 0x00, 0x04, /* postNATDestinationIPv4Address, 4 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort, 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort, 2 */
	0x01, 0x04,		/* template id 260 (NAT events, IPv6) */
	0x00, 0x0b,		/* field count 11 */
	0x01, 0x43, 0x00, 0x08, /* observationTimeMilliseconds, 8 */
	0x00, 0xe6, 0x00, 0x01, /* natEvent, 1 */
	0x00, 0x04, 0x00, 0x01, /* PROTOCOL, 1 */
	0x00, 0x1b, 0x00, 0x10, /* IPV6_SRC_ADDR, 16 */
	0x00, 0x1c, 0x00, 0x10, /* IPV6_DST_ADDR, 16 */
	0x00, 0x07, 0x00, 0x02, /* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02, /* L4_DST_PORT, 2 */
	0x01, 0x19, 0x00, 0x10, /* postNATSourceIPv6Address, 16 */
	0x01, 0x1a, 0x00, 0x10, /* postNATDestinationIPv6Address, 16 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort, 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort, 2 */
	/* options template FlowSet: as in golden_full */
	0x00, 0x01, 0x00, 0x18, 0x01, 0x02, 0x00, 0x04, 0x00, 0x08, 0x00, 0x01, 0x00, 0x04, 0x00,
	0x22, 0x00, 0x04, 0x00, 0x23, 0x00, 0x01, 0x00, 0x00,
	/* data FlowSet: 4 + 109 + 3 padding */
	0x01, 0x00,					/* FlowSet id 256 */
	0x00, 0x74,					/* length 116 */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,				/* dst 10.0.0.2 */
	0x04, 0xd2,					/* src port 1234 */
	0x00, 0x50,					/* dst port 80 */
	0x06,						/* protocol TCP */
	0x10,						/* tos */
	0x1b,						/* tcp flags */
	0x00, 0x00, 0x00, 0x03,				/* input 3 */
	0x00, 0x00, 0x00, 0x05,				/* output 5 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* packets 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, /* bytes 1200 */
	0x00, 0x00, 0x03, 0xe8,				/* first 1000 ms */
	0x00, 0x12, 0x34, 0x28,				/* last 1193000 ms */
	0x00, 0x00,					/* icmp type/code */
	0x04,						/* ip version 4 */
	0x00,						/* ingress */
	0x40,						/* ttl 64 */
	0x01, 0x02, 0x03, 0x04,				/* tcp seq */
	0x0a, 0x0b, 0x0c, 0x0d,				/* tcp ack */
	0xfa, 0xf0,					/* tcp window 64240 */
	0x00,						/* icmp type */
	0x00,						/* icmp code */
	0x00,						/* igmp type */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01,		/* src mac */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02,		/* dst mac */
	0x18,						/* src mask /24 */
	0x10,						/* dst mask /16 */
	0x14,						/* ip header 20 */
	0x00, 0x3c,					/* ip total length 60 */
	0x00,						/* not multicast */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1a, 0x73, /* boot 1699998800499 ms */
	0x0a, 0x00, 0x00, 0xfe,				/* gateway 10.0.0.254 */
	0xc0, 0x00, 0x02, 0x01,				/* post-NAT src 192.0.2.1 */
	0x0a, 0x00, 0x00, 0x02,				/* post-NAT dst 10.0.0.2 */
	0x9c, 0x40,					/* post-NAT src port 40000 */
	0x00, 0x50,					/* post-NAT dst port 80 */
	0x00, 0x00,					/* udp length: not UDP */
	0x00, 0x00, 0x00,				/* padding */
	/* data FlowSet: 4 + 172 */
	0x01, 0x01, /* FlowSet id 257 */
	0x00, 0xb0, /* length 176 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, /* src 2001:db8::1 */
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xfb,						/* dst ff02::fb */
	0x14, 0xe9,					/* src port 5353 */
	0x14, 0xe9,					/* dst port 5353 */
	0x11,						/* protocol UDP */
	0x00,						/* traffic class */
	0x00,						/* tcp flags */
	0x00, 0x00, 0x00, 0x02,				/* input 2 */
	0x00, 0x00, 0x00, 0x00,				/* output 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, /* packets 4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x90, /* bytes 400 */
	0x00, 0x07, 0xa1, 0x20,				/* first 500000 ms */
	0x00, 0x09, 0x27, 0xbf,				/* last 599999 ms */
	0x00, 0x00,					/* icmp type/code */
	0x06,						/* ip version 6 */
	0x00,						/* ingress */
	0xff,						/* hop limit 255 */
	0x00, 0x00, 0x00, 0x00,				/* tcp seq: not TCP */
	0x00, 0x00, 0x00, 0x00,				/* tcp ack */
	0x00, 0x00,					/* tcp window */
	0x00,						/* icmp type */
	0x00,						/* icmp code */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x03,		/* src mac */
	0x33, 0x33, 0x00, 0x00, 0x00, 0xfb,		/* dst mac */
	0x40,						/* src mask /64 */
	0x08,						/* dst mask /8 */
	0x28,						/* ip header: 40 for IPv6 */
	0x00, 0x64,					/* ip total length 100 */
	0x00, 0x01, 0x23, 0x45,				/* flow label */
	0x02,						/* ff02::fb: scope 2 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1a, 0x73, /* boot */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, /* gateway: none */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, /* post-NAT src: not translated */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,	    /* post-NAT dst */
	0x00, 0x00, /* post-NAT src port */
	0x00, 0x00, /* post-NAT dst port */
	0x00, 0x3c, /* udp length 60 */
};

static void test_all_fields(void)
{
	struct tflow_record r4 = rec_full4(), r6 = rec_full6();
	struct ie_layout all;
	unsigned char buf[1024];
	struct tmsg m;

	_Static_assert(sizeof(golden_all) == 740, "20 + 404 + 24 + 116 + 176");
	fields_layout(&all, TF_ALL, IE_FMT_V9);
	T_EQ_INT(all.flow4.rec_len, 109);
	T_EQ_INT(all.flow6.rec_len, 172);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 9, 7), 0);
	T_EQ_INT(nf9_add_templates(&m, &all), 0);
	T_EQ_INT(nf9_add_record(&m, &all, &r4, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &all, &r6, &clk), 0);
	T_EQ_INT(nf9_finish(&m), sizeof(golden_all));
	T_EQ_MEM(buf, golden_all, sizeof(golden_all));
	T_EQ_INT(buf[sizeof(golden_all)], 0xa5);
	/* the classic elements come first, as before the selection existed */
	T_EQ_MEM(golden_all + 20 + 8, golden_full + 20 + 8, 17 * 4);
	T_EQ_MEM(golden_all + 20 + 404 + 24 + 4, golden_full + REC4_TCP, 52);
}

/* bytes, packets, src-address, dst-address: and the elements tflow always sends */
static const unsigned char golden_min[] = {
	/* header */
	0x00, 0x09,		/* version 9 */
	0x00, 0x05,		/* count: 2 templates, 1 options template, 2 data */
	0x00, 0x12, 0x4f, 0x80, /* sysUptime */
	0x65, 0x53, 0xf1, 0x00, /* unix secs */
	0x00, 0x00, 0x00, 0x00, /* sequence 0 */
	0x00, 0x00, 0x00, 0x07, /* source id 7 */
	/* template FlowSet: 4 + 2 * (4 + 6 * 4) = 60 */
	0x00, 0x00, 0x00, 0x3c, /* FlowSet 0, length 60 */
	0x01, 0x00, 0x00, 0x06, /* template 256, 6 fields */
	0x00, 0x08, 0x00, 0x04, /* IPV4_SRC_ADDR, 4 */
	0x00, 0x0c, 0x00, 0x04, /* IPV4_DST_ADDR, 4 */
	0x00, 0x02, 0x00, 0x08, /* IN_PKTS, 8 */
	0x00, 0x01, 0x00, 0x08, /* IN_BYTES, 8 */
	0x00, 0x3c, 0x00, 0x01, /* IP_PROTOCOL_VERSION, 1 */
	0x00, 0x3d, 0x00, 0x01, /* DIRECTION, 1 */
	0x01, 0x01, 0x00, 0x06, /* template 257, 6 fields */
	0x00, 0x1b, 0x00, 0x10, /* IPV6_SRC_ADDR, 16 */
	0x00, 0x1c, 0x00, 0x10, /* IPV6_DST_ADDR, 16 */
	0x00, 0x02, 0x00, 0x08, /* IN_PKTS, 8 */
	0x00, 0x01, 0x00, 0x08, /* IN_BYTES, 8 */
	0x00, 0x3c, 0x00, 0x01, /* IP_PROTOCOL_VERSION, 1 */
	0x00, 0x3d, 0x00, 0x01, /* DIRECTION, 1 */
	/* options template FlowSet: as in golden_full */
	0x00, 0x01, 0x00, 0x18, 0x01, 0x02, 0x00, 0x04, 0x00, 0x08, 0x00, 0x01, 0x00, 0x04, 0x00,
	0x22, 0x00, 0x04, 0x00, 0x23, 0x00, 0x01, 0x00, 0x00,
	/* data FlowSet: 4 + 26 + 2 padding */
	0x01, 0x00, 0x00, 0x20,				/* FlowSet 256, length 32 */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,				/* dst 10.0.0.2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* packets 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, /* bytes 1200 */
	0x04,						/* ip version 4 */
	0x00,						/* ingress */
	0x00, 0x00,					/* padding */
	/* data FlowSet: 4 + 50 + 2 padding */
	0x01, 0x01, 0x00, 0x38, /* FlowSet 257, length 56 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, /* src fe80::1 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02,						/* dst fe80::2 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, /* packets 2^32 + 1 */
	0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, /* bytes */
	0x06,						/* ip version 6 */
	0x01,						/* egress */
	0x00, 0x00,					/* padding */
};

static void test_min_fields(void)
{
	struct tflow_record r4 = rec_full4(), r6 = rec_icmp6();
	struct ie_layout min;
	unsigned char buf[256];
	struct tmsg m;

	_Static_assert(sizeof(golden_min) == 192, "20 + 60 + 24 + 32 + 56");
	fields_layout(&min,
		      TF_BIT(TF_BYTES) | TF_BIT(TF_PACKETS) | TF_BIT(TF_SRC_ADDRESS) |
			      TF_BIT(TF_DST_ADDRESS),
		      IE_FMT_V9);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
	T_EQ_INT(nf9_add_templates(&m, &min), 0);
	T_EQ_INT(nf9_add_record(&m, &min, &r4, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &min, &r6, &clk), 0);
	T_EQ_INT(nf9_finish(&m), sizeof(golden_min));
	T_EQ_MEM(buf, golden_min, sizeof(golden_min));
	T_EQ_INT(buf[sizeof(golden_min)], 0xa5);
	/* no NAT event template: such a record has nowhere to go */
	r6.nat_event = 2;
	T_EQ_INT(nf9_add_record(&m, &min, &r6, &clk), -EINVAL);
}

/* A NAT44 session created at 1193000.999999 ms, a NAT66 one deleted at 599000 ms. */
static struct tflow_record rec_nat4(void)
{
	struct tflow_record r = mk(4, "10.0.0.1", "198.51.100.7", 40001, 443, 6);

	r.nat_event = 4; /* NAT44 session create */
	r.last_ns = MS(1193000) + 999999;
	memcpy(r.nat_src, r.key.src, 12);
	inet_pton(AF_INET, "192.0.2.1", r.nat_src + 12);
	memcpy(r.nat_dst, r.key.dst, 16);
	r.nat_sport = htons(1024);
	r.nat_dport = htons(443);
	return r;
}

static struct tflow_record rec_nat6(void)
{
	struct tflow_record r = mk(6, "fd00::1", "2001:db8::7", 40001, 443, 17);

	r.nat_event = 2; /* NAT translation delete */
	r.last_ns = MS(599000);
	inet_pton(AF_INET6, "2001:db8::100", r.nat_src);
	memcpy(r.nat_dst, r.key.dst, 16);
	r.nat_sport = htons(1024);
	r.nat_dport = htons(443);
	return r;
}

static const unsigned char golden_nat[] = {
	/* header */
	0x00,
	0x09, /* version 9 */
	0x00,
	0x03, /* count: 2 NAT events, 1 flow */
	0x00,
	0x12,
	0x4f,
	0x80, /* sysUptime */
	0x65,
	0x53,
	0xf1,
	0x00, /* unix secs */
	0x00,
	0x00,
	0x00,
	0x05, /* sequence 5 */
	0x00,
	0x00,
	0x00,
	0x07, /* source id 7 */
	/* data FlowSet: 4 + 34 + 2 padding */
	0x01,
	0x03,
	0x00,
	0x28, /* FlowSet 259, length 40 */
	0x00,
	0x00,
	0x01,
	0x8b,
	0xcf,
	0xe5,
	0x4e,
	0x9c, /* at boot + 1193000.999999 ms */
	0x04, /* NAT44 session create */
	0x06, /* TCP */
	0x0a,
	0x00,
	0x00,
	0x01, /* src 10.0.0.1 */
	0xc6,
	0x33,
	0x64,
	0x07, /* dst 198.51.100.7 */
	0x9c,
	0x41, /* src port 40001 */
	0x01,
	0xbb, /* dst port 443 */
	0xc0,
	0x00,
	0x02,
	0x01, /* post-NAT src 192.0.2.1 */
	0xc6,
	0x33,
	0x64,
	0x07, /* post-NAT dst: the same */
	0x04,
	0x00, /* post-NAT src port 1024 */
	0x01,
	0xbb, /* post-NAT dst port 443 */
	0x00,
	0x00, /* padding */
	/* data FlowSet: 4 + 82 + 2 padding */
	0x01,
	0x04,
	0x00,
	0x58, /* FlowSet 260, length 88 */
	0x00,
	0x00,
	0x01,
	0x8b,
	0xcf,
	0xdc,
	0x3e,
	0x4b, /* at boot + 599000 ms */
	0x02, /* NAT translation delete */
	0x11, /* UDP */
	0xfd,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01, /* src fd00::1 */
	0x20,
	0x01,
	0x0d,
	0xb8,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x07, /* dst 2001:db8::7 */
	0x9c,
	0x41, /* src port 40001 */
	0x01,
	0xbb, /* dst port 443 */
	0x20,
	0x01,
	0x0d,
	0xb8,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01,
	0x00, /* post-NAT src 2001:db8::100 */
	0x20,
	0x01,
	0x0d,
	0xb8,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x07, /* post-NAT dst */
	0x04,
	0x00, /* post-NAT src port 1024 */
	0x01,
	0xbb, /* post-NAT dst port 443 */
	0x00,
	0x00, /* padding */
	/* a flow record: only the elements always sent (version 4, ingress), padded */
	0x01,
	0x00,
	0x00,
	0x08,
	0x04,
	0x00,
	0x00,
	0x00,
};

static void test_nat_events(void)
{
	struct tflow_record n4 = rec_nat4(), n6 = rec_nat6(), f4 = rec_tcp4();
	struct ie_layout nat;
	unsigned char buf[256];
	struct tmsg m;

	_Static_assert(sizeof(golden_nat) == 20 + 40 + 88 + 8, "header, three sets");
	fields_layout(&nat, TF_BIT(TF_NAT_EVENTS), IE_FMT_V9);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 5, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &nat, &n4, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &nat, &n6, &clk), 0);
	T_EQ_INT(nf9_add_record(&m, &nat, &f4, &clk), 0);
	T_EQ_INT(nf9_finish(&m), sizeof(golden_nat));
	T_EQ_MEM(buf, golden_nat, sizeof(golden_nat));
	T_EQ_INT(buf[sizeof(golden_nat)], 0xa5);
}

/* ---- the IE table ---- */

static void test_ie_table(void)
{
	/* ids, IPFIX lengths and names checked against the IANA registry */
	static const struct ie_info want[] = {
		{ 1, 8, "octetDeltaCount" },
		{ 2, 8, "packetDeltaCount" },
		{ 4, 1, "protocolIdentifier" },
		{ 5, 1, "ipClassOfService" },
		{ 6, 2, "tcpControlBits" },
		{ 7, 2, "sourceTransportPort" },
		{ 8, 4, "sourceIPv4Address" },
		{ 9, 1, "sourceIPv4PrefixLength" },
		{ 10, 4, "ingressInterface" },
		{ 11, 2, "destinationTransportPort" },
		{ 12, 4, "destinationIPv4Address" },
		{ 13, 1, "destinationIPv4PrefixLength" },
		{ 14, 4, "egressInterface" },
		{ 15, 4, "ipNextHopIPv4Address" },
		{ 21, 4, "flowEndSysUpTime" },
		{ 22, 4, "flowStartSysUpTime" },
		{ 27, 16, "sourceIPv6Address" },
		{ 28, 16, "destinationIPv6Address" },
		{ 29, 1, "sourceIPv6PrefixLength" },
		{ 30, 1, "destinationIPv6PrefixLength" },
		{ 31, 4, "flowLabelIPv6" },
		{ 32, 2, "icmpTypeCodeIPv4" },
		{ 33, 1, "igmpType" },
		{ 34, 4, "samplingInterval" },
		{ 35, 1, "samplingAlgorithm" },
		{ 56, 6, "sourceMacAddress" },
		{ 60, 1, "ipVersion" },
		{ 61, 1, "flowDirection" },
		{ 62, 16, "ipNextHopIPv6Address" },
		{ 80, 6, "destinationMacAddress" },
		{ 82, 16, "interfaceName" }, /* a string: tflow's fixed length, zero-padded */
		{ 136, 1, "flowEndReason" },
		{ 139, 2, "icmpTypeCodeIPv6" },
		{ 149, 4, "observationDomainId" },
		{ 152, 8, "flowStartMilliseconds" },
		{ 153, 8, "flowEndMilliseconds" },
		{ 160, 8, "systemInitTimeMilliseconds" },
		{ 176, 1, "icmpTypeIPv4" },
		{ 177, 1, "icmpCodeIPv4" },
		{ 178, 1, "icmpTypeIPv6" },
		{ 179, 1, "icmpCodeIPv6" },
		{ 184, 4, "tcpSequenceNumber" },
		{ 185, 4, "tcpAcknowledgementNumber" },
		{ 186, 2, "tcpWindowSize" },
		{ 189, 1, "ipHeaderLength" },
		{ 192, 1, "ipTTL" },
		{ 205, 2, "udpMessageLength" },
		{ 206, 1, "isMulticast" },
		{ 224, 2, "ipTotalLength" }, /* unsigned64, reduced-size (RFC 7011 6.2) */
		{ 225, 4, "postNATSourceIPv4Address" },
		{ 226, 4, "postNATDestinationIPv4Address" },
		{ 227, 2, "postNAPTSourceTransportPort" },
		{ 228, 2, "postNAPTDestinationTransportPort" },
		{ 230, 1, "natEvent" },
		{ 281, 16, "postNATSourceIPv6Address" },
		{ 282, 16, "postNATDestinationIPv6Address" },
		{ 305, 4, "samplingPacketInterval" },
		{ 306, 4, "samplingPacketSpace" },
		{ 323, 8, "observationTimeMilliseconds" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ie_info *ie = ie_find(want[i].id);

		if (!T_CHECK(ie != NULL, "id %u missing", want[i].id))
			continue;
		T_EQ_INT(ie->id, want[i].id);
		T_EQ_INT(ie->len, want[i].len);
		T_CHECK(strcmp(ie->name, want[i].name) == 0, "id %u: %s", want[i].id, ie->name);
	}
	T_CHECK(ie_find(0) == NULL, "id 0");
	T_CHECK(ie_find(3) == NULL, "id 3");
	T_CHECK(ie_find(0xffff) == NULL, "id 65535");
}

/* ---- interface names: options template 261 and its records ---- */

static const unsigned char golden_ifnames[] = {
	/* header */
	0x00, 0x09,		/* version 9 */
	0x00, 0x04,		/* count: 1 options template, 3 options data records */
	0x00, 0x12, 0x4f, 0x80, /* sysUptime 1200000 ms */
	0x65, 0x53, 0xf1, 0x00, /* unix secs 1700000000 */
	0x00, 0x00, 0x00, 0x03, /* sequence 3 */
	0x00, 0x00, 0x00, 0x07, /* source id 7 */
	/* options template FlowSet: 4 + 6 + 4 + 4 = 18, padded to 20 */
	0x00, 0x01,		/* FlowSet id 1: options templates */
	0x00, 0x14,		/* length 20 */
	0x01, 0x05,		/* template id 261 */
	0x00, 0x04,		/* option scope length 4 */
	0x00, 0x04,		/* option length 4 */
	0x00, 0x02, 0x00, 0x04, /* scope Interface, 4 */
	0x00, 0x52, 0x00, 0x10, /* interfaceName (82), 16 */
	0x00, 0x00,		/* padding */
	/* options data FlowSet: 4 + 3 * 20, no padding */
	0x01, 0x05,					    /* FlowSet id 261 */
	0x00, 0x40,					    /* length 64 */
	0x00, 0x00, 0x00, 0x02,				    /* ifindex 2 */
	'v', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* "vb", zero-padded to 16 */
	0x01, 0x02, 0x03, 0x04,				    /* ifindex 0x01020304 */
	'p', 'p', 'p', '-', 's', 'e', 's', 's', 'i', 'o', 'n', '-', '1', '2', '3', 0, /* 15 + NUL */
	0x00, 0x00, 0x00, 0x05, /* ifindex 5 */
	't', 'h', 'i', 's', '-', 'n', 'a', 'm', 'e', '-', 'i', 's', '-', 't', 'o', 'o', /* cut */
};

static void test_ifnames(void)
{
	struct tflow_record r = rec_tcp4();
	unsigned char buf[256];
	struct tmsg m, before;

	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_ifname_template(&m), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 0x01020304, "ppp-session-123"), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 5, "this-name-is-too-long"), 0);
	T_EQ_INT(m.data_records, 3);
	T_EQ_INT(nf9_finish(&m), sizeof(golden_ifnames));
	T_EQ_MEM(buf, golden_ifnames, sizeof(golden_ifnames));
	T_EQ_INT(buf[sizeof(golden_ifnames)], 0xa5);

	/* the template: 20 bytes or nothing */
	T_EQ_INT(nf9_begin(&m, buf, 20 + 20 - 1, &clk, 3, 7), 0);
	before = m;
	T_EQ_INT(nf9_add_ifname_template(&m), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	/* a record: 4 + 20 with its set header, 20 more in the same set */
	T_EQ_INT(nf9_begin(&m, buf, 20 + 24 + 20 - 1, &clk, 3, 7), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), 0);
	before = m;
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(nf9_finish(&m), 20 + 24);
	T_EQ_MEM(buf + 20, golden_ifnames + 40, 2);  /* set id 261 */
	T_EQ_INT(buf[22] << 8 | buf[23], 24);	     /* set length */
	T_EQ_MEM(buf + 24, golden_ifnames + 44, 20); /* the record */

	/* after a flow record: a set of its own; the flow set's padding first */
	T_EQ_INT(nf9_begin(&m, buf, sizeof(buf), &clk, 3, 7), 0);
	T_EQ_INT(nf9_add_record(&m, &lay, &r, &clk), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), 0);
	T_EQ_INT(nf9_finish(&m), 20 + 60 + 24);
	T_EQ_INT(buf[3], 2); /* count */
	T_EQ_MEM(buf + 80, golden_ifnames + 40, 2);
	T_EQ_INT(buf[82] << 8 | buf[83], 24);
	T_EQ_MEM(buf + 84, golden_ifnames + 44, 20);

	T_EQ_INT(tmsg_add_ifname(&m, 2, NULL), -EINVAL);
	T_EQ_INT(nf9_add_ifname_template(NULL), -EINVAL);
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
	T_RUN(test_ie_table);
	T_RUN(test_all_fields);
	T_RUN(test_min_fields);
	T_RUN(test_nat_events);
	T_RUN(test_ifnames);
	T_EXIT();
}
