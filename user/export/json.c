/* SPDX-License-Identifier: GPL-2.0-only */
/* json.c - a flow record as one JSON object: what tflow writes when no target is configured. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "export/json.h"

#define NS_PER_MS 1000000ULL

static const char *end_name(__u8 reason)
{
	switch (reason) {
	case TFLOW_END_IDLE:
		return "idle";
	case TFLOW_END_ACTIVE:
		return "active";
	case TFLOW_END_EOF:
		return "eof";
	case TFLOW_END_FORCED:
		return "forced";
	case TFLOW_END_RESOURCES:
		return "resources";
	default:
		return "unknown"; /* 0: record_from_value() output the caller did not classify */
	}
}

/* Address masks and NAT translation (userspace adds them), and a NAT event's kind, when set. */
static void json_nat_masks(const struct tflow_record *r, char *out, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int n = 0;

	out[0] = '\0';
	if (r->src_mask || r->dst_mask)
		n = snprintf(out, len, ",\"src_mask\":%u,\"dst_mask\":%u", r->src_mask,
			     r->dst_mask);
	if (r->has_nat) {
		record_addr_str(&r->key, r->nat_src, s, sizeof(s));
		record_addr_str(&r->key, r->nat_dst, d, sizeof(d));
		n += snprintf(out + n, len - n,
			      ",\"nat_src\":\"%s\",\"nat_dst\":\"%s\",\"nat_sport\":%u,"
			      "\"nat_dport\":%u",
			      s, d, ntohs(r->nat_sport), ntohs(r->nat_dport));
	}
	if (r->nat_event)
		snprintf(out + n, len - n, ",\"nat_event\":%u", r->nat_event);
}

/* A gateway: dotted quad when v4-mapped (or zero for an IPv4 flow), else IPv6. */
static void gw_str(const struct tflow_record *r, char *out, size_t len)
{
	static const __u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff }, zero[16];
	const __u8 *g = r->ext.gateway;
	struct tflow_key k = { .family = 6 };

	if (!memcmp(g, v4mapped, 12) || (r->key.family == 4 && !memcmp(g, zero, 16)))
		k.family = 4;
	record_addr_str(&k, g, out, len);
}

static void mac_str(const __u8 m[6], char *out, size_t len)
{
	snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The fields the datapath collected (tflow_ext), as `,"name":value` pairs; "" when none. */
static void json_ext(const struct tflow_record *r, char *out, size_t size)
{
	const struct tflow_ext *x = &r->ext;
	char smac[18], dmac[18], gw[INET6_ADDRSTRLEN];
	size_t n = 0;

	out[0] = '\0';
#define PUT(...) (n += (size_t)snprintf(out + n, n < size ? size - n : 0, __VA_ARGS__))
	if (x->collected & TFLOW_COLLECT_EXT) {
		mac_str(x->src_mac, smac, sizeof(smac));
		mac_str(x->dst_mac, dmac, sizeof(dmac));
		PUT(",\"src_mac\":\"%s\",\"dst_mac\":\"%s\",\"ip_hdr_len\":%u,\"ip_tot_len\":%u",
		    smac, dmac, x->ip_hdr_len, x->ip_tot_len);
		if (r->key.family == 6)
			PUT(",\"flow_label\":%u", x->flow_label);
		if (r->key.proto == IPPROTO_TCP)
			PUT(",\"tcp_seq\":%u,\"tcp_ack\":%u,\"tcp_win\":%u", x->tcp_seq, x->tcp_ack,
			    x->tcp_win);
		else if (r->key.proto == IPPROTO_UDP)
			PUT(",\"udp_len\":%u", x->udp_len);
		else if (r->key.proto == IPPROTO_IGMP)
			PUT(",\"igmp_type\":%u", x->igmp_type);
	}
	if (x->collected & TFLOW_COLLECT_FIB) {
		gw_str(r, gw, sizeof(gw));
		PUT(",\"gateway\":\"%s\",\"fib_if\":%u", gw, x->fib_ifindex);
	}
#undef PUT
}

int record_to_json(const struct tflow_record *r, char *buf, size_t size)
{
	const struct tflow_key *k = &r->key;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char icmp[48] = "", nat[256], ext[320];
	__u16 dport = ntohs(k->dport);

	record_addr_str(k, k->src, src, sizeof(src));
	record_addr_str(k, k->dst, dst, sizeof(dst));
	json_ext(r, ext, sizeof(ext));
	/* ICMP and ICMPv6 carry type * 256 + code in dport, as NetFlow does. */
	if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6)
		snprintf(icmp, sizeof(icmp), ",\"icmp_type\":%u,\"icmp_code\":%u", dport >> 8,
			 dport & 0xff);
	json_nat_masks(r, nat, sizeof(nat));

	return snprintf(buf, size,
			"{\"family\":%u,\"src\":\"%s\",\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,"
			"\"proto\":%u%s,\"dir\":\"%s\",\"ifindex\":%u,\"in_if\":%u,\"out_if\":%u,"
			"\"packets\":%llu,\"bytes\":%llu,\"first_ms\":%llu,\"last_ms\":%llu,"
			"\"tcp_flags\":\"0x%02x\",\"tos\":%u,\"ttl\":%u%s%s,\"end\":\"%s\"}",
			k->family, src, dst, ntohs(k->sport), dport, k->proto, icmp,
			k->dir == TFLOW_DIR_EGRESS ? "egress" : "ingress", k->ifindex,
			r->in_ifindex, r->out_ifindex, (unsigned long long)r->packets,
			(unsigned long long)r->bytes, (unsigned long long)(r->first_ns / NS_PER_MS),
			(unsigned long long)(r->last_ns / NS_PER_MS), r->tcp_flags, r->tos, r->ttl,
			ext, nat, end_name(r->end_reason));
}
