/* test_ipfix.c - IPFIX encoder against hand-computed golden messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "t.h"
#include "record/fields.h"
#include "export/ipfix.h"
#include "export/layout.h"

#define MS(x) ((__u64)(x)*1000000ULL)

/*
 * CLOCK_MONOTONIC 1200000 ms + 123456 ns, CLOCK_REALTIME 1700000000.5 s. Boot was at 1700000000500
 * ms - 1200000.123456 ms = 1699998800499.876544 ms, so a record time t (ns since boot) is
 * 1699998800499.876544 ms + t, truncated to whole ms.
 */
static const struct enc_clock clk = {
	.mono_ns = MS(1200000) + 123456,
	.real_ns = 1700000000500000000ULL,
};

/*
 * The templates of the classic selection (TF_CLASSIC): those of tflow before the field selection,
 * with icmpTypeIPv4/icmpCodeIPv4 (176/177; IPv6 178/179) after them. main() builds it.
 */
static struct ie_layout lay;

/* 100 sampled, 900 skipped */
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
	r.first_ns = MS(1000) + 999;
	r.last_ns = MS(1193000) + 999999;
	r.tcp_flags = 0x1b; /* FIN|SYN|PSH|ACK */
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

/* ---- header, templates, options, an IPv4 data set ---- */

