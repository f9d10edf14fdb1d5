/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix_golden.h - for tests/unit/test_ipfix*.c: clock, records, the classic golden message. */
#ifndef TFLOW_TEST_IPFIX_GOLDEN_H
#define TFLOW_TEST_IPFIX_GOLDEN_H

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
	r.first_ns = MS(1000) + 999;
	r.last_ns = MS(1193000) + 999999;
	r.tcp_flags = 0x1b; /* FIN|SYN|PSH|ACK */
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

#endif
