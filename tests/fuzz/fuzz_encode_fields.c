/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_encode_fields.c - fuzz_encode's checks of each data and options field parsed back. */
#include <arpa/inet.h>
#include "fuzz_encode.h"

/*
 * The data fields whose value is bytes (addresses) for record r, by IE id: 1 when v holds it, 0
 * when not, -1 for an element that is not one of these.
 */
static int field_bytes_ok(const struct tflow_record *r, __u16 id, const __u8 *v, __u16 len)
{
	switch (id) {
	case IE_SOURCE_IPV4_ADDRESS:
		return len == 4 && r->key.family == 4 && !memcmp(v, r->key.src + 12, 4);
	case IE_DESTINATION_IPV4_ADDRESS:
		return len == 4 && r->key.family == 4 && !memcmp(v, r->key.dst + 12, 4);
	case IE_SOURCE_IPV6_ADDRESS:
		return len == 16 && r->key.family == 6 && !memcmp(v, r->key.src, 16);
	case IE_DESTINATION_IPV6_ADDRESS:
		return len == 16 && r->key.family == 6 && !memcmp(v, r->key.dst, 16);
	case IE_SOURCE_TRANSPORT_PORT:
		return len == 2 && !memcmp(v, &r->key.sport, 2);
	case IE_DESTINATION_TRANSPORT_PORT:
		return len == 2 && !memcmp(v, &r->key.dport, 2);
	case IE_SOURCE_MAC_ADDRESS:
		return len == 6 && !memcmp(v, r->ext.src_mac, 6);
	case IE_DESTINATION_MAC_ADDRESS:
		return len == 6 && !memcmp(v, r->ext.dst_mac, 6);
	case IE_IP_NEXT_HOP_IPV4_ADDRESS:
		return len == 4 && !memcmp(v, r->ext.gateway + 12, 4);
	case IE_IP_NEXT_HOP_IPV6_ADDRESS:
		return len == 16 && !memcmp(v, r->ext.gateway, 16);
	case IE_POST_NAT_SOURCE_IPV4_ADDRESS:
	case IE_POST_NAT_DESTINATION_IPV4_ADDRESS:
	case IE_POST_NAT_SOURCE_IPV6_ADDRESS:
	case IE_POST_NAT_DESTINATION_IPV6_ADDRESS: {
		static const __u8 zero[16];
		bool v4 = id == IE_POST_NAT_SOURCE_IPV4_ADDRESS ||
			  id == IE_POST_NAT_DESTINATION_IPV4_ADDRESS;
		bool src = id == IE_POST_NAT_SOURCE_IPV4_ADDRESS ||
			   id == IE_POST_NAT_SOURCE_IPV6_ADDRESS;
		const __u8 *a = !(r->has_nat || r->nat_event) ? zero : src ? r->nat_src : r->nat_dst;

		return len == (v4 ? 4 : 16) && !memcmp(v, a + (v4 ? 12 : 0), len);
	}
	default:
		return -1;
	}
}

/* The number a data field of the key, counters and times must hold; false: not one of these. */
static bool field_want_key(const struct tflow_record *r, __u16 id, __u64 *want)
{
	switch (id) {
	case IE_PROTOCOL_IDENTIFIER:
		*want = r->key.proto;
		break;
	case IE_IP_CLASS_OF_SERVICE:
		*want = r->tos;
		break;
	case IE_TCP_CONTROL_BITS:
		*want = r->tcp_flags;
		break;
	case IE_INGRESS_INTERFACE:
		*want = r->in_ifindex;
		break;
	case IE_EGRESS_INTERFACE:
		*want = r->out_ifindex;
		break;
	case IE_PACKET_DELTA_COUNT:
		*want = r->packets;
		break;
	case IE_OCTET_DELTA_COUNT:
		*want = r->bytes;
		break;
	case IE_FLOW_START_SYS_UP_TIME:
		*want = r->first_ns / NS_MS;
		break;
	case IE_FLOW_END_SYS_UP_TIME:
		*want = r->last_ns / NS_MS;
		break;
	case IE_FLOW_START_MILLISECONDS:
		*want = enc_real_ms(&clk, r->first_ns);
		break;
	case IE_FLOW_END_MILLISECONDS:
		*want = enc_real_ms(&clk, r->last_ns);
		break;
	case IE_ICMP_TYPE_CODE_IPV4:
	case IE_ICMP_TYPE_CODE_IPV6:
		*want = is_icmp(r) ? ntohs(r->key.dport) : 0;
		break;
	case IE_IP_VERSION:
		*want = r->key.family;
		break;
	case IE_FLOW_DIRECTION:
		*want = r->key.dir;
		break;
	case IE_IP_TTL:
		*want = r->ttl;
		break;
	case IE_FLOW_END_REASON:
		*want = r->end_reason;
		break;
	case IE_ICMP_TYPE_IPV4:
	case IE_ICMP_TYPE_IPV6:
		*want = is_icmp(r) ? ntohs(r->key.dport) >> 8 : 0;
		break;
	case IE_ICMP_CODE_IPV4:
	case IE_ICMP_CODE_IPV6:
		*want = is_icmp(r) ? ntohs(r->key.dport) & 0xff : 0;
		break;
	default:
		return false;
	}
	return true;
}

