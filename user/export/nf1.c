/* SPDX-License-Identifier: GPL-2.0-only */
/* nf1.c - Cisco NetFlow v1 encoder: header and fixed 48-byte IPv4 records, no I/O. */
#include <errno.h>
#include <string.h>
#include "util/bytes.h"
#include "export/ie.h"
#include "export/nf1.h"

#define NF1_VERSION 1

/*
 * The v1 record differs from v5 after the ports: 2 bytes of padding, then prot, tos, flags
 * (v5 has pad1, flags, prot, tos), then tcp_retx_cnt, tcp_retx_secs, tcp_misseq_cnt and 4
 * reserved bytes where v5 has the AS numbers and masks. Layout as in Cisco's v1 format, the
 * Wireshark cflow dissector and nfdump's netflow_v1.c.
 */
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
	put_be16(p + 36, 0);		  /* pad1 */
	p[38] = r->key.proto;
	p[39] = r->tos;
	p[40] = r->tcp_flags;
	p[41] = 0;	     /* tcp_retx_cnt */
	p[42] = 0;	     /* tcp_retx_secs */
	p[43] = 0;	     /* tcp_misseq_cnt */
	put_be32(p + 44, 0); /* reserved */
}

int nf1_encode(const struct nf1_hdr_ctx *ctx, const struct tflow_record *recs, size_t n, void *buf,
	       size_t size)
{
	__u8 *p = buf;
	size_t i, len;

	if (n == 0 || n > NF1_MAX_RECS)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!record_is_ipv4(&recs[i]))
			return -EINVAL;
	len = NF1_HDR_LEN + n * NF1_REC_LEN;
	if (size < len)
		return -ENOSPC;

	put_be16(p + 0, NF1_VERSION);
	put_be16(p + 2, (__u16)n);
	put_be32(p + 4, ctx->sys_uptime_ms);
	put_be32(p + 8, ctx->unix_secs);
	put_be32(p + 12, ctx->unix_nsecs);
	for (i = 0; i < n; i++)
		encode_rec(p + NF1_HDR_LEN + i * NF1_REC_LEN, &recs[i]);
	return (int)len;
}
