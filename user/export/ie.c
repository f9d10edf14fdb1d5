/* ie.c - the one table of IPFIX/NetFlow v9 information elements; records written by template. */
#include <arpa/inet.h>
#include <string.h>
#include "util/bytes.h"
#include "export/ie.h"
#include "util/util.h"

/*
 * Sorted by id; names as in the IANA IPFIX registry. Lengths are the IPFIX ones. The single
 * exception is tcpControlBits: IPFIX says 2 octets (RFC 7125), NetFlow v9 says 1 (RFC 3954
 * TCP_FLAGS). The table holds 2, and ie_len() shortens it to 1 for v9. ipTotalLength is an
 * unsigned64 sent in 2 octets (reduced-size encoding, RFC 7011 section 6.2): the datapath reads
 * the 16-bit length field of the first packet.
 */
static const struct ie_info ie_table[] = {
	{ IE_OCTET_DELTA_COUNT, 8, "octetDeltaCount" },
	{ IE_PACKET_DELTA_COUNT, 8, "packetDeltaCount" },
	{ IE_PROTOCOL_IDENTIFIER, 1, "protocolIdentifier" },
	{ IE_IP_CLASS_OF_SERVICE, 1, "ipClassOfService" },
	{ IE_TCP_CONTROL_BITS, 2, "tcpControlBits" },
	{ IE_SOURCE_TRANSPORT_PORT, 2, "sourceTransportPort" },
	{ IE_SOURCE_IPV4_ADDRESS, 4, "sourceIPv4Address" },
	{ IE_SOURCE_IPV4_PREFIX_LENGTH, 1, "sourceIPv4PrefixLength" },
	{ IE_INGRESS_INTERFACE, 4, "ingressInterface" },
	{ IE_DESTINATION_TRANSPORT_PORT, 2, "destinationTransportPort" },
	{ IE_DESTINATION_IPV4_ADDRESS, 4, "destinationIPv4Address" },
	{ IE_DESTINATION_IPV4_PREFIX_LENGTH, 1, "destinationIPv4PrefixLength" },
	{ IE_EGRESS_INTERFACE, 4, "egressInterface" },
	{ IE_IP_NEXT_HOP_IPV4_ADDRESS, 4, "ipNextHopIPv4Address" },
	{ IE_FLOW_END_SYS_UP_TIME, 4, "flowEndSysUpTime" },
	{ IE_FLOW_START_SYS_UP_TIME, 4, "flowStartSysUpTime" },
	{ IE_SOURCE_IPV6_ADDRESS, 16, "sourceIPv6Address" },
	{ IE_DESTINATION_IPV6_ADDRESS, 16, "destinationIPv6Address" },
	{ IE_SOURCE_IPV6_PREFIX_LENGTH, 1, "sourceIPv6PrefixLength" },
	{ IE_DESTINATION_IPV6_PREFIX_LENGTH, 1, "destinationIPv6PrefixLength" },
	{ IE_FLOW_LABEL_IPV6, 4, "flowLabelIPv6" },
	{ IE_ICMP_TYPE_CODE_IPV4, 2, "icmpTypeCodeIPv4" },
	{ IE_IGMP_TYPE, 1, "igmpType" },
	{ IE_SAMPLING_INTERVAL, 4, "samplingInterval" },
	{ IE_SAMPLING_ALGORITHM, 1, "samplingAlgorithm" },
	{ IE_SOURCE_MAC_ADDRESS, 6, "sourceMacAddress" },
	{ IE_IP_VERSION, 1, "ipVersion" },
	{ IE_FLOW_DIRECTION, 1, "flowDirection" },
	{ IE_IP_NEXT_HOP_IPV6_ADDRESS, 16, "ipNextHopIPv6Address" },
	{ IE_DESTINATION_MAC_ADDRESS, 6, "destinationMacAddress" },
	{ IE_INTERFACE_NAME, IE_IFNAME_LEN, "interfaceName" },
	{ IE_FLOW_END_REASON, 1, "flowEndReason" },
	{ IE_ICMP_TYPE_CODE_IPV6, 2, "icmpTypeCodeIPv6" },
	{ IE_OBSERVATION_DOMAIN_ID, 4, "observationDomainId" },
	{ IE_FLOW_START_MILLISECONDS, 8, "flowStartMilliseconds" },
	{ IE_FLOW_END_MILLISECONDS, 8, "flowEndMilliseconds" },
	{ IE_SYSTEM_INIT_TIME_MILLISECONDS, 8, "systemInitTimeMilliseconds" },
	{ IE_ICMP_TYPE_IPV4, 1, "icmpTypeIPv4" },
	{ IE_ICMP_CODE_IPV4, 1, "icmpCodeIPv4" },
	{ IE_ICMP_TYPE_IPV6, 1, "icmpTypeIPv6" },
	{ IE_ICMP_CODE_IPV6, 1, "icmpCodeIPv6" },
	{ IE_TCP_SEQUENCE_NUMBER, 4, "tcpSequenceNumber" },
	{ IE_TCP_ACKNOWLEDGEMENT_NUMBER, 4, "tcpAcknowledgementNumber" },
	{ IE_TCP_WINDOW_SIZE, 2, "tcpWindowSize" },
	{ IE_IP_HEADER_LENGTH, 1, "ipHeaderLength" },
	{ IE_IP_TTL, 1, "ipTTL" },
	{ IE_UDP_MESSAGE_LENGTH, 2, "udpMessageLength" },
	{ IE_IS_MULTICAST, 1, "isMulticast" },
	{ IE_IP_TOTAL_LENGTH, 2, "ipTotalLength" },
	{ IE_POST_NAT_SOURCE_IPV4_ADDRESS, 4, "postNATSourceIPv4Address" },
	{ IE_POST_NAT_DESTINATION_IPV4_ADDRESS, 4, "postNATDestinationIPv4Address" },
	{ IE_POST_NAPT_SOURCE_TRANSPORT_PORT, 2, "postNAPTSourceTransportPort" },
	{ IE_POST_NAPT_DESTINATION_TRANSPORT_PORT, 2, "postNAPTDestinationTransportPort" },
	{ IE_NAT_EVENT, 1, "natEvent" },
	{ IE_POST_NAT_SOURCE_IPV6_ADDRESS, 16, "postNATSourceIPv6Address" },
	{ IE_POST_NAT_DESTINATION_IPV6_ADDRESS, 16, "postNATDestinationIPv6Address" },
	{ IE_SAMPLING_PACKET_INTERVAL, 4, "samplingPacketInterval" },
	{ IE_SAMPLING_PACKET_SPACE, 4, "samplingPacketSpace" },
	{ IE_OBSERVATION_TIME_MILLISECONDS, 8, "observationTimeMilliseconds" },
};

