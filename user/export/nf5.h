/* SPDX-License-Identifier: GPL-2.0-only */
/* nf5.h - NetFlow v5 encoder: a pure function from records to datagram bytes. */
#ifndef TFLOW_NF5_H
#define TFLOW_NF5_H

#include <stddef.h>
#include <linux/types.h>
#include "record/record.h"

#define NF5_HDR_LEN 24
#define NF5_REC_LEN 48
#define NF5_MAX_RECS 30

/* Header fields the caller decides (all host order here; the encoder writes network order). */
struct nf5_hdr_ctx {
	__u32 sys_uptime_ms; /* ms since boot (CLOCK_MONOTONIC), truncated to 32 bits */
	__u32 unix_secs;
	__u32 unix_nsecs;
	__u32 flow_sequence; /* flows sent to this target before this datagram */
	__u8 engine_type;
	__u8 engine_id;
	__u16 sampling; /* 2-bit mode << 14 | 14-bit interval, already composed (nf5_sampling()) */
};

/* The v5 sampling_interval field for a RouterOS interval/space pair (0 when sampling is off). */
__u16 nf5_sampling(__u32 interval, __u32 space);

/*
 * Encode n (1..NF5_MAX_RECS) IPv4 records into buf. Record First/Last are the records'
 * first_ns/last_ns in ms since boot, truncated to 32 bits like sys_uptime_ms.
 * Returns bytes written, -ENOSPC if size is too small, -EINVAL for n out of range or an IPv6
 * record.
 */
int nf5_encode(const struct nf5_hdr_ctx *ctx, const struct tflow_record *recs, size_t n, void *buf,
	       size_t size);

#endif