/* The number a first-packet, mask, NAT or system data field must hold; false: not one of these. */
static bool field_want_ext(const struct tflow_record *r, __u16 id, __u64 *want)
{
	switch (id) {
	case IE_TCP_SEQUENCE_NUMBER:
		*want = r->ext.tcp_seq;
		break;
	case IE_TCP_ACKNOWLEDGEMENT_NUMBER:
		*want = r->ext.tcp_ack;
		break;
	case IE_TCP_WINDOW_SIZE:
		*want = r->ext.tcp_win;
		break;
	case IE_IGMP_TYPE:
		*want = r->ext.igmp_type;
		break;
	case IE_SOURCE_IPV4_PREFIX_LENGTH:
	case IE_SOURCE_IPV6_PREFIX_LENGTH:
		*want = r->src_mask;
		break;
	case IE_DESTINATION_IPV4_PREFIX_LENGTH:
	case IE_DESTINATION_IPV6_PREFIX_LENGTH:
		*want = r->dst_mask;
		break;
	case IE_IP_HEADER_LENGTH:
		*want = r->key.family == 6 ? 40 : r->ext.ip_hdr_len;
		break;
	case IE_IP_TOTAL_LENGTH:
		*want = r->ext.ip_tot_len;
		break;
	case IE_FLOW_LABEL_IPV6:
		*want = r->ext.flow_label;
		break;
	case IE_UDP_MESSAGE_LENGTH:
		*want = r->ext.udp_len;
		break;
	case IE_IS_MULTICAST: /* IPv4: 224/4 -> 0x80; IPv6: ff00::/8 -> T flag 0x10 | scope */
		if (r->key.family == 4)
			*want = r->key.dst[12] >= 224 && r->key.dst[12] <= 239 ? 0x80 : 0;
		else
			*want = r->key.dst[0] == 0xff ?
					(r->key.dst[1] & 0x10) | (r->key.dst[1] & 0xf) : 0;
		break;
	case IE_SYSTEM_INIT_TIME_MILLISECONDS:
		*want = enc_real_ms(&clk, 0);
		break;
	case IE_OBSERVATION_TIME_MILLISECONDS:
		*want = enc_real_ms(&clk, r->last_ns);
		break;
	case IE_POST_NAPT_SOURCE_TRANSPORT_PORT:
		*want = r->has_nat || r->nat_event ? ntohs(r->nat_sport) : 0;
		break;
	case IE_POST_NAPT_DESTINATION_TRANSPORT_PORT:
		*want = r->has_nat || r->nat_event ? ntohs(r->nat_dport) : 0;
		break;
	case IE_NAT_EVENT:
		*want = r->nat_event;
		break;
	default:
		return false;
	}
	return true;
}

/* The value a data field must hold for record r, by IE id. */
bool field_ok(const struct tflow_record *r, __u16 id, const __u8 *v, __u16 len)
{
	__u64 x = get_uint(v, len), want;
	int bytes_ok = field_bytes_ok(r, id, v, len);

	if (bytes_ok >= 0)
		return bytes_ok;
	if (!field_want_key(r, id, &want) && !field_want_ext(r, id, &want))
		return false; /* an element the checker does not know: say so */
	return x == low_bytes(want, len);
}

void check_options_record(const struct proto *p, const struct tmpl *t, const __u8 *q,
				 const struct enc_sampling *s, __u32 id)
{
	bool on = s->interval && s->space;
	__u64 rate = on ? ((2 * ((__u64)s->interval + s->space) + s->interval) /
			   (2 * (__u64)s->interval))
			: 1;

	for (int i = 0; i < t->n; i++) {
		__u64 x = get_uint(q, t->lens[i]), want = 0;

		if (i < t->scope)
			want = id; /* System (v9) or observationDomainId (IPFIX) */
		else if (t->ids[i] == IE_SAMPLING_INTERVAL)
			want = rate > 0xffffffffULL ? 0xffffffffULL : rate;
		else if (t->ids[i] == IE_SAMPLING_ALGORITHM)
			want = on;
		else if (t->ids[i] == IE_SAMPLING_PACKET_INTERVAL)
			want = s->interval ? s->interval : 1;
		else if (t->ids[i] == IE_SAMPLING_PACKET_SPACE)
			want = s->interval ? s->space : 0;
		else if (t->ids[i] == IE_SYSTEM_INIT_TIME_MILLISECONDS)
			want = enc_real_ms(&clk, 0);
		else
			FUZZ_CHECK(0, "options field %u unknown to the checker", t->ids[i]);
		FUZZ_CHECK(x == low_bytes(want, t->lens[i]), "%s options field %u: %llu, want %llu",
			   p->v9 ? "v9" : "IPFIX", t->ids[i], (unsigned long long)x,
			   (unsigned long long)want);
		q += t->lens[i];
	}
}