static const unsigned char golden_full[] = {
	/* header */
	0x00, 0x0a,		/* version 10 */
	0x01, 0x72,		/* length 370 */
	0x65, 0x53, 0xf1, 0x00, /* export time 1700000000 */
	0x00, 0x00, 0x00, 0x03, /* sequence 3 */
	0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	/* template set: 4 + 2 * (4 + 20 * 4) = 172 */
	0x00, 0x02,		/* set id 2: templates */
	0x00, 0xac,		/* length 172 */
	0x01, 0x00,		/* template id 256 (IPv4) */
	0x00, 0x14,		/* field count 20 */
	0x00, 0x08, 0x00, 0x04, /* sourceIPv4Address, 4 */
	0x00, 0x0c, 0x00, 0x04, /* destinationIPv4Address, 4 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort, 2 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort, 2 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier, 1 */
	0x00, 0x05, 0x00, 0x01, /* ipClassOfService, 1 */
	0x00, 0x06, 0x00, 0x02, /* tcpControlBits, 2 (RFC 7125) */
	0x00, 0x0a, 0x00, 0x04, /* ingressInterface, 4 */
	0x00, 0x0e, 0x00, 0x04, /* egressInterface, 4 */
	0x00, 0x02, 0x00, 0x08, /* packetDeltaCount, 8 */
	0x00, 0x01, 0x00, 0x08, /* octetDeltaCount, 8 */
	0x00, 0x98, 0x00, 0x08, /* flowStartMilliseconds (152), 8 */
	0x00, 0x99, 0x00, 0x08, /* flowEndMilliseconds (153), 8 */
	0x00, 0x20, 0x00, 0x02, /* icmpTypeCodeIPv4 (32), 2 */
	0x00, 0x3c, 0x00, 0x01, /* ipVersion (60), 1 */
	0x00, 0x3d, 0x00, 0x01, /* flowDirection (61), 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL (192), 1 */
	0x00, 0x88, 0x00, 0x01, /* flowEndReason (136), 1 */
	0x00, 0xb0, 0x00, 0x01, /* icmpTypeIPv4 (176), 1 */
	0x00, 0xb1, 0x00, 0x01, /* icmpCodeIPv4 (177), 1 */
	0x01, 0x01,		/* template id 257 (IPv6) */
	0x00, 0x14,		/* field count 20 */
	0x00, 0x1b, 0x00, 0x10, /* sourceIPv6Address (27), 16 */
	0x00, 0x1c, 0x00, 0x10, /* destinationIPv6Address (28), 16 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort, 2 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort, 2 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier, 1 */
	0x00, 0x05, 0x00, 0x01, /* ipClassOfService, 1 */
	0x00, 0x06, 0x00, 0x02, /* tcpControlBits, 2 */
	0x00, 0x0a, 0x00, 0x04, /* ingressInterface, 4 */
	0x00, 0x0e, 0x00, 0x04, /* egressInterface, 4 */
	0x00, 0x02, 0x00, 0x08, /* packetDeltaCount, 8 */
	0x00, 0x01, 0x00, 0x08, /* octetDeltaCount, 8 */
	0x00, 0x98, 0x00, 0x08, /* flowStartMilliseconds, 8 */
	0x00, 0x99, 0x00, 0x08, /* flowEndMilliseconds, 8 */
	0x00, 0x8b, 0x00, 0x02, /* icmpTypeCodeIPv6 (139), 2 */
	0x00, 0x3c, 0x00, 0x01, /* ipVersion, 1 */
	0x00, 0x3d, 0x00, 0x01, /* flowDirection, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL, 1 */
	0x00, 0x88, 0x00, 0x01, /* flowEndReason, 1 */
	0x00, 0xb2, 0x00, 0x01, /* icmpTypeIPv6 (178), 1 */
	0x00, 0xb3, 0x00, 0x01, /* icmpCodeIPv6 (179), 1 */
	/* options template set: 4 + 6 + 4 * 4 = 26, not padded */
	0x00, 0x03,		/* set id 3: options templates */
	0x00, 0x1a,		/* length 26 */
	0x01, 0x02,		/* template id 258 */
	0x00, 0x04,		/* field count 4 */
	0x00, 0x01,		/* scope field count 1 */
	0x00, 0x95, 0x00, 0x04, /* scope: observationDomainId (149), 4 */
	0x01, 0x31, 0x00, 0x04, /* samplingPacketInterval (305), 4 */
	0x01, 0x32, 0x00, 0x04, /* samplingPacketSpace (306), 4 */
	0x00, 0xa0, 0x00, 0x08, /* systemInitTimeMilliseconds (160), 8 */
	/* options data set: 4 + 4 + 4 + 4 + 8 = 24 */
	0x01, 0x02,					/* set id 258 */
	0x00, 0x18,					/* length 24 */
	0x00, 0x00, 0x00, 0x07,				/* observation domain 7 */
	0x00, 0x00, 0x00, 0x64,				/* sampling interval 100 */
	0x00, 0x00, 0x03, 0x84,				/* sampling space 900 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1a, 0x73, /* boot 1699998800499 ms */
	/* data set: 4 + 2 * 64 = 132 */
	0x01, 0x00, /* set id 256 */
	0x00, 0x84, /* length 132 */
	/* record 1: TCP */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,				/* dst 10.0.0.2 */
	0x04, 0xd2,					/* src port 1234 */
	0x00, 0x50,					/* dst port 80 */
	0x06,						/* protocol TCP */
	0x10,						/* tos 0x10 */
	0x00, 0x1b,					/* tcp flags FIN|SYN|PSH|ACK */
	0x00, 0x00, 0x00, 0x03,				/* ingress 3 */
	0x00, 0x00, 0x00, 0x05,				/* egress 5 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* packets 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, /* bytes 1200 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1e, 0x5b, /* start: boot + 1000.000999 ms */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x4e, 0x9c, /* end: boot + 1193000.999999 ms */
	0x00, 0x00,					/* icmp type/code: not ICMP */
	0x04,						/* ip version 4 */
	0x00,						/* direction ingress */
	0x40,						/* ttl 64 */
	0x03,						/* end reason 3: end of flow */
	0x00, 0x00,					/* icmp type, code: not ICMP */
	/* record 2: ICMP port unreachable */
	0x0a, 0x00, 0x00, 0x02,				/* src 10.0.0.2 */
	0x0a, 0x00, 0x00, 0x01,				/* dst 10.0.0.1 */
	0x00, 0x00,					/* src port 0 */
	0x03, 0x03,					/* dst port: type 3, code 3 */
	0x01,						/* protocol ICMP */
	0xc0,						/* tos 0xc0 */
	0x00, 0x00,					/* tcp flags 0 */
	0x00, 0x00, 0x00, 0x00,				/* ingress 0 */
	0x00, 0x00, 0x00, 0x03,				/* egress 3 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* packets 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38, /* bytes 56 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xdc, 0x3e, 0x4b, /* start: boot + 599000 ms */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xdc, 0x3e, 0x4b, /* end: the same */
	0x03, 0x03,					/* icmp type 3, code 3 */
	0x04,						/* ip version 4 */
	0x01,						/* direction egress */
	0x40,						/* ttl 64 */
	0x01,						/* end reason 1: idle timeout */
	0x03, 0x03,					/* icmp type 3, code 3 */
};

