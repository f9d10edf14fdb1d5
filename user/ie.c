/* ie.c - the one table of IPFIX/NetFlow v9 information elements, and the message builder. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "ie.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Sorted by id; names as in the IANA IPFIX registry. Lengths are the IPFIX ones. The single
 * exception is tcpControlBits: IPFIX says 2 octets (RFC 7125), NetFlow v9 says 1 (RFC 3954
 * TCP_FLAGS). The table holds 2, and ie_len() shortens it to 1 for v9.
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

static bool is_icmp(const struct tflow_record *r)
{
	return (r->key.family == 4 && r->key.proto == 1) ||
	       (r->key.family == 6 && r->key.proto == 58);
}

/* The value of a numeric element; v9 and IPFIX lists pick different time and ICMP elements. */
static __u64 field_value(const struct tflow_record *r, const struct enc_clock *clk, __u16 id)
{
	switch (id) {
	case IE_OCTET_DELTA_COUNT:
		return r->bytes;
	case IE_PACKET_DELTA_COUNT:
		return r->packets;
	case IE_PROTOCOL_IDENTIFIER:
		return r->key.proto;
	case IE_IP_CLASS_OF_SERVICE:
		return r->tos;
	case IE_TCP_CONTROL_BITS:
		return r->tcp_flags; /* IPFIX: 2 octets (RFC 7125); the datapath has the low 8 bits
				      */
	case IE_SOURCE_TRANSPORT_PORT:
		return ntohs(r->key.sport);
	case IE_DESTINATION_TRANSPORT_PORT:
		return ntohs(r->key.dport); /* ICMP: type * 256 + code, as collectors expect */
	case IE_INGRESS_INTERFACE:
		return r->in_ifindex;
	case IE_EGRESS_INTERFACE:
		return r->out_ifindex;
	case IE_FLOW_START_SYS_UP_TIME:
		return enc_uptime_ms(r->first_ns); /* the same base and wrap as the v9 header */
	case IE_FLOW_END_SYS_UP_TIME:
		return enc_uptime_ms(r->last_ns);
	case IE_FLOW_START_MILLISECONDS:
		return enc_real_ms(clk, r->first_ns);
	case IE_FLOW_END_MILLISECONDS:
		return enc_real_ms(clk, r->last_ns);
	case IE_ICMP_TYPE_CODE_IPV4: /* v9 lists it for ICMPv6 too (nf9.c says why) */
	case IE_ICMP_TYPE_CODE_IPV6:
		return is_icmp(r) ? ntohs(r->key.dport) : 0;
	case IE_IP_VERSION:
		return r->key.family;
	case IE_FLOW_DIRECTION:
		return r->key.dir;
	case IE_IP_TTL:
		return r->ttl;
	case IE_FLOW_END_REASON:
		return r->end_reason;
	}
	return 0;
}

void ie_put_record(__u8 *p, const struct tflow_record *r, const struct enc_clock *clk,
		   const __u16 *ids, size_t n, enum ie_format f)
{
	for (size_t i = 0; i < n; i++) {
		__u16 len = ie_len(ids[i], f);

		switch (ids[i]) {
		case IE_SOURCE_IPV4_ADDRESS:
			memcpy(p, r->key.src + 12, 4); /* v4-mapped key: network order already */
			break;
		case IE_DESTINATION_IPV4_ADDRESS:
			memcpy(p, r->key.dst + 12, 4);
			break;
		case IE_SOURCE_IPV6_ADDRESS:
			memcpy(p, r->key.src, 16);
			break;
		case IE_DESTINATION_IPV6_ADDRESS:
			memcpy(p, r->key.dst, 16);
			break;
		default:
			put_uint(p, field_value(r, clk, ids[i]), len);
		}
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

__u8 *ie_put_template(__u8 *p, const struct ie_template *t, enum ie_format f)
{
	put_be16(p, t->id);
	put_be16(p + 2, (__u16)t->n);
	return ie_put_field_specs(p + IE_TMPL_HDR_LEN, t->ids, t->n, f);
}

size_t ie_template_len(const struct ie_template *t)
{
	return IE_TMPL_HDR_LEN + t->n * IE_FIELD_SPEC_LEN;
}

/* ---- the message: sets on struct tmsg, padded as the format's encoder asked ---- */

#define TMSG_MAX_LEN 0xffff /* set lengths (and the IPFIX message length) are 16 bits */

int tmsg_init(struct tmsg *m, void *buf, size_t size, size_t hdr_len, enum ie_format fmt,
	      __u32 set_align)
{
	if (size < hdr_len)
		return -ENOSPC;
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size > TMSG_MAX_LEN ? TMSG_MAX_LEN : size;
	m->len = hdr_len;
	m->fmt = fmt;
	m->set_align = set_align;
	return 0;
}

static size_t pad_len(const struct tmsg *m, size_t set_len)
{
	return (m->set_align - set_len % m->set_align) % m->set_align;
}

/* Padding the open set needs when closed; the message always has room for it. */
static size_t close_cost(const struct tmsg *m)
{
	return m->set_off ? pad_len(m, m->len - m->set_off) : 0;
}

size_t tmsg_set_len(const struct tmsg *m, size_t body)
{
	size_t set = TMSG_SET_HDR_LEN + body;

	return set + pad_len(m, set);
}

bool tmsg_fits(const struct tmsg *m, size_t need)
{
	return m->len + close_cost(m) + need <= m->size;
}

void tmsg_close(struct tmsg *m, __u8 *end)
{
	size_t pad;

	m->len = end - m->buf;
	if (!m->set_off)
		return;
	pad = close_cost(m);
	memset(m->buf + m->len, 0, pad); /* v9: padding SHOULD be zeros */
	m->len += pad;
	put_be16(m->buf + m->set_off + 2, (__u16)(m->len - m->set_off));
	m->set_off = 0;
	m->set_id = 0;
}

__u8 *tmsg_open(struct tmsg *m, __u16 id)
{
	tmsg_close(m, m->buf + m->len);
	put_be16(m->buf + m->len, id);
	put_be16(m->buf + m->len + 2, 0); /* length: written by tmsg_close */
	m->set_off = m->len;
	m->set_id = id;
	m->len += TMSG_SET_HDR_LEN;
	return m->buf + m->len;
}

int tmsg_add_record(struct tmsg *m, const struct ie_template *t, const struct tflow_record *r,
		    const struct enc_clock *clk)
{
	size_t rec = ie_record_len(t->ids, t->n, m->fmt);
	bool same_set = m->set_off && m->set_id == t->id;
	size_t set_start, end;

	/* Where the record would end, and the padding its set would then need to close. */
	if (same_set) {
		set_start = m->set_off;
		end = m->len + rec;
	} else {
		set_start = m->len + close_cost(m);
		end = set_start + TMSG_SET_HDR_LEN + rec;
	}
	if (end + pad_len(m, end - set_start) > m->size)
		return -ENOSPC;

	if (!same_set)
		tmsg_open(m, t->id);
	ie_put_record(m->buf + m->len, r, clk, t->ids, t->n, m->fmt);
	m->len += rec;
	m->records++;
	m->data_records++;
	return 0;
}
