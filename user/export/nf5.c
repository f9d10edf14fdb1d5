/* SPDX-License-Identifier: GPL-2.0-only */
/* nf5.c - Cisco NetFlow v5 encoder: header and fixed 48-byte IPv4 records, no I/O. */
#include <errno.h>
#include <string.h>
#include "util/bytes.h"
#include "export/ie.h"
#include "export/nf5.h"

#define NF5_VERSION 5
#define NF5_SAMPLING_DETERMINISTIC (1u << 14) /* mode 01 in bits 15-14 */
#define NF5_SAMPLING_MAX 0x3fff		      /* 14-bit interval */

__u16 nf5_sampling(__u32 interval, __u32 space)
{
	__u64 n = enc_sampling_rate(interval, space);

	if (interval == 0 || space == 0)
		return 0; /* v5 says "no sampling" with 0, not with a rate of 1 */
	return NF5_SAMPLING_DETERMINISTIC | (__u16)(n > NF5_SAMPLING_MAX ? NF5_SAMPLING_MAX : n);
}

static void encode_rec(__u8 *p, const struct tflow_record *r)
{
	memcpy(p + 0, r->key.src + 12, 4); /* srcaddr: key bytes are network order already */
	memcpy(p + 4, r->key.dst + 12, 4); /* dstaddr */
	put_be32(p + 8, 0);		   /* nexthop: unknown to a host-side probe */
	put_be16_sat(p + 12, r->in_ifindex);
	put_be16_sat(p + 14, r->out_ifindex);
	put_be32_sat(p + 16, r->packets);
	put_be32_sat(p + 20, r->bytes);
	put_be32(p + 24, enc_uptime_ms(r->first_ns));
	put_be32(p + 28, enc_uptime_ms(r->last_ns));
	memcpy(p + 32, &r->key.sport, 2); /* network order as stored */
	memcpy(p + 34, &r->key.dport, 2); /* ICMP: type * 256 + code */
	p[36] = 0;			  /* pad1 */
	p[37] = r->tcp_flags;
	p[38] = r->key.proto;
	p[39] = r->tos;
	put_be16(p + 40, 0); /* src_as */
	put_be16(p + 42, 0); /* dst_as */
	p[44] = 0;	     /* src_mask */
	p[45] = 0;	     /* dst_mask */
	put_be16(p + 46, 0); /* pad2 */
}

int nf5_encode(const struct nf5_hdr_ctx *ctx, const struct tflow_record *recs, size_t n, void *buf,
	       size_t size)
{
	__u8 *p = buf;
	size_t i, len;

	if (n == 0 || n > NF5_MAX_RECS)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!record_is_ipv4(&recs[i]))
			return -EINVAL;
	len = NF5_HDR_LEN + n * NF5_REC_LEN;
	if (size < len)
		return -ENOSPC;

	put_be16(p + 0, NF5_VERSION);
	put_be16(p + 2, (__u16)n);
	put_be32(p + 4, ctx->sys_uptime_ms);
	put_be32(p + 8, ctx->unix_secs);
	put_be32(p + 12, ctx->unix_nsecs);
	put_be32(p + 16, ctx->flow_sequence);
	p[20] = ctx->engine_type;
	p[21] = ctx->engine_id;
	put_be16(p + 22, ctx->sampling);
	for (i = 0; i < n; i++)
		encode_rec(p + NF5_HDR_LEN + i * NF5_REC_LEN, &recs[i]);
	return (int)len;
}