#define OFF_OPT_DATA (16 + 172 + 26) /* options data set */
#define OFF_DATA4 (OFF_OPT_DATA + 24)
#define REC4_TCP (OFF_DATA4 + 4)
#define REC4_ICMP (REC4_TCP + REC4_LEN)
#define REC4_LEN 64
#define REC6_LEN 88

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

/* ---- the field selection: every field, the fewest, NAT events, isMulticast ---- */

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
	r.ext.fib_ifindex = 5;
	r.ext.fib_ok = 1;
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
	r.nat_sport = htons(1); /* has_nat 0: not exported */
	r.nat_src[0] = 0x20;
	return r;
}

static const unsigned char golden_all[] = {
	/* header */
	0x00, 0x0a,		/* version 10 */
	0x02, 0xfb,		/* length 763 */
	0x65, 0x53, 0xf1, 0x00, /* export time 1700000000 */
	0x00, 0x00, 0x00, 0x09, /* sequence 9 */
	0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	/* template set: 4 + 2 * (4 + 38 * 4) + 2 * (4 + 11 * 4) = 412 */
	0x00, 0x02,		/* set id 2: templates */
	0x01, 0x9c,		/* length 412 */
	0x01, 0x00,		/* template id 256 (IPv4) */
	0x00, 0x26,		/* field count 38 */
	0x00, 0x08, 0x00, 0x04, /* sourceIPv4Address, 4 */
	0x00, 0x0c, 0x00, 0x04, /* destinationIPv4Address, 4 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort, 2 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort, 2 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier, 1 */
	0x00, 0x05, 0x00, 0x01, /* ipClassOfService, 1 */
	0x00, 0x06, 0x00, 0x02, /* tcpControlBits, 2 */
	0x00, 0x0a, 0x00, 0x04, /* ingressInterface, 4 */
	0x00, 0x0e, 0x00, 0x04, /* egressInterface, 4 */
	0x00, 0x02, 0x00, 0x08, /* packetDeltaCount, 8 */
	0x00, 0x01, 0x00, 0x08, /* octetDeltaCount, 8 */
	0x00, 0x98, 0x00, 0x08, /* flowStartMilliseconds, 8 */
	0x00, 0x99, 0x00, 0x08, /* flowEndMilliseconds, 8 */
	0x00, 0x20, 0x00, 0x02, /* icmpTypeCodeIPv4, 2 */
	0x00, 0x3c, 0x00, 0x01, /* ipVersion, 1 */
	0x00, 0x3d, 0x00, 0x01, /* flowDirection, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL, 1 */
	0x00, 0x88, 0x00, 0x01, /* flowEndReason, 1 */
	0x00, 0xb8, 0x00, 0x04, /* tcpSequenceNumber (184), 4 */
	0x00, 0xb9, 0x00, 0x04, /* tcpAcknowledgementNumber (185), 4 */
	0x00, 0xba, 0x00, 0x02, /* tcpWindowSize (186), 2 */
	0x00, 0xb0, 0x00, 0x01, /* icmpTypeIPv4 (176), 1 */
	0x00, 0xb1, 0x00, 0x01, /* icmpCodeIPv4 (177), 1 */
	0x00, 0x21, 0x00, 0x01, /* igmpType (33), 1 */
	0x00, 0x38, 0x00, 0x06, /* sourceMacAddress (56), 6 */
	0x00, 0x50, 0x00, 0x06, /* destinationMacAddress (80), 6 */
	0x00, 0x09, 0x00, 0x01, /* sourceIPv4PrefixLength (9), 1 */
	0x00, 0x0d, 0x00, 0x01, /* destinationIPv4PrefixLength (13), 1 */
	0x00, 0xbd, 0x00, 0x01, /* ipHeaderLength (189), 1 */
	0x00, 0xe0, 0x00, 0x02, /* ipTotalLength (224), 2: reduced-size */
	0x00, 0xce, 0x00, 0x01, /* isMulticast (206), 1 */
	0x00, 0xa0, 0x00, 0x08, /* systemInitTimeMilliseconds (160), 8 */
	0x00, 0x0f, 0x00, 0x04, /* ipNextHopIPv4Address (15), 4 */
	0x00, 0xe1, 0x00, 0x04, /* postNATSourceIPv4Address (225), 4 */
	0x00, 0xe2, 0x00, 0x04, /* postNATDestinationIPv4Address (226), 4 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort (227), 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort (228), 2 */
	0x00, 0xcd, 0x00, 0x02, /* udpMessageLength (205), 2 */
	0x01, 0x01,		/* template id 257 (IPv6) */
	0x00, 0x26,		/* field count 38 */
	0x00, 0x1b, 0x00, 0x10, /* sourceIPv6Address, 16 */
	0x00, 0x1c, 0x00, 0x10, /* destinationIPv6Address, 16 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort, 2 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort, 2 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier, 1 */
	0x00, 0x05, 0x00, 0x01, /* ipClassOfService, 1 */
	0x00, 0x06, 0x00, 0x02, /* tcpControlBits, 2 */
	0x00, 0x0a, 0x00, 0x04, /* ingressInterface, 4 */
	0x00, 0x0e, 0x00, 0x04, /* egressInterface, 4 */
	0x00, 0x02, 0x00, 0x08, /* packetDeltaCount, 8 */
	0x00, 0x01, 0x00, 0x08, /* octetDeltaCount, 8 */
	0x00, 0x98, 0x00, 0x08, /* flowStartMilliseconds, 8 */
	0x00, 0x99, 0x00, 0x08, /* flowEndMilliseconds, 8 */
	0x00, 0x8b, 0x00, 0x02, /* icmpTypeCodeIPv6 (139), 2 */
	0x00, 0x3c, 0x00, 0x01, /* ipVersion, 1 */
	0x00, 0x3d, 0x00, 0x01, /* flowDirection, 1 */
	0x00, 0xc0, 0x00, 0x01, /* ipTTL, 1 */
	0x00, 0x88, 0x00, 0x01, /* flowEndReason, 1 */
	0x00, 0xb8, 0x00, 0x04, /* tcpSequenceNumber, 4 */
	0x00, 0xb9, 0x00, 0x04, /* tcpAcknowledgementNumber, 4 */
	0x00, 0xba, 0x00, 0x02, /* tcpWindowSize, 2 */
	0x00, 0xb2, 0x00, 0x01, /* icmpTypeIPv6 (178), 1 */
	0x00, 0xb3, 0x00, 0x01, /* icmpCodeIPv6 (179), 1; no igmpType in IPv6 */
	0x00, 0x38, 0x00, 0x06, /* sourceMacAddress, 6 */
	0x00, 0x50, 0x00, 0x06, /* destinationMacAddress, 6 */
	0x00, 0x1d, 0x00, 0x01, /* sourceIPv6PrefixLength (29), 1 */
	0x00, 0x1e, 0x00, 0x01, /* destinationIPv6PrefixLength (30), 1 */
	0x00, 0xbd, 0x00, 0x01, /* ipHeaderLength, 1 */
	0x00, 0xe0, 0x00, 0x02, /* ipTotalLength, 2 */
	0x00, 0x1f, 0x00, 0x04, /* flowLabelIPv6 (31), 4 */
	0x00, 0xce, 0x00, 0x01, /* isMulticast, 1 */
	0x00, 0xa0, 0x00, 0x08, /* systemInitTimeMilliseconds, 8 */
	0x00, 0x3e, 0x00, 0x10, /* ipNextHopIPv6Address (62), 16 */
	0x01, 0x19, 0x00, 0x10, /* postNATSourceIPv6Address (281), 16 */
	0x01, 0x1a, 0x00, 0x10, /* postNATDestinationIPv6Address (282), 16 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort, 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort, 2 */
	0x00, 0xcd, 0x00, 0x02, /* udpMessageLength, 2 */
	0x01, 0x03,		/* template id 259 (NAT events, IPv4) */
	0x00, 0x0b,		/* field count 11 */
	0x01, 0x43, 0x00, 0x08, /* observationTimeMilliseconds (323), 8 */
	0x00, 0xe6, 0x00, 0x01, /* natEvent (230), 1 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier, 1 */
	0x00, 0x08, 0x00, 0x04, /* sourceIPv4Address, 4 */
	0x00, 0x0c, 0x00, 0x04, /* destinationIPv4Address, 4 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort, 2 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort, 2 */
	0x00, 0xe1, 0x00, 0x04, /* postNATSourceIPv4Address, 4 */
	0x00, 0xe2, 0x00, 0x04, /* postNATDestinationIPv4Address, 4 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort, 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort, 2 */
	0x01, 0x04,		/* template id 260 (NAT events, IPv6) */
	0x00, 0x0b,		/* field count 11 */
	0x01, 0x43, 0x00, 0x08, /* observationTimeMilliseconds, 8 */
	0x00, 0xe6, 0x00, 0x01, /* natEvent, 1 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier, 1 */
	0x00, 0x1b, 0x00, 0x10, /* sourceIPv6Address, 16 */
	0x00, 0x1c, 0x00, 0x10, /* destinationIPv6Address, 16 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort, 2 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort, 2 */
	0x01, 0x19, 0x00, 0x10, /* postNATSourceIPv6Address, 16 */
	0x01, 0x1a, 0x00, 0x10, /* postNATDestinationIPv6Address, 16 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort, 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort, 2 */
	/* options template set: as in golden_full */
	0x00, 0x03, 0x00, 0x1a, 0x01, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x95, 0x00, 0x04, 0x01,
	0x31, 0x00, 0x04, 0x01, 0x32, 0x00, 0x04, 0x00, 0xa0, 0x00, 0x08,
	/* data set: 4 + 119 */
	0x01, 0x00,					/* set id 256 */
	0x00, 0x7b,					/* length 123 */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,				/* dst 10.0.0.2 */
	0x04, 0xd2,					/* src port 1234 */
	0x00, 0x50,					/* dst port 80 */
	0x06,						/* protocol TCP */
	0x10,						/* tos 0x10 */
	0x00, 0x1b,					/* tcp flags */
	0x00, 0x00, 0x00, 0x03,				/* ingress 3 */
	0x00, 0x00, 0x00, 0x05,				/* egress 5 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* packets 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, /* bytes 1200 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1e, 0x5b, /* start */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x4e, 0x9c, /* end */
	0x00, 0x00,					/* icmp type/code: not ICMP */
	0x04,						/* ip version 4 */
	0x00,						/* direction ingress */
	0x40,						/* ttl 64 */
	0x03,						/* end reason 3 */
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
	0x00,						/* 10.0.0.2: not multicast */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1a, 0x73, /* boot 1699998800499 ms */
	0x0a, 0x00, 0x00, 0xfe,				/* gateway 10.0.0.254 */
	0xc0, 0x00, 0x02, 0x01,				/* post-NAT src 192.0.2.1 */
	0x0a, 0x00, 0x00, 0x02,				/* post-NAT dst 10.0.0.2 */
	0x9c, 0x40,					/* post-NAT src port 40000 */
	0x00, 0x50,					/* post-NAT dst port 80 */
	0x00, 0x00,					/* udp length: not UDP */
	/* data set: 4 + 182 */
	0x01, 0x01, /* set id 257 */
	0x00, 0xba, /* length 186 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, /* src 2001:db8::1 */
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xfb,						/* dst ff02::fb */
	0x14, 0xe9,					/* src port 5353 */
	0x14, 0xe9,					/* dst port 5353 */
	0x11,						/* protocol UDP */
	0x00,						/* traffic class */
	0x00, 0x00,					/* tcp flags */
	0x00, 0x00, 0x00, 0x02,				/* ingress 2 */
	0x00, 0x00, 0x00, 0x00,				/* egress 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, /* packets 4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x90, /* bytes 400 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xda, 0xbb, 0x93, /* start */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xdc, 0x42, 0x32, /* end */
	0x00, 0x00,					/* icmp type/code */
	0x06,						/* ip version 6 */
	0x00,						/* direction ingress */
	0xff,						/* hop limit 255 */
	0x04,						/* end reason 4 */
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
	0x00, 0x01, 0x23, 0x45,				/* flow label 0x12345 */
	0x02,						/* ff02::fb: T 0, scope 2 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xd3, 0x1a, 0x73, /* boot */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, /* gateway: none (on link) */
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

	_Static_assert(sizeof(golden_all) == 763, "16 + 412 + 26 + 123 + 186");
	fields_layout(&all, TF_ALL, IE_FMT_IPFIX);
	T_EQ_INT(all.flow4.rec_len, 119);
	T_EQ_INT(all.flow6.rec_len, 182);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 9, 7), 0);
	T_EQ_INT(ipfix_add_templates(&m, &all), 0);
	T_EQ_INT(ipfix_add_record(&m, &all, &r4, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &all, &r6, &clk), 0);
	T_EQ_INT(m.records, 5 + 2);
	T_EQ_INT(ipfix_finish(&m), sizeof(golden_all));
	T_EQ_MEM(buf, golden_all, sizeof(golden_all));
	T_EQ_INT(buf[sizeof(golden_all)], 0xa5);
	/* the classic elements come first, as before the selection existed */
	T_EQ_MEM(golden_all + 16 + 8, golden_full + 16 + 8, 18 * 4);
	T_EQ_MEM(golden_all + 16 + 412 + 26 + 4, golden_full + REC4_TCP, 62);
}

