/* SPDX-License-Identifier: GPL-2.0-only */
/* ie.c - the one table of IPFIX/NetFlow v9 information elements; records written by template. */
#include <arpa/inet.h>
#include <string.h>
#include "util/bytes.h"
#include "export/ie.h"
#include "util/util.h"

/*
 * The one table of the elements tflow exports, sorted by id: X(id, octets, IANA name, value), the
 * value as ie_put_record() reads it from a record: V(e) a number written in the element's length,
 * A(e) an address copied as it is (network order already; an IPv4 one is the v4-mapped key's
 * last 4 bytes), OPT an element only options records carry (ie_put_value() writes those).
 *
 * Lengths are the IPFIX ones. The single exception is tcpControlBits: IPFIX says 2 octets (RFC
 * 7125), NetFlow v9 says 1 (RFC 3954 TCP_FLAGS). The table holds 2, and ie_len() shortens it to 1
 * for v9; the datapath has the low 8 bits. ipTotalLength is an unsigned64 sent in 2 octets
 * (reduced-size encoding, RFC 7011 section 6.2): the datapath reads the 16-bit length field of the
 * first packet. destinationTransportPort is type * 256 + code for ICMP, as collectors expect; v9
 * lists icmpTypeCodeIPv4 for ICMPv6 too (layout.c says why). The sysUpTime elements have the v9
 * header's base and wrap; systemInitTimeMilliseconds is CLOCK_MONOTONIC 0, the records' base;
 * observationTimeMilliseconds is when the event happened. ipHeaderLength is 40 for IPv6 (IANA:
 * "For IPv6, the value ... is 40").
 */
