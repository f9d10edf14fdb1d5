/* SPDX-License-Identifier: GPL-2.0-only */
/* fields.c - the RouterOS `/ip traffic-flow ipfix` field names. */
#include <errno.h>
#include <string.h>
#include "record/fields.h"

static const char *const names[TF_N_FIELDS] = {
	[TF_BYTES] = "bytes",
	[TF_PACKETS] = "packets",
	[TF_SRC_ADDRESS] = "src-address",
	[TF_DST_ADDRESS] = "dst-address",
	[TF_SRC_PORT] = "src-port",
	[TF_DST_PORT] = "dst-port",
	[TF_PROTOCOL] = "protocol",
	[TF_TOS] = "tos",
	[TF_TTL] = "ttl",
	[TF_TCP_FLAGS] = "tcp-flags",
	[TF_TCP_SEQ_NUM] = "tcp-seq-num",
	[TF_TCP_ACK_NUM] = "tcp-ack-num",
	[TF_TCP_WINDOW_SIZE] = "tcp-window-size",
	[TF_ICMP_TYPE] = "icmp-type",
	[TF_ICMP_CODE] = "icmp-code",
	[TF_IGMP_TYPE] = "igmp-type",
	[TF_IN_INTERFACE] = "in-interface",
	[TF_OUT_INTERFACE] = "out-interface",
	[TF_SRC_MAC_ADDRESS] = "src-mac-address",
	[TF_DST_MAC_ADDRESS] = "dst-mac-address",
	[TF_SRC_ADDRESS_MASK] = "src-address-mask",
	[TF_DST_ADDRESS_MASK] = "dst-address-mask",
	[TF_IP_HEADER_LENGTH] = "ip-header-length",
	[TF_IP_TOTAL_LENGTH] = "ip-total-length",
	[TF_IPV6_FLOW_LABEL] = "ipv6-flow-label",
	[TF_IS_MULTICAST] = "is-multicast",
	[TF_FIRST_FORWARDED] = "first-forwarded",
	[TF_LAST_FORWARDED] = "last-forwarded",
	[TF_SYS_INIT_TIME] = "sys-init-time",
	[TF_GATEWAY] = "gateway",
	[TF_NAT_SRC_ADDRESS] = "nat-src-address",
	[TF_NAT_DST_ADDRESS] = "nat-dst-address",
	[TF_NAT_SRC_PORT] = "nat-src-port",
	[TF_NAT_DST_PORT] = "nat-dst-port",
	[TF_NAT_EVENTS] = "nat-events",
	[TF_UDP_LENGTH] = "udp-length",
};

const char *fields_name(enum tflow_field f)
{
	return (unsigned int)f < TF_N_FIELDS ? names[f] : NULL;
}

int fields_find(const char *s)
{
	for (int f = 0; f < TF_N_FIELDS; f++)
		if (!strcmp(s, names[f]))
			return f;
	/* One RouterOS manual page spells it so; a config written from it must still load. */
	if (!strcmp(s, "ip-total-lenght"))
		return TF_IP_TOTAL_LENGTH;
	return -EINVAL;
}