/* bytes, packets, src-address, dst-address: and the elements tflow always sends */
static const unsigned char golden_min[] = {
	/* header */
	0x00, 0x0a,		/* version 10 */
	0x00, 0xc4,		/* length 196 */
	0x65, 0x53, 0xf1, 0x00, /* export time */
	0x00, 0x00, 0x00, 0x00, /* sequence 0 */
	0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	/* template set: 4 + 2 * (4 + 7 * 4) = 68 */
	0x00, 0x02, 0x00, 0x44, /* set 2, length 68 */
	0x01, 0x00, 0x00, 0x07, /* template 256, 7 fields */
	0x00, 0x08, 0x00, 0x04, /* sourceIPv4Address, 4 */
	0x00, 0x0c, 0x00, 0x04, /* destinationIPv4Address, 4 */
	0x00, 0x02, 0x00, 0x08, /* packetDeltaCount, 8 */
	0x00, 0x01, 0x00, 0x08, /* octetDeltaCount, 8 */
	0x00, 0x3c, 0x00, 0x01, /* ipVersion, 1 */
	0x00, 0x3d, 0x00, 0x01, /* flowDirection, 1 */
	0x00, 0x88, 0x00, 0x01, /* flowEndReason, 1 */
	0x01, 0x01, 0x00, 0x07, /* template 257, 7 fields */
	0x00, 0x1b, 0x00, 0x10, /* sourceIPv6Address, 16 */
	0x00, 0x1c, 0x00, 0x10, /* destinationIPv6Address, 16 */
	0x00, 0x02, 0x00, 0x08, /* packetDeltaCount, 8 */
	0x00, 0x01, 0x00, 0x08, /* octetDeltaCount, 8 */
	0x00, 0x3c, 0x00, 0x01, /* ipVersion, 1 */
	0x00, 0x3d, 0x00, 0x01, /* flowDirection, 1 */
	0x00, 0x88, 0x00, 0x01, /* flowEndReason, 1 */
	/* options template set: as in golden_full */
	0x00, 0x03, 0x00, 0x1a, 0x01, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x95, 0x00, 0x04, 0x01,
	0x31, 0x00, 0x04, 0x01, 0x32, 0x00, 0x04, 0x00, 0xa0, 0x00, 0x08,
	/* data set: 4 + 27 */
	0x01, 0x00, 0x00, 0x1f,				/* set 256, length 31 */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,				/* dst 10.0.0.2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, /* packets 10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, /* bytes 1200 */
	0x04,						/* ip version 4 */
	0x00,						/* ingress */
	0x03,						/* end reason 3 */
	/* data set: 4 + 51 */
	0x01, 0x01, 0x00, 0x37, /* set 257, length 55 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, /* src fe80::1 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02,						/* dst fe80::2 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, /* packets 2^32 + 1 */
	0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, /* bytes */
	0x06,						/* ip version 6 */
	0x01,						/* egress */
	0x02,						/* end reason 2 */
};

