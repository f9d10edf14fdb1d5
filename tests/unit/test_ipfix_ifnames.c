/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ipfix_ifnames.c - IPFIX interface names: options template 261 and its records. */
#include "ipfix_golden.h"

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
	T_RUN(test_ifnames);
	T_EXIT();
}