/* clang-format off */
#define IE_LIST(X)                                                                                 \
	X(IE_OCTET_DELTA_COUNT, 8, "octetDeltaCount", V(r->bytes))                                 \
	X(IE_PACKET_DELTA_COUNT, 8, "packetDeltaCount", V(r->packets))                             \
	X(IE_PROTOCOL_IDENTIFIER, 1, "protocolIdentifier", V(r->key.proto))                        \
	X(IE_IP_CLASS_OF_SERVICE, 1, "ipClassOfService", V(r->tos))                                \
	X(IE_TCP_CONTROL_BITS, 2, "tcpControlBits", V(r->tcp_flags))                               \
	X(IE_SOURCE_TRANSPORT_PORT, 2, "sourceTransportPort", V(ntohs(r->key.sport)))              \
	X(IE_SOURCE_IPV4_ADDRESS, 4, "sourceIPv4Address", A(r->key.src + 12))                      \
	X(IE_SOURCE_IPV4_PREFIX_LENGTH, 1, "sourceIPv4PrefixLength", V(r->src_mask))               \
	X(IE_INGRESS_INTERFACE, 4, "ingressInterface", V(r->in_ifindex))                           \
	X(IE_DESTINATION_TRANSPORT_PORT, 2, "destinationTransportPort", V(ntohs(r->key.dport)))    \
	X(IE_DESTINATION_IPV4_ADDRESS, 4, "destinationIPv4Address", A(r->key.dst + 12))            \
	X(IE_DESTINATION_IPV4_PREFIX_LENGTH, 1, "destinationIPv4PrefixLength", V(r->dst_mask))     \
	X(IE_EGRESS_INTERFACE, 4, "egressInterface", V(r->out_ifindex))                            \
	X(IE_IP_NEXT_HOP_IPV4_ADDRESS, 4, "ipNextHopIPv4Address", A(r->ext.gateway + 12))          \
	X(IE_FLOW_END_SYS_UP_TIME, 4, "flowEndSysUpTime", V(enc_uptime_ms(r->last_ns)))            \
	X(IE_FLOW_START_SYS_UP_TIME, 4, "flowStartSysUpTime", V(enc_uptime_ms(r->first_ns)))       \
	X(IE_SOURCE_IPV6_ADDRESS, 16, "sourceIPv6Address", A(r->key.src))                          \
	X(IE_DESTINATION_IPV6_ADDRESS, 16, "destinationIPv6Address", A(r->key.dst))                \
	X(IE_SOURCE_IPV6_PREFIX_LENGTH, 1, "sourceIPv6PrefixLength", V(r->src_mask))               \
	X(IE_DESTINATION_IPV6_PREFIX_LENGTH, 1, "destinationIPv6PrefixLength", V(r->dst_mask))     \
	X(IE_FLOW_LABEL_IPV6, 4, "flowLabelIPv6", V(r->ext.flow_label))                            \
	X(IE_ICMP_TYPE_CODE_IPV4, 2, "icmpTypeCodeIPv4", V(is_icmp(r) ? ntohs(r->key.dport) : 0))  \
	X(IE_IGMP_TYPE, 1, "igmpType", V(r->ext.igmp_type))                                        \
	X(IE_SAMPLING_INTERVAL, 4, "samplingInterval", OPT)                                        \
	X(IE_SAMPLING_ALGORITHM, 1, "samplingAlgorithm", OPT)                                      \
	X(IE_SOURCE_MAC_ADDRESS, 6, "sourceMacAddress", A(r->ext.src_mac))                         \
	X(IE_IP_VERSION, 1, "ipVersion", V(r->key.family))                                         \
	X(IE_FLOW_DIRECTION, 1, "flowDirection", V(r->key.dir))                                    \
	X(IE_IP_NEXT_HOP_IPV6_ADDRESS, 16, "ipNextHopIPv6Address", A(r->ext.gateway))              \
	X(IE_DESTINATION_MAC_ADDRESS, 6, "destinationMacAddress", A(r->ext.dst_mac))               \
	X(IE_INTERFACE_NAME, IE_IFNAME_LEN, "interfaceName", OPT)                                  \
	X(IE_FLOW_END_REASON, 1, "flowEndReason", V(r->end_reason))                                \
	X(IE_ICMP_TYPE_CODE_IPV6, 2, "icmpTypeCodeIPv6", V(is_icmp(r) ? ntohs(r->key.dport) : 0))  \
	X(IE_OBSERVATION_DOMAIN_ID, 4, "observationDomainId", OPT)                                 \
	X(IE_FLOW_START_MILLISECONDS, 8, "flowStartMilliseconds",                                  \
	  V(enc_real_ms(clk, r->first_ns)))                                                        \
	X(IE_FLOW_END_MILLISECONDS, 8, "flowEndMilliseconds", V(enc_real_ms(clk, r->last_ns)))     \
	X(IE_SYSTEM_INIT_TIME_MILLISECONDS, 8, "systemInitTimeMilliseconds",                       \
	  V(enc_real_ms(clk, 0)))                                                                  \
	X(IE_ICMP_TYPE_IPV4, 1, "icmpTypeIPv4", V(is_icmp(r) ? ntohs(r->key.dport) >> 8 : 0))      \
	X(IE_ICMP_CODE_IPV4, 1, "icmpCodeIPv4", V(is_icmp(r) ? ntohs(r->key.dport) & 0xff : 0))    \
	X(IE_ICMP_TYPE_IPV6, 1, "icmpTypeIPv6", V(is_icmp(r) ? ntohs(r->key.dport) >> 8 : 0))      \
	X(IE_ICMP_CODE_IPV6, 1, "icmpCodeIPv6", V(is_icmp(r) ? ntohs(r->key.dport) & 0xff : 0))    \
	X(IE_TCP_SEQUENCE_NUMBER, 4, "tcpSequenceNumber", V(r->ext.tcp_seq))                       \
	X(IE_TCP_ACKNOWLEDGEMENT_NUMBER, 4, "tcpAcknowledgementNumber", V(r->ext.tcp_ack))         \
	X(IE_TCP_WINDOW_SIZE, 2, "tcpWindowSize", V(r->ext.tcp_win))                               \
	X(IE_IP_HEADER_LENGTH, 1, "ipHeaderLength",                                                \
	  V(r->key.family == 6 ? 40 : r->ext.ip_hdr_len))                                          \
	X(IE_IP_TTL, 1, "ipTTL", V(r->ttl))                                                        \
	X(IE_UDP_MESSAGE_LENGTH, 2, "udpMessageLength", V(r->ext.udp_len))                         \
	X(IE_IS_MULTICAST, 1, "isMulticast", V(multicast_flags(r)))                                \
	X(IE_IP_TOTAL_LENGTH, 2, "ipTotalLength", V(r->ext.ip_tot_len))                            \
	X(IE_POST_NAT_SOURCE_IPV4_ADDRESS, 4, "postNATSourceIPv4Address",                          \
	  A(nat_addr(r, r->nat_src) + 12))                                                         \
	X(IE_POST_NAT_DESTINATION_IPV4_ADDRESS, 4, "postNATDestinationIPv4Address",                \
	  A(nat_addr(r, r->nat_dst) + 12))                                                         \
	X(IE_POST_NAPT_SOURCE_TRANSPORT_PORT, 2, "postNAPTSourceTransportPort",                    \
	  V(nat_port(r, r->nat_sport)))                                                            \
	X(IE_POST_NAPT_DESTINATION_TRANSPORT_PORT, 2, "postNAPTDestinationTransportPort",          \
	  V(nat_port(r, r->nat_dport)))                                                            \
	X(IE_NAT_EVENT, 1, "natEvent", V(r->nat_event))                                            \
	X(IE_POST_NAT_SOURCE_IPV6_ADDRESS, 16, "postNATSourceIPv6Address",                         \
	  A(nat_addr(r, r->nat_src)))                                                              \
	X(IE_POST_NAT_DESTINATION_IPV6_ADDRESS, 16, "postNATDestinationIPv6Address",               \
	  A(nat_addr(r, r->nat_dst)))                                                              \
	X(IE_SAMPLING_PACKET_INTERVAL, 4, "samplingPacketInterval", OPT)                           \
	X(IE_SAMPLING_PACKET_SPACE, 4, "samplingPacketSpace", OPT)                                 \
	X(IE_OBSERVATION_TIME_MILLISECONDS, 8, "observationTimeMilliseconds",                      \
	  V(enc_real_ms(clk, r->last_ns)))
/* clang-format on */

#define IE_INFO(id, len, name, value) { id, len, name },
static const struct ie_info ie_table[] = { IE_LIST(IE_INFO) };

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

/* A case of ie_put_record()'s switch for each element of IE_LIST: its value into v or bytes. */
#define V(e) v = (e)
#define A(e) bytes = (e)
#define OPT
#define IE_CASE(id, octets, name, value) \
	case id:                         \
		value;                   \
		break;

void ie_put_record(__u8 *p, const struct tflow_record *r, const struct enc_clock *clk,
		   const struct ie_template *t)
{
	for (unsigned int i = 0; i < t->n; i++) {
		unsigned int len = t->lens[i];
		const __u8 *bytes = NULL; /* an address: copied as it is, network order already */
		__u64 v = 0;

		switch (t->ids[i]) {
			IE_LIST(IE_CASE)
		}
		if (bytes)
			memcpy(p, bytes, len);
		else
			put_uint(p, v, len);
		p += len;
	}
}
#undef IE_CASE
#undef OPT
#undef A
#undef V

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
