/* SPDX-License-Identifier: GPL-2.0-only */
/* record.c - build flow records from cache entries; the text form of their addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "record/record.h"

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

void record_addr_str(const struct tflow_key *k, const __u8 a[16], char *out, size_t size)
{
	socklen_t len = (socklen_t)size;
	const char *s;

	if (k->family == 4)
		s = inet_ntop(AF_INET, a + 12, out, len);
	else
		s = inet_ntop(AF_INET6, a, out, len);
	if (!s) /* cannot happen with INET6_ADDRSTRLEN; keep the JSON valid anyway */
		snprintf(out, len, "?");
}