const struct ie_info *ie_find(__u16 id)
{
	for (size_t i = 0; i < ARRAY_SIZE(ie_table); i++)
		if (ie_table[i].id == id)
			return &ie_table[i];
	return NULL;
}

__u16 ie_len(__u16 id, enum ie_format f)
{
	if (f == IE_FMT_V9 && id == IE_TCP_CONTROL_BITS)
		return 1;
	return ie_find(id)->len; /* every id the encoders list is in the table (unit-tested) */
}

size_t ie_record_len(const __u16 *ids, size_t n, enum ie_format f)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += ie_len(ids[i], f);
	return len;
}

__u8 *ie_put_value(__u8 *p, __u16 id, __u64 v, enum ie_format f)
{
	__u16 len = ie_len(id, f);

	put_uint(p, v, len);
	return p + len;
}

void ie_template_init(struct ie_template *t, __u16 id, const __u16 *ids, size_t n, enum ie_format f)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	for (size_t i = 0; i < n && i < IE_MAX_ELEMS; i++, t->n++) {
		t->ids[i] = ids[i];
		t->lens[i] = (__u8)ie_len(ids[i], f);
		t->rec_len += t->lens[i];
	}
}

static bool is_icmp(const struct tflow_record *r)
{
	return (r->key.family == 4 && r->key.proto == 1) ||
	       (r->key.family == 6 && r->key.proto == 58);
}

/*
 * isMulticast (206) as the IANA registry's text defines it: 0x80 for an IPv4 multicast
 * destination (224.0.0.0/4); for an IPv6 one (ff00::/8) the T flag at 0x10 and the scope in the
 * low 4 bits, which is exactly the low 5 bits of the address's second byte (flags, scope).
 */
static __u8 multicast_flags(const struct tflow_record *r)
{
	const __u8 *d = r->key.dst;

	if (r->key.family == 4)
		return (d[12] & 0xf0) == 0xe0 ? 0x80 : 0;
	return d[0] == 0xff ? d[1] & 0x1f : 0;
}

