/* ipfix.c - IPFIX (RFC 7011) encoder: template, options template and data sets, no I/O. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "ipfix.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL

#define IPFIX_VERSION 10
#define IPFIX_SET_TEMPLATE 2	     /* set id of template records */
#define IPFIX_SET_OPTIONS_TEMPLATE 3 /* set id of options template records */
#define IPFIX_SET_HDR_LEN 4	     /* set id, length */
#define IPFIX_TMPL_HDR_LEN 4	     /* template id, field count */
#define IPFIX_OPT_TMPL_HDR_LEN 6     /* template id, field count, scope field count */
#define IPFIX_FIELD_SPEC_LEN 4	     /* IE id (enterprise bit clear), length */
#define IPFIX_MAX_LEN 0xffff	     /* the message length field is 16 bits */

/*
 * Sets are not padded: RFC 7011 makes padding optional, and every collector reads unaligned
 * records. Data templates: which fields, in which order; the lengths come from the IE table, so
 * the template and the records written from the same list cannot disagree.
 */
static const __u16 tmpl_v4[] = {
	IE_SOURCE_IPV4_ADDRESS,
	IE_DESTINATION_IPV4_ADDRESS,
	IE_SOURCE_TRANSPORT_PORT,
	IE_DESTINATION_TRANSPORT_PORT,
	IE_PROTOCOL_IDENTIFIER,
	IE_IP_CLASS_OF_SERVICE,
	IE_TCP_CONTROL_BITS,
	IE_INGRESS_INTERFACE,
	IE_EGRESS_INTERFACE,
	IE_PACKET_DELTA_COUNT,
	IE_OCTET_DELTA_COUNT,
	IE_FLOW_START_MILLISECONDS,
	IE_FLOW_END_MILLISECONDS,
	IE_ICMP_TYPE_CODE_IPV4,
	IE_IP_VERSION,
	IE_FLOW_DIRECTION,
	IE_IP_TTL,
	IE_FLOW_END_REASON,
};

static const __u16 tmpl_v6[] = {
	IE_SOURCE_IPV6_ADDRESS,
	IE_DESTINATION_IPV6_ADDRESS,
	IE_SOURCE_TRANSPORT_PORT,
	IE_DESTINATION_TRANSPORT_PORT,
	IE_PROTOCOL_IDENTIFIER,
	IE_IP_CLASS_OF_SERVICE,
	IE_TCP_CONTROL_BITS,
	IE_INGRESS_INTERFACE,
	IE_EGRESS_INTERFACE,
	IE_PACKET_DELTA_COUNT,
	IE_OCTET_DELTA_COUNT,
	IE_FLOW_START_MILLISECONDS,
	IE_FLOW_END_MILLISECONDS,
	IE_ICMP_TYPE_CODE_IPV6,
	IE_IP_VERSION,
	IE_FLOW_DIRECTION,
	IE_IP_TTL,
	IE_FLOW_END_REASON,
};

/* Options template 258: one scope field, then the sampling parameters and the boot time. */
static const __u16 tmpl_options[] = {
	IE_OBSERVATION_DOMAIN_ID,
	IE_SAMPLING_PACKET_INTERVAL,
	IE_SAMPLING_PACKET_SPACE,
	IE_SYSTEM_INIT_TIME_MILLISECONDS,
};
#define OPTIONS_SCOPE_FIELDS 1

/* Byte-wise stores: the buffer has no alignment guarantee, so no casts to wider types. */
static void put_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The low len bytes of v, big-endian. */
static void put_uint(__u8 *p, __u64 v, unsigned int len)
{
	while (len--) {
		p[len] = (__u8)v;
		v >>= 8;
	}
}

static __u16 field_len(__u16 id)
{
	return ie_find(id)->len; /* every id in the lists above is in the table (unit-tested) */
}

static size_t record_len(const __u16 *ids, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += field_len(ids[i]);
	return len;
}

static int is_icmp(const struct tflow_record *r)
{
	return (r->key.family == 4 && r->key.proto == 1) ||
	       (r->key.family == 6 && r->key.proto == 58);
}

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
		return r->tcp_flags; /* 2 octets (RFC 7125); the datapath has the low 8 bits */
	case IE_SOURCE_TRANSPORT_PORT:
		return ntohs(r->key.sport);
	case IE_DESTINATION_TRANSPORT_PORT:
		return ntohs(r->key.dport); /* ICMP: type * 256 + code, as collectors expect */
	case IE_INGRESS_INTERFACE:
		return r->in_ifindex;
	case IE_EGRESS_INTERFACE:
		return r->out_ifindex;
	case IE_FLOW_START_MILLISECONDS:
		return enc_real_ms(clk, r->first_ns);
	case IE_FLOW_END_MILLISECONDS:
		return enc_real_ms(clk, r->last_ns);
	case IE_ICMP_TYPE_CODE_IPV4:
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

