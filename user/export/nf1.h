/* SPDX-License-Identifier: GPL-2.0-only */
/* nf1.h - NetFlow v1 encoder: a pure function from records to datagram bytes. */
#ifndef TFLOW_NF1_H
#define TFLOW_NF1_H

#include <stddef.h>
#include <linux/types.h>
#include "record/record.h"

#define NF1_HDR_LEN 16
#define NF1_REC_LEN 48
#define NF1_MAX_RECS 24

struct nf1_hdr_ctx {
	__u32 sys_uptime_ms; /* ms since boot (CLOCK_MONOTONIC), truncated to 32 bits */
	__u32 unix_secs;
	__u32 unix_nsecs;
};

/*
 * Encode n (1..NF1_MAX_RECS) IPv4 records. Returns bytes written, -ENOSPC if size is too small,
 * -EINVAL for n out of range or an IPv6 record.
 */
int nf1_encode(const struct nf1_hdr_ctx *ctx, const struct tflow_record *recs, size_t n, void *buf,
	       size_t size);

#endif
