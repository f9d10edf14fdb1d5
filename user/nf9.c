/* nf9.c - NetFlow v9 (RFC 3954) encoder: template, options and data FlowSets, no I/O. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "nf9.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL

#define NF9_VERSION 9
#define NF9_SET_TEMPLATE 0	   /* FlowSet id of template records */
#define NF9_SET_OPTIONS_TEMPLATE 1 /* FlowSet id of options template records */
#define NF9_SET_HDR_LEN 4	   /* FlowSet id, length */
#define NF9_TMPL_HDR_LEN 4	   /* template id, field count */
#define NF9_OPT_TMPL_HDR_LEN 6	   /* template id, option scope length, option length */
#define NF9_FIELD_SPEC_LEN 4	   /* field type, field length */
#define NF9_SCOPE_SYSTEM 1	   /* options scope field type "System" */
#define NF9_SCOPE_SYSTEM_LEN 4	   /* its value: the source id */
#define NF9_ALIGN 4		   /* FlowSets SHOULD start on a 4-byte boundary (RFC 3954 5.3) */
#define NF9_MAX_LEN 0xffff	   /* a FlowSet length is 16 bits; so is a UDP datagram */

/*
 * SAMPLING_ALGORITHM: RFC 3954 defines 1 deterministic and 2 random; RouterOS-style sampling
 * (count I, skip S) is deterministic. With sampling off tflow sends interval 1 and algorithm 0,
 * which tshark decodes as "No sampling mode configured". Collectors scale by the interval alone:
 * pmacct 1.7.7 (nfacctd_renormalize) ignores the algorithm; nfdump 1.7.1 ignores 34/35
 * altogether (it does scale v9 counts announced with 305/306).
 */
#define NF9_SAMPLING_NONE 0
#define NF9_SAMPLING_DETERMINISTIC 1

/*
 * Data templates: which fields, in which order. The lengths come from the IE table, so the
 * template and the records written from the same list cannot disagree.
 *
 * Both templates carry ICMP type/code as field 32: RFC 3954's ICMP_TYPE is not IPv4-only, and
 * nfdump 1.7.1 ignores 139 (icmpTypeCodeIPv6) in v9 and then zeroes the destination port of
 * ICMPv6 flows, losing type and code. IPFIX uses 139 for IPv6 as IANA says.
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
	IE_FLOW_START_SYS_UP_TIME,
	IE_FLOW_END_SYS_UP_TIME,
	IE_ICMP_TYPE_CODE_IPV4,
	IE_IP_VERSION,
	IE_FLOW_DIRECTION,
	IE_IP_TTL,
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
	IE_FLOW_START_SYS_UP_TIME,
	IE_FLOW_END_SYS_UP_TIME,
	IE_ICMP_TYPE_CODE_IPV4, /* v9 ICMP_TYPE, for ICMPv6 too: see above */
	IE_IP_VERSION,
	IE_FLOW_DIRECTION,
	IE_IP_TTL,
};

/* Options template 258: after the System scope. */
static const __u16 tmpl_options[] = { IE_SAMPLING_INTERVAL, IE_SAMPLING_ALGORITHM };

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

/* The low len bytes of v, big-endian: a wider value is truncated, as sysUptime ms are. */
static void put_uint(__u8 *p, __u64 v, unsigned int len)
{
	while (len--) {
		p[len] = (__u8)v;
		v >>= 8;
	}
}

static size_t pad_to_align(size_t n)
{
	return (NF9_ALIGN - n % NF9_ALIGN) % NF9_ALIGN;
}

/* v9 length of an element: the table's, except TCP_FLAGS, 1 octet in RFC 3954. */
static __u16 field_len(__u16 id)
{
	if (id == IE_TCP_CONTROL_BITS)
		return 1;
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

static __u64 field_value(const struct tflow_record *r, __u16 id)
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
		return r->tcp_flags;
	case IE_SOURCE_TRANSPORT_PORT:
		return ntohs(r->key.sport);
	case IE_DESTINATION_TRANSPORT_PORT:
		return ntohs(r->key.dport); /* ICMP: type * 256 + code, as collectors expect */
	case IE_INGRESS_INTERFACE:
		return r->in_ifindex;
	case IE_EGRESS_INTERFACE:
		return r->out_ifindex;
	case IE_FLOW_START_SYS_UP_TIME:
		return r->first_ns / NS_PER_MS; /* truncated to 32 bits like the header sysUptime */
	case IE_FLOW_END_SYS_UP_TIME:
		return r->last_ns / NS_PER_MS;
	case IE_ICMP_TYPE_CODE_IPV4: /* ICMP and ICMPv6 (v9 ICMP_TYPE) */
		return is_icmp(r) ? ntohs(r->key.dport) : 0;
	case IE_IP_VERSION:
		return r->key.family;
	case IE_FLOW_DIRECTION:
		return r->key.dir;
	case IE_IP_TTL:
		return r->ttl;
	}
	return 0;
}