static void put_record(__u8 *p, const struct tflow_record *r, const struct enc_clock *clk,
		       const __u16 *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		__u16 len = field_len(ids[i]);

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

static size_t template_len(size_t hdr, size_t n_fields)
{
	return hdr + n_fields * IPFIX_FIELD_SPEC_LEN;
}

static __u8 *put_field_specs(__u8 *p, const __u16 *ids, size_t n)
{
	for (size_t i = 0; i < n; i++, p += IPFIX_FIELD_SPEC_LEN) {
		put_be16(p, ids[i]);
		put_be16(p + 2, field_len(ids[i]));
	}
	return p;
}

static __u8 *put_template(__u8 *p, __u16 template_id, const __u16 *ids, size_t n)
{
	put_be16(p, template_id);
	put_be16(p + 2, (__u16)n);
	return put_field_specs(p + IPFIX_TMPL_HDR_LEN, ids, n);
}

static void set_open(struct tmsg *m, __u16 id)
{
	put_be16(m->buf + m->len, id);
	put_be16(m->buf + m->len + 2, 0); /* length: written by set_close */
	m->set_off = m->len;
	m->set_id = id;
	m->len += IPFIX_SET_HDR_LEN;
}

static void set_close(struct tmsg *m)
{
	if (!m->set_off)
		return;
	put_be16(m->buf + m->set_off + 2, (__u16)(m->len - m->set_off));
	m->set_off = 0;
	m->set_id = 0;
}

int ipfix_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
		__u32 domain_id)
{
	__u8 *p = buf;

	if (!m || !buf || !clk)
		return -EINVAL;
	if (size < IPFIX_HDR_LEN)
		return -ENOSPC;
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size > IPFIX_MAX_LEN ? IPFIX_MAX_LEN : size;
	m->len = IPFIX_HDR_LEN;
	put_be16(p + 0, IPFIX_VERSION);
	put_be16(p + 2, 0); /* length: written by ipfix_finish */
	put_be32(p + 4, (__u32)(clk->real_ns / NS_PER_S));
	put_be32(p + 8, sequence);
	put_be32(p + 12, domain_id);
	return 0;
}

int ipfix_add_templates(struct tmsg *m)
{
	size_t tmpl = template_len(IPFIX_TMPL_HDR_LEN, ARRAY_SIZE(tmpl_v4)) +
		      template_len(IPFIX_TMPL_HDR_LEN, ARRAY_SIZE(tmpl_v6));
	size_t opt = template_len(IPFIX_OPT_TMPL_HDR_LEN, ARRAY_SIZE(tmpl_options));
	__u8 *p;

	if (!m || !m->buf)
		return -EINVAL;
	if (m->len + 2 * IPFIX_SET_HDR_LEN + tmpl + opt > m->size)
		return -ENOSPC;
	set_close(m);

	set_open(m, IPFIX_SET_TEMPLATE);
	p = put_template(m->buf + m->len, IPFIX_TMPL_V4, tmpl_v4, ARRAY_SIZE(tmpl_v4));
	p = put_template(p, IPFIX_TMPL_V6, tmpl_v6, ARRAY_SIZE(tmpl_v6));
	m->len = p - m->buf;
	set_close(m);

	set_open(m, IPFIX_SET_OPTIONS_TEMPLATE);
	p = m->buf + m->len;
	put_be16(p, IPFIX_TMPL_OPTIONS);
	put_be16(p + 2, ARRAY_SIZE(tmpl_options)); /* field count, scope included */
	put_be16(p + 4, OPTIONS_SCOPE_FIELDS);
	p = put_field_specs(p + IPFIX_OPT_TMPL_HDR_LEN, tmpl_options, ARRAY_SIZE(tmpl_options));
	m->len = p - m->buf;
	set_close(m);
	m->records += 3;
	return 0;
}

int ipfix_add_options(struct tmsg *m, const struct enc_sampling *s, const struct enc_clock *clk,
		      __u32 domain_id)
{
	size_t body = record_len(tmpl_options, ARRAY_SIZE(tmpl_options));
	__u32 interval, space;
	__u8 *p;

	if (!m || !m->buf || !s || !clk)
		return -EINVAL;
	if (m->len + IPFIX_SET_HDR_LEN + body > m->size)
		return -ENOSPC;
	/* interval 0 means sampling off in the datapath: announce it as 1 sampled, 0 skipped */
	interval = s->interval ? s->interval : 1;
	space = s->interval ? s->space : 0;

	set_close(m);
	set_open(m, IPFIX_TMPL_OPTIONS);
	p = m->buf + m->len;
	put_uint(p, domain_id, field_len(IE_OBSERVATION_DOMAIN_ID));
	p += field_len(IE_OBSERVATION_DOMAIN_ID);
	put_uint(p, interval, field_len(IE_SAMPLING_PACKET_INTERVAL));
	p += field_len(IE_SAMPLING_PACKET_INTERVAL);
	put_uint(p, space, field_len(IE_SAMPLING_PACKET_SPACE));
	p += field_len(IE_SAMPLING_PACKET_SPACE);
	/* wall-clock ms of CLOCK_MONOTONIC 0, the base the datapath's timestamps count from */
	put_uint(p, enc_real_ms(clk, 0), field_len(IE_SYSTEM_INIT_TIME_MILLISECONDS));
	m->len += body;
	set_close(m);
	m->records++;
	m->data_records++;
	return 0;
}

int ipfix_add_record(struct tmsg *m, const struct tflow_record *r, const struct enc_clock *clk)
{
	const __u16 *ids;
	size_t n, need;
	__u16 id;

	if (!m || !m->buf || !r || !clk)
		return -EINVAL;
	if (r->key.family == 4) {
		id = IPFIX_TMPL_V4;
		ids = tmpl_v4;
		n = ARRAY_SIZE(tmpl_v4);
	} else if (r->key.family == 6) {
		id = IPFIX_TMPL_V6;
		ids = tmpl_v6;
		n = ARRAY_SIZE(tmpl_v6);
	} else {
		return -EINVAL;
	}
	need = record_len(ids, n);
	if (!m->set_off || m->set_id != id)
		need += IPFIX_SET_HDR_LEN;
	if (m->len + need > m->size)
		return -ENOSPC;

	if (!m->set_off || m->set_id != id) {
		set_close(m);
		set_open(m, id);
	}
	put_record(m->buf + m->len, r, clk, ids, n);
	m->len += record_len(ids, n);
	m->records++;
	m->data_records++;
	return 0;
}

size_t ipfix_finish(struct tmsg *m)
{
	set_close(m);
	put_be16(m->buf + 2, (__u16)m->len);
	return m->len;
}