static void test_min_fields(void)
{
	struct tflow_record r4 = rec_full4(), r6 = rec_icmp6();
	struct ie_layout min;
	unsigned char buf[256];
	struct tmsg m;

	_Static_assert(sizeof(golden_min) == 196, "16 + 68 + 26 + 31 + 55");
	fields_layout(&min,
		      TF_BIT(TF_BYTES) | TF_BIT(TF_PACKETS) | TF_BIT(TF_SRC_ADDRESS) |
			      TF_BIT(TF_DST_ADDRESS),
		      IE_FMT_IPFIX);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
	T_EQ_INT(ipfix_add_templates(&m, &min), 0);
	T_EQ_INT(ipfix_add_record(&m, &min, &r4, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &min, &r6, &clk), 0);
	T_EQ_INT(m.records, 3 + 2);
	T_EQ_INT(ipfix_finish(&m), sizeof(golden_min));
	T_EQ_MEM(buf, golden_min, sizeof(golden_min));
	T_EQ_INT(buf[sizeof(golden_min)], 0xa5);
	/* no NAT event template: such a record has nowhere to go */
	r4.nat_event = 4;
	T_EQ_INT(ipfix_add_record(&m, &min, &r4, &clk), -EINVAL);
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
	0x00, 0x0a,		/* version 10 */
	0x00, 0x93,		/* length 147: these two sets, then a flow record's 4 + 3 */
	0x65, 0x53, 0xf1, 0x00, /* export time */
	0x00, 0x00, 0x00, 0x05, /* sequence 5 */
	0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	/* data set: 4 + 34 */
	0x01, 0x03, 0x00, 0x26,				/* set 259, length 38 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x4e, 0x9c, /* at boot + 1193000.999999 ms */
	0x04,						/* NAT44 session create */
	0x06,						/* TCP */
	0x0a, 0x00, 0x00, 0x01,				/* src 10.0.0.1 */
	0xc6, 0x33, 0x64, 0x07,				/* dst 198.51.100.7 */
	0x9c, 0x41,					/* src port 40001 */
	0x01, 0xbb,					/* dst port 443 */
	0xc0, 0x00, 0x02, 0x01,				/* post-NAT src 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07,				/* post-NAT dst: the same */
	0x04, 0x00,					/* post-NAT src port 1024 */
	0x01, 0xbb,					/* post-NAT dst port 443 */
	/* data set: 4 + 82 */
	0x01, 0x04, 0x00, 0x56,				/* set 260, length 86 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xdc, 0x3e, 0x4b, /* at boot + 599000 ms */
	0x02,						/* NAT translation delete */
	0x11,						/* UDP */
	0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, /* src fd00::1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07,	    /* dst 2001:db8::7 */
	0x9c, 0x41, /* src port 40001 */
	0x01, 0xbb, /* dst port 443 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, /* post-NAT src 2001:db8::100 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07,	    /* post-NAT dst */
	0x04, 0x00, /* post-NAT src port 1024 */
	0x01, 0xbb, /* post-NAT dst port 443 */
};

