/* ie.c - the one table of IPFIX/NetFlow v9 information elements tflow exports. */
#include <stddef.h>
#include "ie.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Sorted by id; names as in the IANA IPFIX registry. Lengths are the IPFIX ones. The single
 * exception is tcpControlBits: IPFIX says 2 octets (RFC 7125), NetFlow v9 says 1 (RFC 3954
 * TCP_FLAGS). The table holds 2, and nf9.c shortens it to 1 where it builds its templates.
 */
static const struct ie_info ie_table[] = {
	{ IE_OCTET_DELTA_COUNT, 8, "octetDeltaCount" },
	{ IE_PACKET_DELTA_COUNT, 8, "packetDeltaCount" },
	{ IE_PROTOCOL_IDENTIFIER, 1, "protocolIdentifier" },
	{ IE_IP_CLASS_OF_SERVICE, 1, "ipClassOfService" },
	{ IE_TCP_CONTROL_BITS, 2, "tcpControlBits" },
	{ IE_SOURCE_TRANSPORT_PORT, 2, "sourceTransportPort" },
	{ IE_SOURCE_IPV4_ADDRESS, 4, "sourceIPv4Address" },
	{ IE_INGRESS_INTERFACE, 4, "ingressInterface" },
	{ IE_DESTINATION_TRANSPORT_PORT, 2, "destinationTransportPort" },
	{ IE_DESTINATION_IPV4_ADDRESS, 4, "destinationIPv4Address" },
	{ IE_EGRESS_INTERFACE, 4, "egressInterface" },
	{ IE_FLOW_END_SYS_UP_TIME, 4, "flowEndSysUpTime" },
	{ IE_FLOW_START_SYS_UP_TIME, 4, "flowStartSysUpTime" },
	{ IE_SOURCE_IPV6_ADDRESS, 16, "sourceIPv6Address" },
	{ IE_DESTINATION_IPV6_ADDRESS, 16, "destinationIPv6Address" },
	{ IE_ICMP_TYPE_CODE_IPV4, 2, "icmpTypeCodeIPv4" },
	{ IE_SAMPLING_INTERVAL, 4, "samplingInterval" },
	{ IE_SAMPLING_ALGORITHM, 1, "samplingAlgorithm" },
	{ IE_IP_VERSION, 1, "ipVersion" },
	{ IE_FLOW_DIRECTION, 1, "flowDirection" },
	{ IE_FLOW_END_REASON, 1, "flowEndReason" },
	{ IE_ICMP_TYPE_CODE_IPV6, 2, "icmpTypeCodeIPv6" },
	{ IE_OBSERVATION_DOMAIN_ID, 4, "observationDomainId" },
	{ IE_FLOW_START_MILLISECONDS, 8, "flowStartMilliseconds" },
	{ IE_FLOW_END_MILLISECONDS, 8, "flowEndMilliseconds" },
	{ IE_SYSTEM_INIT_TIME_MILLISECONDS, 8, "systemInitTimeMilliseconds" },
	{ IE_IP_TTL, 1, "ipTTL" },
	{ IE_SAMPLING_PACKET_INTERVAL, 4, "samplingPacketInterval" },
	{ IE_SAMPLING_PACKET_SPACE, 4, "samplingPacketSpace" },
};

const struct ie_info *ie_find(__u16 id)
{
	for (size_t i = 0; i < ARRAY_SIZE(ie_table); i++)
		if (ie_table[i].id == id)
			return &ie_table[i];
	return NULL;
}