/* NAT addresses and ports: those of the record, zeros for a flow no conntrack entry matched. */
static const __u8 zero16[16];

static const __u8 *nat_addr(const struct tflow_record *r, const __u8 *a)
{
	return r->has_nat || r->nat_event ? a : zero16;
}

static __u16 nat_port(const struct tflow_record *r, __be16 port)
{
	return r->has_nat || r->nat_event ? ntohs(port) : 0;
}

void ie_put_record(__u8 *p, const struct tflow_record *r, const struct enc_clock *clk,
		   const struct ie_template *t)
{
	for (unsigned int i = 0; i < t->n; i++) {
		unsigned int len = t->lens[i];
		const __u8 *bytes = NULL; /* an address: copied as it is, network order already */
		__u64 v = 0;

		switch (t->ids[i]) {
		case IE_OCTET_DELTA_COUNT:
			v = r->bytes;
			break;
		case IE_PACKET_DELTA_COUNT:
			v = r->packets;
			break;
		case IE_PROTOCOL_IDENTIFIER:
			v = r->key.proto;
			break;
		case IE_IP_CLASS_OF_SERVICE:
			v = r->tos;
			break;
		case IE_TCP_CONTROL_BITS: /* IPFIX: 2 octets; the datapath has the low 8 bits */
			v = r->tcp_flags;
			break;
		case IE_SOURCE_TRANSPORT_PORT:
			v = ntohs(r->key.sport);
			break;
		case IE_DESTINATION_TRANSPORT_PORT: /* ICMP: type * 256 + code, as collectors expect
						     */
			v = ntohs(r->key.dport);
			break;
		case IE_SOURCE_IPV4_ADDRESS: /* v4-mapped key */
			bytes = r->key.src + 12;
			break;
		case IE_DESTINATION_IPV4_ADDRESS:
			bytes = r->key.dst + 12;
			break;
		case IE_SOURCE_IPV6_ADDRESS:
			bytes = r->key.src;
			break;
		case IE_DESTINATION_IPV6_ADDRESS:
			bytes = r->key.dst;
			break;
		case IE_INGRESS_INTERFACE:
			v = r->in_ifindex;
			break;
		case IE_EGRESS_INTERFACE:
			v = r->out_ifindex;
			break;
		case IE_FLOW_START_SYS_UP_TIME: /* the same base and wrap as the v9 header */
			v = enc_uptime_ms(r->first_ns);
			break;
		case IE_FLOW_END_SYS_UP_TIME:
			v = enc_uptime_ms(r->last_ns);
			break;
		case IE_FLOW_START_MILLISECONDS:
			v = enc_real_ms(clk, r->first_ns);
			break;
		case IE_FLOW_END_MILLISECONDS:
			v = enc_real_ms(clk, r->last_ns);
			break;
		case IE_ICMP_TYPE_CODE_IPV4: /* v9 lists it for ICMPv6 too (layout.c says why) */
		case IE_ICMP_TYPE_CODE_IPV6:
			v = is_icmp(r) ? ntohs(r->key.dport) : 0;
			break;
		case IE_ICMP_TYPE_IPV4:
		case IE_ICMP_TYPE_IPV6:
			v = is_icmp(r) ? ntohs(r->key.dport) >> 8 : 0;
			break;
		case IE_ICMP_CODE_IPV4:
		case IE_ICMP_CODE_IPV6:
			v = is_icmp(r) ? ntohs(r->key.dport) & 0xff : 0;
			break;
		case IE_IP_VERSION:
			v = r->key.family;
			break;
		case IE_FLOW_DIRECTION:
			v = r->key.dir;
			break;
		case IE_IP_TTL:
			v = r->ttl;
			break;
		case IE_FLOW_END_REASON:
			v = r->end_reason;
			break;
		case IE_TCP_SEQUENCE_NUMBER:
			v = r->ext.tcp_seq;
			break;
		case IE_TCP_ACKNOWLEDGEMENT_NUMBER:
			v = r->ext.tcp_ack;
			break;
		case IE_TCP_WINDOW_SIZE:
			v = r->ext.tcp_win;
			break;
		case IE_IGMP_TYPE:
			v = r->ext.igmp_type;
			break;
		case IE_SOURCE_MAC_ADDRESS:
			bytes = r->ext.src_mac;
			break;
		case IE_DESTINATION_MAC_ADDRESS:
			bytes = r->ext.dst_mac;
			break;
		case IE_SOURCE_IPV4_PREFIX_LENGTH:
		case IE_SOURCE_IPV6_PREFIX_LENGTH:
			v = r->src_mask;
			break;
		case IE_DESTINATION_IPV4_PREFIX_LENGTH:
		case IE_DESTINATION_IPV6_PREFIX_LENGTH:
			v = r->dst_mask;
			break;
		case IE_IP_HEADER_LENGTH: /* IANA: "For IPv6, the value ... is 40" */
			v = r->key.family == 6 ? 40 : r->ext.ip_hdr_len;
			break;
		case IE_IP_TOTAL_LENGTH:
			v = r->ext.ip_tot_len;
			break;
		case IE_FLOW_LABEL_IPV6:
			v = r->ext.flow_label;
			break;
		case IE_IS_MULTICAST:
			v = multicast_flags(r);
			break;
		case IE_SYSTEM_INIT_TIME_MILLISECONDS: /* CLOCK_MONOTONIC 0, the records' base */
			v = enc_real_ms(clk, 0);
			break;
		case IE_IP_NEXT_HOP_IPV4_ADDRESS:
			bytes = r->ext.gateway + 12;
			break;
		case IE_IP_NEXT_HOP_IPV6_ADDRESS:
			bytes = r->ext.gateway;
			break;
		case IE_POST_NAT_SOURCE_IPV4_ADDRESS:
			bytes = nat_addr(r, r->nat_src) + 12;
			break;
		case IE_POST_NAT_DESTINATION_IPV4_ADDRESS:
			bytes = nat_addr(r, r->nat_dst) + 12;
			break;
		case IE_POST_NAT_SOURCE_IPV6_ADDRESS:
			bytes = nat_addr(r, r->nat_src);
			break;
		case IE_POST_NAT_DESTINATION_IPV6_ADDRESS:
			bytes = nat_addr(r, r->nat_dst);
			break;
		case IE_POST_NAPT_SOURCE_TRANSPORT_PORT:
			v = nat_port(r, r->nat_sport);
			break;
		case IE_POST_NAPT_DESTINATION_TRANSPORT_PORT:
			v = nat_port(r, r->nat_dport);
			break;
		case IE_UDP_MESSAGE_LENGTH:
			v = r->ext.udp_len;
			break;
		case IE_NAT_EVENT:
			v = r->nat_event;
			break;
		case IE_OBSERVATION_TIME_MILLISECONDS: /* when the event happened */
			v = enc_real_ms(clk, r->last_ns);
			break;
		}
		if (bytes)
			memcpy(p, bytes, len);
		else
			put_uint(p, v, len);
		p += len;
	}
}

