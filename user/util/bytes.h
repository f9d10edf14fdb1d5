/* SPDX-License-Identifier: GPL-2.0-only */
/* bytes.h - big-endian stores into export buffers, shared by every encoder. */
#ifndef TFLOW_BYTES_H
#define TFLOW_BYTES_H

#include <linux/types.h>

/*
 * Byte-wise stores: an export buffer has no alignment guarantee, so no casts to wider types
 * (they would be undefined behaviour, and UBSan runs the unit tests).
 */
static inline void put_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The low len bytes of v, big-endian: a wider value is truncated, as sysUptime ms are. */
static inline void put_uint(__u8 *p, __u64 v, unsigned int len)
{
	while (len--) {
		p[len] = (__u8)v;
		v >>= 8;
	}
}

/*
 * Saturating stores for fixed fields narrower than the value (v1/v5 counters and ifindexes):
 * a collector then sees the largest count the field can say rather than a wrapped small one.
 */
static inline void put_be16_sat(__u8 *p, __u32 v)
{
	put_be16(p, v > 0xffff ? 0xffff : (__u16)v);
}

static inline void put_be32_sat(__u8 *p, __u64 v)
{
	put_be32(p, v > 0xffffffffULL ? 0xffffffffu : (__u32)v);
}

#endif
