/* record.c - build flow records from cache entries and format them as JSON lines. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "record.h"

#define NS_PER_MS 1000000ULL

void record_from_value(struct tflow_record *r, const struct tflow_key *k,
		       const struct tflow_value *v)
{
	memset(r, 0, sizeof(*r));
	r->key = *k;
	r->packets = v->packets;
	r->bytes = v->bytes;
	r->first_ns = v->first_ns;
	r->last_ns = v->last_ns;
	r->in_ifindex = tflow_in_ifindex(k, v->peer_ifindex);
	r->out_ifindex = tflow_out_ifindex(k, v->peer_ifindex);
	r->tcp_flags = TFLOW_ATTR_TCP_FLAGS(v->flags_tos_ttl);
	r->tos = TFLOW_ATTR_TOS(v->flags_tos_ttl);
	r->ttl = TFLOW_ATTR_TTL(v->flags_tos_ttl);
	r->end_reason = 0; /* the caller says why the record is emitted */
}

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

/* Text form of a key address: dotted quad for a v4-mapped IPv4 key, else IPv6. */
static void addr_str(const struct tflow_key *k, const __u8 a[16], char *out, socklen_t len)
{
	const char *s;

	if (k->family == 4)
		s = inet_ntop(AF_INET, a + 12, out, len);
	else
		s = inet_ntop(AF_INET6, a, out, len);
	if (!s) /* cannot happen with INET6_ADDRSTRLEN; keep the JSON valid anyway */
		snprintf(out, len, "?");
}

int record_to_json(const struct tflow_record *r, char *buf, size_t size)
{
	const struct tflow_key *k = &r->key;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char icmp[48] = "";
	__u16 dport = ntohs(k->dport);

	addr_str(k, k->src, src, sizeof(src));
	addr_str(k, k->dst, dst, sizeof(dst));
	/* ICMP and ICMPv6 carry type * 256 + code in dport, as NetFlow does. */
	if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6)
		snprintf(icmp, sizeof(icmp), ",\"icmp_type\":%u,\"icmp_code\":%u", dport >> 8,
			 dport & 0xff);

	return snprintf(buf, size,
			"{\"family\":%u,\"src\":\"%s\",\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,"
			"\"proto\":%u%s,\"dir\":\"%s\",\"ifindex\":%u,\"in_if\":%u,\"out_if\":%u,"
			"\"packets\":%llu,\"bytes\":%llu,\"first_ms\":%llu,\"last_ms\":%llu,"
			"\"tcp_flags\":\"0x%02x\",\"tos\":%u,\"ttl\":%u,\"end\":\"%s\"}",
			k->family, src, dst, ntohs(k->sport), dport, k->proto, icmp,
			k->dir == TFLOW_DIR_EGRESS ? "egress" : "ingress", k->ifindex,
			r->in_ifindex, r->out_ifindex, (unsigned long long)r->packets,
			(unsigned long long)r->bytes, (unsigned long long)(r->first_ns / NS_PER_MS),
			(unsigned long long)(r->last_ns / NS_PER_MS), r->tcp_flags, r->tos, r->ttl,
			end_name(r->end_reason));
}