__u8 *ie_put_field_specs(__u8 *p, const __u16 *ids, size_t n, enum ie_format f)
{
	for (size_t i = 0; i < n; i++, p += IE_FIELD_SPEC_LEN) {
		put_be16(p, ids[i]);
		put_be16(p + 2, ie_len(ids[i], f));
	}
	return p;
}

__u8 *ie_put_template(__u8 *p, const struct ie_template *t)
{
	put_be16(p, t->id);
	put_be16(p + 2, t->n);
	p += IE_TMPL_HDR_LEN;
	for (unsigned int i = 0; i < t->n; i++, p += IE_FIELD_SPEC_LEN) {
		put_be16(p, t->ids[i]);
		put_be16(p + 2, t->lens[i]);
	}
	return p;
}

size_t ie_template_len(const struct ie_template *t)
{
	return IE_TMPL_HDR_LEN + t->n * IE_FIELD_SPEC_LEN;
}

const struct ie_template *ie_layout_pick(const struct ie_layout *l, const struct tflow_record *r)
{
	const struct ie_template *t;

	if (r->key.family == 4)
		t = r->nat_event ? &l->nat4 : &l->flow4;
	else if (r->key.family == 6)
		t = r->nat_event ? &l->nat6 : &l->flow6;
	else
		return NULL;
	return t->n ? t : NULL;
}

int ie_layout_list(const struct ie_layout *l, const struct ie_template *out[4])
{
	int n = 0;

	out[n++] = &l->flow4;
	out[n++] = &l->flow6;
	if (l->nat4.n) {
		out[n++] = &l->nat4;
		out[n++] = &l->nat6;
	}
	return n;
}