static void test_nat_events(void)
{
	struct tflow_record n4 = rec_nat4(), n6 = rec_nat6(), f4 = rec_tcp4();
	struct ie_layout nat;
	unsigned char buf[256];
	struct tmsg m;

	_Static_assert(sizeof(golden_nat) == 16 + 38 + 86, "header, two sets");
	fields_layout(&nat, TF_BIT(TF_NAT_EVENTS), IE_FMT_IPFIX);
	memset(buf, 0xa5, sizeof(buf));
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 5, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &nat, &n4, &clk), 0);
	T_EQ_INT(ipfix_add_record(&m, &nat, &n6, &clk), 0);
	/* a flow record after them: its own set, of the 3 elements always sent */
	T_EQ_INT(ipfix_add_record(&m, &nat, &f4, &clk), 0);
	T_EQ_INT(m.data_records, 3);
	T_EQ_INT(ipfix_finish(&m), sizeof(golden_nat) + 7);
	T_EQ_MEM(buf, golden_nat, sizeof(golden_nat));
	/* set 256 of 7 bytes: version 4, ingress, end reason 3 */
	T_EQ_MEM(buf + sizeof(golden_nat), "\x01\x00\x00\x07\x04\x00\x03", 7);
	T_EQ_INT(buf[sizeof(golden_nat) + 7], 0xa5);
}