static void put_record(__u8 *p, const struct tflow_record *r, const __u16 *ids, size_t n)
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
			put_uint(p, field_value(r, ids[i]), len);
		}
		p += len;
	}
}

static size_t template_len(size_t n_fields)
{
	return NF9_TMPL_HDR_LEN + n_fields * NF9_FIELD_SPEC_LEN;
}

static __u8 *put_field_specs(__u8 *p, const __u16 *ids, size_t n)
{
	for (size_t i = 0; i < n; i++, p += NF9_FIELD_SPEC_LEN) {
		put_be16(p, ids[i]);
		put_be16(p + 2, field_len(ids[i]));
	}
	return p;
}

static __u8 *put_template(__u8 *p, __u16 template_id, const __u16 *ids, size_t n)
{
	put_be16(p, template_id);
	put_be16(p + 2, (__u16)n);
	return put_field_specs(p + NF9_TMPL_HDR_LEN, ids, n);
}

/* Padding the open FlowSet needs when closed; the message always has room for it. */
static size_t close_cost(const struct tmsg *m)
{
	return m->set_off ? pad_to_align(m->len - m->set_off) : 0;
}

static void set_open(struct tmsg *m, __u16 id)
{
	put_be16(m->buf + m->len, id);
	put_be16(m->buf + m->len + 2, 0); /* length: written by set_close */
	m->set_off = m->len;
	m->set_id = id;
	m->len += NF9_SET_HDR_LEN;
}

static void set_close(struct tmsg *m)
{
	size_t pad;

	if (!m->set_off)
		return;
	pad = close_cost(m);
	memset(m->buf + m->len, 0, pad); /* padding SHOULD be zeros */
	m->len += pad;
	put_be16(m->buf + m->set_off + 2, (__u16)(m->len - m->set_off));
	m->set_off = 0;
	m->set_id = 0;
}

/* Would a new FlowSet of body bytes (padded) fit after closing the open one? */
static int set_fits(const struct tmsg *m, size_t body)
{
	size_t set = NF9_SET_HDR_LEN + body;

	return m->len + close_cost(m) + set + pad_to_align(set) <= m->size;
}

/* Interval 0 is off in the datapath; space 0 samples every packet: off as well. */
static int sampling_on(const struct enc_sampling *s)
{
	return s->interval != 0 && s->space != 0;
}

/* The 1-in-N rate of RouterOS count-I-skip-S sampling: (I + S) / I, half rounded up (as v5). */
static __u32 sampling_rate(const struct enc_sampling *s)
{
	__u64 period, n;

	if (!sampling_on(s))
		return 1;
	period = (__u64)s->interval + s->space;
	n = (2 * period + s->interval) / (2 * (__u64)s->interval);
	return n > 0xffffffffULL ? 0xffffffffu : (__u32)n;
}

int nf9_begin(struct tmsg *m, void *buf, size_t size, const struct enc_clock *clk, __u32 sequence,
	      __u32 source_id)
{
	__u8 *p = buf;

	if (!m || !buf || !clk)
		return -EINVAL;
	if (size < NF9_HDR_LEN)
		return -ENOSPC;
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size > NF9_MAX_LEN ? NF9_MAX_LEN : size;
	m->len = NF9_HDR_LEN;
	put_be16(p + 0, NF9_VERSION);
	put_be16(p + 2, 0); /* count: written by nf9_finish */
	put_be32(p + 4, (__u32)(clk->mono_ns / NS_PER_MS));
	put_be32(p + 8, (__u32)(clk->real_ns / NS_PER_S));
	put_be32(p + 12, sequence);
	put_be32(p + 16, source_id);
	return 0;
}

