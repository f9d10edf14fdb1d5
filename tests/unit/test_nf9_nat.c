/* SPDX-License-Identifier: GPL-2.0-only */
/* test_nf9_nat.c - NetFlow v9 NAT events against a golden datagram. */
#include "nf9_golden.h"

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

int main(void)
{
	fields_layout(&lay, TF_CLASSIC, IE_FMT_V9);
	T_RUN(test_nat_events);
	T_EXIT();
}