/* isMulticast (206) by destination, per the IANA registry's text. */
static void test_is_multicast(void)
{
	static const struct {
		int family;
		const char *dst;
		__u8 want;
	} cases[] = {
		{ 4, "224.0.0.251", 0x80 },  { 4, "239.255.255.255", 0x80 },
		{ 4, "223.255.255.255", 0 }, { 4, "240.0.0.1", 0 },
		{ 6, "ff02::fb", 0x02 },     { 6, "ff15::1", 0x15 },
		{ 6, "ff3e::8000:1", 0x1e }, { 6, "ff0e::1", 0x0e },
		{ 6, "fe80::1", 0 },	     { 6, "::ffff:224.0.0.1", 0 },
	};
	struct ie_layout lay_mc;
	unsigned char buf[64];
	struct tmsg m;

	fields_layout(&lay_mc, TF_BIT(TF_IS_MULTICAST), IE_FMT_IPFIX);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tflow_record r =
			mk(cases[i].family, cases[i].family == 4 ? "10.0.0.1" : "::1", cases[i].dst,
			   0, 0, 17);

		T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 0, 7), 0);
		T_EQ_INT(ipfix_add_record(&m, &lay_mc, &r, &clk), 0);
		/* ipVersion, flowDirection, flowEndReason, isMulticast */
		T_EQ_INT(ipfix_finish(&m), 16 + 4 + 4);
		T_CHECK(buf[16 + 4 + 3] == cases[i].want, "%s: 0x%02x, want 0x%02x", cases[i].dst,
			buf[16 + 4 + 3], cases[i].want);
	}
}

