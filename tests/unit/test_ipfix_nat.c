/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ipfix_nat.c - IPFIX NAT events and isMulticast against golden messages. */
#include "ipfix_golden.h"

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

int main(void)
{
	fields_layout(&lay, TF_CLASSIC, IE_FMT_IPFIX);
	T_RUN(test_nat_events);
	T_RUN(test_is_multicast);
	T_EXIT();
}
