/* SPDX-License-Identifier: GPL-2.0-only */
/* test_nf9_ie.c - the IE table, and NetFlow v9 interface names (options template 261). */
#include "nf9_golden.h"

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
	T_RUN(test_ie_table);
	T_RUN(test_ifnames);
	T_EXIT();
}