/* ---- interface names: options template 261 and its records ---- */

static const unsigned char golden_ifnames[] = {
	/* header */
	0x00, 0x0a,		/* version 10 */
	0x00, 0x62,		/* length 98 */
	0x65, 0x53, 0xf1, 0x00, /* export time 1700000000 */
	0x00, 0x00, 0x00, 0x03, /* sequence 3 */
	0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	/* options template set: 4 + 6 + 2 * 4 = 18 */
	0x00, 0x03,		/* set id 3: options templates */
	0x00, 0x12,		/* length 18 */
	0x01, 0x05,		/* template id 261 */
	0x00, 0x02,		/* field count 2 */
	0x00, 0x01,		/* scope field count 1 */
	0x00, 0x0a, 0x00, 0x04, /* scope ingressInterface (10), 4 */
	0x00, 0x52, 0x00, 0x10, /* interfaceName (82), 16: fixed length, zero-padded */
	/* options data set: 4 + 3 * 20 */
	0x01, 0x05,					    /* set id 261 */
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
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_ifname_template(&m), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 0x01020304, "ppp-session-123"), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 5, "this-name-is-too-long"), 0);
	/* options data records count in the sequence; the template does not */
	T_EQ_INT(m.data_records, 3);
	T_EQ_INT(ipfix_finish(&m), sizeof(golden_ifnames));
	T_EQ_MEM(buf, golden_ifnames, sizeof(golden_ifnames));
	T_EQ_INT(buf[sizeof(golden_ifnames)], 0xa5);

	/* the template: 18 bytes or nothing */
	T_EQ_INT(ipfix_begin(&m, buf, 16 + 18 - 1, &clk, 3, 7), 0);
	before = m;
	T_EQ_INT(ipfix_add_ifname_template(&m), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	/* a record: 4 + 20 with its set header, 20 more in the same set */
	T_EQ_INT(ipfix_begin(&m, buf, 16 + 24 + 20 - 1, &clk, 3, 7), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), 0);
	before = m;
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), -ENOSPC);
	T_EQ_MEM(&m, &before, sizeof(m));
	T_EQ_INT(ipfix_finish(&m), 16 + 24);
	T_EQ_MEM(buf + 16, golden_ifnames + 34, 2);  /* set id 261 */
	T_EQ_INT(buf[18] << 8 | buf[19], 24);	     /* set length */
	T_EQ_MEM(buf + 20, golden_ifnames + 38, 20); /* the record */

	/* after a flow record: a set of its own */
	T_EQ_INT(ipfix_begin(&m, buf, sizeof(buf), &clk, 3, 7), 0);
	T_EQ_INT(ipfix_add_record(&m, &lay, &r, &clk), 0);
	T_EQ_INT(tmsg_add_ifname(&m, 2, "vb"), 0);
	T_EQ_INT(m.data_records, 2);
	T_EQ_INT(ipfix_finish(&m), 16 + 4 + 64 + 24);
	T_EQ_MEM(buf + 84, golden_ifnames + 34, 2);
	T_EQ_INT(buf[86] << 8 | buf[87], 24);
	T_EQ_MEM(buf + 88, golden_ifnames + 38, 20);

	T_EQ_INT(tmsg_add_ifname(&m, 2, NULL), -EINVAL);
	T_EQ_INT(ipfix_add_ifname_template(NULL), -EINVAL);
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
	T_RUN(test_all_fields);
	T_RUN(test_min_fields);
	T_RUN(test_nat_events);
	T_RUN(test_is_multicast);
	T_RUN(test_ifnames);
	T_EXIT();
}
