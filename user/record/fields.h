/* SPDX-License-Identifier: GPL-2.0-only */
/* fields.h - the RouterOS `/ip traffic-flow ipfix` field selection, shared by config and encoders.
 */
#ifndef TFLOW_FIELDS_H
#define TFLOW_FIELDS_H

#include <linux/types.h>

/* One bit per RouterOS field name, in the order of the RouterOS manual's list. */
enum tflow_field {
	TF_BYTES,
	TF_PACKETS,
	TF_SRC_ADDRESS,
	TF_DST_ADDRESS,
	TF_SRC_PORT,
	TF_DST_PORT,
	TF_PROTOCOL,
	TF_TOS,
	TF_TTL,
	TF_TCP_FLAGS,
	TF_TCP_SEQ_NUM,
	TF_TCP_ACK_NUM,
	TF_TCP_WINDOW_SIZE,
	TF_ICMP_TYPE,
	TF_ICMP_CODE,
	TF_IGMP_TYPE,
	TF_IN_INTERFACE,
	TF_OUT_INTERFACE,
	TF_SRC_MAC_ADDRESS,
	TF_DST_MAC_ADDRESS,
	TF_SRC_ADDRESS_MASK,
	TF_DST_ADDRESS_MASK,
	TF_IP_HEADER_LENGTH,
	TF_IP_TOTAL_LENGTH,
	TF_IPV6_FLOW_LABEL,
	TF_IS_MULTICAST,
	TF_FIRST_FORWARDED,
	TF_LAST_FORWARDED,
	TF_SYS_INIT_TIME,
	TF_GATEWAY,
	TF_NAT_SRC_ADDRESS,
	TF_NAT_DST_ADDRESS,
	TF_NAT_SRC_PORT,
	TF_NAT_DST_PORT,
	TF_NAT_EVENTS,
	TF_UDP_LENGTH,
	TF_N_FIELDS,
};

#define TF_BIT(f) (1ULL << (f))
#define TF_ALL (TF_BIT(TF_N_FIELDS) - 1)

/*
 * The fields whose elements tflow sent before the selection existed: their templates are those of
 * earlier tflow versions, followed by icmp-type/icmp-code's own elements (tests, benchmarks).
 */
#define TF_CLASSIC                                                                                 \
	(TF_BIT(TF_BYTES) | TF_BIT(TF_PACKETS) | TF_BIT(TF_SRC_ADDRESS) | TF_BIT(TF_DST_ADDRESS) | \
	 TF_BIT(TF_SRC_PORT) | TF_BIT(TF_DST_PORT) | TF_BIT(TF_PROTOCOL) | TF_BIT(TF_TOS) |        \
	 TF_BIT(TF_TTL) | TF_BIT(TF_TCP_FLAGS) | TF_BIT(TF_ICMP_TYPE) | TF_BIT(TF_ICMP_CODE) |     \
	 TF_BIT(TF_IN_INTERFACE) | TF_BIT(TF_OUT_INTERFACE) | TF_BIT(TF_FIRST_FORWARDED) |         \
	 TF_BIT(TF_LAST_FORWARDED))

/* Fields read from the first packet's headers: the datapath keeps them in tflow_ext. */
#define TF_EXT_MASK                                                                              \
	(TF_BIT(TF_TCP_SEQ_NUM) | TF_BIT(TF_TCP_ACK_NUM) | TF_BIT(TF_TCP_WINDOW_SIZE) |          \
	 TF_BIT(TF_IGMP_TYPE) | TF_BIT(TF_SRC_MAC_ADDRESS) | TF_BIT(TF_DST_MAC_ADDRESS) |        \
	 TF_BIT(TF_IP_HEADER_LENGTH) | TF_BIT(TF_IP_TOTAL_LENGTH) | TF_BIT(TF_IPV6_FLOW_LABEL) | \
	 TF_BIT(TF_UDP_LENGTH) | TF_BIT(TF_GATEWAY) | TF_BIT(TF_OUT_INTERFACE))
/* Fields that need the datapath's FIB lookup on a flow's first packet. */
#define TF_FIB_MASK (TF_BIT(TF_GATEWAY) | TF_BIT(TF_OUT_INTERFACE))
/* Fields userspace takes from conntrack. */
#define TF_NAT_MASK                                                                          \
	(TF_BIT(TF_NAT_SRC_ADDRESS) | TF_BIT(TF_NAT_DST_ADDRESS) | TF_BIT(TF_NAT_SRC_PORT) | \
	 TF_BIT(TF_NAT_DST_PORT))
/* Fields userspace takes from the routing table. */
#define TF_ROUTE_MASK (TF_BIT(TF_SRC_ADDRESS_MASK) | TF_BIT(TF_DST_ADDRESS_MASK))

/* The RouterOS name of field f ("tcp-seq-num"); NULL past the list. */
const char *fields_name(enum tflow_field f);

/* The field named s (or its alias, "ip-total-lenght"), or -EINVAL. */
int fields_find(const char *s);

#endif
