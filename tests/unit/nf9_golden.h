/* SPDX-License-Identifier: GPL-2.0-only */
/* nf9_golden.h - for tests/unit/test_nf9*.c: clock, records, the classic golden datagram. */
#ifndef TFLOW_TEST_NF9_GOLDEN_H
#define TFLOW_TEST_NF9_GOLDEN_H

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

static inline struct tflow_record mk(int family, const char *src, const char *dst, __u16 sport,
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

static inline struct tflow_record rec_tcp4(void)
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
static inline struct tflow_record rec_icmp4(void)
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

static inline struct tflow_record rec_udp6(void)
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
static inline struct tflow_record rec_icmp6(void)
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

#endif