int nf9_add_templates(struct tmsg *m)
{
	size_t tmpl = template_len(ARRAY_SIZE(tmpl_v4)) + template_len(ARRAY_SIZE(tmpl_v6));
	size_t opt = NF9_OPT_TMPL_HDR_LEN + NF9_FIELD_SPEC_LEN * (1 + ARRAY_SIZE(tmpl_options));
	size_t set = NF9_SET_HDR_LEN + opt;
	__u8 *p;

	/*
	 * The template FlowSet is made of 4-byte words and never needs padding. The options
	 * template FlowSet is 10 + 4k bytes, so it always ends with 2 bytes of padding (RFC 3954
	 * section 6.1 lists that padding as part of the FlowSet).
	 */
	_Static_assert(NF9_SET_HDR_LEN % NF9_ALIGN == 0 && NF9_TMPL_HDR_LEN % NF9_ALIGN == 0 &&
			       NF9_FIELD_SPEC_LEN % NF9_ALIGN == 0,
		       "a template FlowSet is a multiple of 4 bytes");
	if (!m || !m->buf)
		return -EINVAL;
	if (m->len + close_cost(m) + NF9_SET_HDR_LEN + tmpl + set + pad_to_align(set) > m->size)
		return -ENOSPC;
	set_close(m);

	set_open(m, NF9_SET_TEMPLATE);
	p = put_template(m->buf + m->len, NF9_TMPL_V4, tmpl_v4, ARRAY_SIZE(tmpl_v4));
	p = put_template(p, NF9_TMPL_V6, tmpl_v6, ARRAY_SIZE(tmpl_v6));
	m->len = p - m->buf;
	set_close(m);

	set_open(m, NF9_SET_OPTIONS_TEMPLATE);
	p = m->buf + m->len;
	put_be16(p, NF9_TMPL_OPTIONS);
	put_be16(p + 2, NF9_FIELD_SPEC_LEN);				/* scope bytes */
	put_be16(p + 4, NF9_FIELD_SPEC_LEN * ARRAY_SIZE(tmpl_options)); /* option bytes */
	put_be16(p + 6, NF9_SCOPE_SYSTEM);
	put_be16(p + 8, NF9_SCOPE_SYSTEM_LEN);
	p = put_field_specs(p + NF9_OPT_TMPL_HDR_LEN + NF9_FIELD_SPEC_LEN, tmpl_options,
			    ARRAY_SIZE(tmpl_options));
	m->len = p - m->buf;
	set_close(m);
	m->records += 3;
	return 0;
}

int nf9_add_options(struct tmsg *m, const struct enc_sampling *s, __u32 source_id)
{
	size_t body = NF9_SCOPE_SYSTEM_LEN + record_len(tmpl_options, ARRAY_SIZE(tmpl_options));
	__u32 rate;
	__u8 *p;

	if (!m || !m->buf || !s)
		return -EINVAL;
	if (!set_fits(m, body))
		return -ENOSPC;
	rate = sampling_rate(s);
	set_close(m);
	set_open(m, NF9_TMPL_OPTIONS);
	p = m->buf + m->len;
	put_be32(p, source_id); /* scope System */
	p += NF9_SCOPE_SYSTEM_LEN;
	put_uint(p, rate, field_len(IE_SAMPLING_INTERVAL));
	p += field_len(IE_SAMPLING_INTERVAL);
	put_uint(p, sampling_on(s) ? NF9_SAMPLING_DETERMINISTIC : NF9_SAMPLING_NONE,
		 field_len(IE_SAMPLING_ALGORITHM));
	m->len += body;
	set_close(m);
	m->records++;
	m->data_records++;
	return 0;
}

int nf9_add_record(struct tmsg *m, const struct tflow_record *r)
{
	const __u16 *ids;
	size_t n, rec, end, set_start;
	__u16 id;

	if (!m || !m->buf || !r)
		return -EINVAL;
	if (r->key.family == 4) {
		id = NF9_TMPL_V4;
		ids = tmpl_v4;
		n = ARRAY_SIZE(tmpl_v4);
	} else if (r->key.family == 6) {
		id = NF9_TMPL_V6;
		ids = tmpl_v6;
		n = ARRAY_SIZE(tmpl_v6);
	} else {
		return -EINVAL;
	}
	rec = record_len(ids, n);

	/* Where the record would end, and the padding its FlowSet would then need to close. */
	if (m->set_off && m->set_id == id) {
		set_start = m->set_off;
		end = m->len + rec;
	} else {
		set_start = m->len + close_cost(m);
		end = set_start + NF9_SET_HDR_LEN + rec;
	}
	if (end + pad_to_align(end - set_start) > m->size)
		return -ENOSPC;

	if (!m->set_off || m->set_id != id) {
		set_close(m);
		set_open(m, id);
	}
	put_record(m->buf + m->len, r, ids, n);
	m->len += rec;
	m->records++;
	m->data_records++;
	return 0;
}

size_t nf9_finish(struct tmsg *m)
{
	set_close(m);
	put_be16(m->buf + 2, m->records);
	return m->len;
}
