/* SPDX-License-Identifier: GPL-2.0-only */
/* record.h - a finished (or partial) flow as the encoders see it. */
#ifndef TFLOW_RECORD_H
#define TFLOW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tflow.h"

/* IPFIX flowEndReason (IANA IE 136) values; also used to say why a record was emitted. */
enum tflow_end_reason {
	TFLOW_END_IDLE = 1,	 /* inactive-flow-timeout */
	TFLOW_END_ACTIVE = 2,	 /* active-flow-timeout: a delta, the flow goes on */
	TFLOW_END_EOF = 3,	 /* TCP FIN/RST seen */
	TFLOW_END_FORCED = 4,	 /* shutdown */
	TFLOW_END_RESOURCES = 5, /* evicted early because the cache was full */
};

struct tflow_record {
	struct tflow_key key; /* addresses, ports, protocol, family, observation point */
	__u64 packets;
	__u64 bytes;
	__u64 first_ns; /* CLOCK_MONOTONIC ns: ms since boot is the v5/v9 sysUptime base */
	__u64 last_ns;
	__u32 in_ifindex;
	__u32 out_ifindex;
	__u8 tcp_flags;
	__u8 tos;
	__u8 ttl;
	__u8 end_reason; /* enum tflow_end_reason */
	/* What the datapath read from the first packet (all zero when not collected). */
	struct tflow_ext ext;
	/* From the routing table, userspace (TF_ROUTE_MASK): matching prefix lengths, 0 unknown. */
	__u8 src_mask;
	__u8 dst_mask;
	/*
	 * From conntrack, userspace (TF_NAT_MASK): the flow's addresses and ports after NAT, in the
	 * key's layout (v4-mapped, ports network order); has_nat 0 when no conntrack entry matched.
	 */
	__u8 has_nat;
	__u8 nat_event; /* IANA natEvent (IE 230) of a NAT event record; 0 for a flow record */
	__u8 nat_src[16];
	__u8 nat_dst[16];
	__be16 nat_sport;
	__be16 nat_dport;
};

static inline bool record_is_ipv4(const struct tflow_record *r)
{
	return r->key.family == 4;
}

/* Fill a record from a cache entry; packets/bytes are what the caller passes (a delta or all). */
void record_from_value(struct tflow_record *r, const struct tflow_key *k,
		       const struct tflow_value *v);

/* Text form of one of a key's addresses: dotted quad for an IPv4 key, else IPv6. */
void record_addr_str(const struct tflow_key *k, const __u8 a[16], char *out, size_t size);

#endif
