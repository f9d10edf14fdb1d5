/* SPDX-License-Identifier: GPL-2.0-only */
/* layout.c - the v9/IPFIX data templates of a field selection: which elements, in which order. */
#include <string.h>
#include "export/layout.h"
#include "util/util.h"

/*
 * The data templates, in order: an element is in a template when its field is selected. First
 * the elements tflow has always sent, in the order it always sent them (so a selection of only
 * those gives the templates of earlier versions byte for byte), then the other RouterOS fields
 * in the order of the RouterOS manual. Columns: IPFIX IPv4, IPFIX IPv6, v9 IPv4, v9 IPv6; 0 is
 * "not in that template".
 *
 * - ICMP type/code also go in icmpTypeCode (32, IPv6 139) whenever icmp-type or icmp-code is
 *   selected: nfdump reads them there. v9 lists 32 for ICMPv6 too: RFC 3954's ICMP_TYPE is not
 *   IPv4-only, and nfdump 1.7.1 ignores 139 in v9 and then zeroes the destination port of
 *   ICMPv6 flows, losing type and code.
 * - v9 carries times as sysUptime ms (22/21), the v9 header's own clock.
 * - ipVersion, flowDirection and (IPFIX) flowEndReason are tflow's own, always sent.
 * - IGMP is IPv4's; the IPv6 flow label is IPv6's.
 */
#define ALWAYS TF_N_FIELDS	   /* not a RouterOS field: in every template */
#define ICMP_ANY (TF_N_FIELDS + 1) /* icmp-type or icmp-code */
#define SAME(f, id)                    \
	{                              \
		f,                     \
		{                      \
			id, id, id, id \
		}                      \
	}
#define FAM(f, v4, v6)                 \
	{                              \
		f,                     \
		{                      \
			v4, v6, v4, v6 \
		}                      \
	}

enum { COL_IPFIX4, COL_IPFIX6, COL_V94, COL_V96 };

static const struct elem {
	unsigned int field;
	__u16 id[4];
} flow_elems[] = {
	FAM(TF_SRC_ADDRESS, IE_SOURCE_IPV4_ADDRESS, IE_SOURCE_IPV6_ADDRESS),
	FAM(TF_DST_ADDRESS, IE_DESTINATION_IPV4_ADDRESS, IE_DESTINATION_IPV6_ADDRESS),
	SAME(TF_SRC_PORT, IE_SOURCE_TRANSPORT_PORT),
	SAME(TF_DST_PORT, IE_DESTINATION_TRANSPORT_PORT),
	SAME(TF_PROTOCOL, IE_PROTOCOL_IDENTIFIER),
	SAME(TF_TOS, IE_IP_CLASS_OF_SERVICE),
	SAME(TF_TCP_FLAGS, IE_TCP_CONTROL_BITS),
	SAME(TF_IN_INTERFACE, IE_INGRESS_INTERFACE),
	SAME(TF_OUT_INTERFACE, IE_EGRESS_INTERFACE),
	SAME(TF_PACKETS, IE_PACKET_DELTA_COUNT),
	SAME(TF_BYTES, IE_OCTET_DELTA_COUNT),
	{ TF_FIRST_FORWARDED,
	  { IE_FLOW_START_MILLISECONDS, IE_FLOW_START_MILLISECONDS, IE_FLOW_START_SYS_UP_TIME,
	    IE_FLOW_START_SYS_UP_TIME } },
	{ TF_LAST_FORWARDED,
	  { IE_FLOW_END_MILLISECONDS, IE_FLOW_END_MILLISECONDS, IE_FLOW_END_SYS_UP_TIME,
	    IE_FLOW_END_SYS_UP_TIME } },
	{ ICMP_ANY,
	  { IE_ICMP_TYPE_CODE_IPV4, IE_ICMP_TYPE_CODE_IPV6, IE_ICMP_TYPE_CODE_IPV4,
	    IE_ICMP_TYPE_CODE_IPV4 } },
	SAME(ALWAYS, IE_IP_VERSION),
	SAME(ALWAYS, IE_FLOW_DIRECTION),
	SAME(TF_TTL, IE_IP_TTL),
	{ ALWAYS, { IE_FLOW_END_REASON, IE_FLOW_END_REASON, 0, 0 } },
	SAME(TF_TCP_SEQ_NUM, IE_TCP_SEQUENCE_NUMBER),
	SAME(TF_TCP_ACK_NUM, IE_TCP_ACKNOWLEDGEMENT_NUMBER),
	SAME(TF_TCP_WINDOW_SIZE, IE_TCP_WINDOW_SIZE),
	FAM(TF_ICMP_TYPE, IE_ICMP_TYPE_IPV4, IE_ICMP_TYPE_IPV6),
	FAM(TF_ICMP_CODE, IE_ICMP_CODE_IPV4, IE_ICMP_CODE_IPV6),
	FAM(TF_IGMP_TYPE, IE_IGMP_TYPE, 0),
	SAME(TF_SRC_MAC_ADDRESS, IE_SOURCE_MAC_ADDRESS),
	SAME(TF_DST_MAC_ADDRESS, IE_DESTINATION_MAC_ADDRESS),
	FAM(TF_SRC_ADDRESS_MASK, IE_SOURCE_IPV4_PREFIX_LENGTH, IE_SOURCE_IPV6_PREFIX_LENGTH),
	FAM(TF_DST_ADDRESS_MASK, IE_DESTINATION_IPV4_PREFIX_LENGTH,
	    IE_DESTINATION_IPV6_PREFIX_LENGTH),
	SAME(TF_IP_HEADER_LENGTH, IE_IP_HEADER_LENGTH),
	SAME(TF_IP_TOTAL_LENGTH, IE_IP_TOTAL_LENGTH),
	FAM(TF_IPV6_FLOW_LABEL, 0, IE_FLOW_LABEL_IPV6),
	SAME(TF_IS_MULTICAST, IE_IS_MULTICAST),
	SAME(TF_SYS_INIT_TIME, IE_SYSTEM_INIT_TIME_MILLISECONDS),
	FAM(TF_GATEWAY, IE_IP_NEXT_HOP_IPV4_ADDRESS, IE_IP_NEXT_HOP_IPV6_ADDRESS),
	FAM(TF_NAT_SRC_ADDRESS, IE_POST_NAT_SOURCE_IPV4_ADDRESS, IE_POST_NAT_SOURCE_IPV6_ADDRESS),
	FAM(TF_NAT_DST_ADDRESS, IE_POST_NAT_DESTINATION_IPV4_ADDRESS,
	    IE_POST_NAT_DESTINATION_IPV6_ADDRESS),
	SAME(TF_NAT_SRC_PORT, IE_POST_NAPT_SOURCE_TRANSPORT_PORT),
	SAME(TF_NAT_DST_PORT, IE_POST_NAPT_DESTINATION_TRANSPORT_PORT),
	SAME(TF_UDP_LENGTH, IE_UDP_MESSAGE_LENGTH),
};
_Static_assert(ARRAY_SIZE(flow_elems) <= IE_MAX_ELEMS, "a template holds every element");

/*
 * NAT event records (nat-events=yes): when, what, and the session before and after NAT. Pre-NAT
 * addresses and ports are the record's key, post-NAT ones its nat_* fields.
 */
static const __u16 nat4_ids[] = {
	IE_OBSERVATION_TIME_MILLISECONDS,
	IE_NAT_EVENT,
	IE_PROTOCOL_IDENTIFIER,
	IE_SOURCE_IPV4_ADDRESS,
	IE_DESTINATION_IPV4_ADDRESS,
	IE_SOURCE_TRANSPORT_PORT,
	IE_DESTINATION_TRANSPORT_PORT,
	IE_POST_NAT_SOURCE_IPV4_ADDRESS,
	IE_POST_NAT_DESTINATION_IPV4_ADDRESS,
	IE_POST_NAPT_SOURCE_TRANSPORT_PORT,
	IE_POST_NAPT_DESTINATION_TRANSPORT_PORT,
};

static const __u16 nat6_ids[] = {
	IE_OBSERVATION_TIME_MILLISECONDS,
	IE_NAT_EVENT,
	IE_PROTOCOL_IDENTIFIER,
	IE_SOURCE_IPV6_ADDRESS,
	IE_DESTINATION_IPV6_ADDRESS,
	IE_SOURCE_TRANSPORT_PORT,
	IE_DESTINATION_TRANSPORT_PORT,
	IE_POST_NAT_SOURCE_IPV6_ADDRESS,
	IE_POST_NAT_DESTINATION_IPV6_ADDRESS,
	IE_POST_NAPT_SOURCE_TRANSPORT_PORT,
	IE_POST_NAPT_DESTINATION_TRANSPORT_PORT,
};

static bool selected(const struct elem *e, __u64 sel)
{
	if (e->field == ALWAYS)
		return true;
	if (e->field == ICMP_ANY)
		return sel & (TF_BIT(TF_ICMP_TYPE) | TF_BIT(TF_ICMP_CODE));
	return sel & TF_BIT(e->field);
}

static void flow_template(struct ie_template *t, __u16 id, __u64 sel, int col, enum ie_format f)
{
	__u16 ids[IE_MAX_ELEMS];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(flow_elems); i++)
		if (flow_elems[i].id[col] && selected(&flow_elems[i], sel))
			ids[n++] = flow_elems[i].id[col];
	ie_template_init(t, id, ids, n, f);
}

void fields_layout(struct ie_layout *l, __u64 sel, enum ie_format f)
{
	bool v9 = f == IE_FMT_V9;

	memset(l, 0, sizeof(*l));
	l->fmt = f;
	flow_template(&l->flow4, IE_TMPL_FLOW4, sel, v9 ? COL_V94 : COL_IPFIX4, f);
	flow_template(&l->flow6, IE_TMPL_FLOW6, sel, v9 ? COL_V96 : COL_IPFIX6, f);
	if (sel & TF_BIT(TF_NAT_EVENTS)) {
		ie_template_init(&l->nat4, IE_TMPL_NAT4, nat4_ids, ARRAY_SIZE(nat4_ids), f);
		ie_template_init(&l->nat6, IE_TMPL_NAT6, nat6_ids, ARRAY_SIZE(nat6_ids), f);
	}
}
