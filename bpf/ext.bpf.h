/* SPDX-License-Identifier: GPL-2.0-only */
/* ext.bpf.h - a new flow's first-packet fields and FIB route (struct tflow_ext), on insert only. */
#ifndef TFLOW_EXT_BPF_H
#define TFLOW_EXT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tflow.h"
#include "proto.bpf.h"
#include "ctx.bpf.h"
#include "parse.bpf.h"

/* Beyond this offset a header is not looked for (the parser gives up long before in practice). */
#define EXT_MAX_L4_OFF 4095

/*
 * Header fields of the first packet. The parser kept offsets, not fields, so established flows
 * pay nothing for these; every read is bounds-checked again here for the verifier.
 */
static __always_inline void ext_headers(const struct flow_ctx *fc, const struct pkt *p,
					struct tflow_ext *e)
{
	void *data = fc->data, *data_end = fc->data_end;
	struct ethhdr *eth = data;
	__u32 l3 = p->l2_len, l4 = p->l4_off, hl = l4 - l3;

	if ((void *)(eth + 1) > data_end)
		return;
	__builtin_memcpy(e->src_mac, eth->h_source, 6);
	__builtin_memcpy(e->dst_mac, eth->h_dest, 6);
	e->ip_tot_len = fc->first_len > 0xffff ? 0xffff : fc->first_len;
	e->ip_hdr_len = hl > 0xff ? 0xff : hl;
	if (l4 > EXT_MAX_L4_OFF || l3 > l4)
		return;
	if (p->key.family == 6) {
		__be32 *w = data + l3;

		if ((void *)(w + 1) <= data_end)
			e->flow_label = bpf_ntohl(*w) & 0xfffff;
	}
	if (p->frag)
		return;
	switch (p->key.proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = data + l4;

		if ((void *)(th + 1) > data_end)
			return;
		e->tcp_seq = bpf_ntohl(th->seq);
		e->tcp_ack = bpf_ntohl(th->ack_seq);
		e->tcp_win = bpf_ntohs(th->window);
		return;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = data + l4;

		if ((void *)(uh + 1) <= data_end)
			e->udp_len = bpf_ntohs(uh->len);
		return;
	}
	case IPPROTO_IGMP: {
		__u8 *t = data + l4;

		if (p->key.family == 4 && (void *)(t + 1) <= data_end)
			e->igmp_type = *t;
		return;
	}
	}
}

/*
 * bpf_fib_lookup() as the kernel would route the packet. Returns the egress ifindex (0: no route,
 * local delivery, forwarding disabled) and fills the FIB fields of e. The route is what matters,
 * not the neighbour: SKIP_NEIGH (6.3) where the kernel has it, else a NO_NEIGH answer still
 * carries the route. tot_len 0 keeps the MTU check from hiding it.
 */
static __always_inline __u32 ext_fib(const struct flow_ctx *fc, const struct pkt *p,
				     struct tflow_ext *e)
{
	const struct tflow_key *k = &p->key;
	struct bpf_fib_lookup fp = {};
	__u32 dst[4];
	long rc;

	__builtin_memcpy(dst, k->dst, 16);
	fp.ifindex = fc->fib_ifindex;
	fp.l4_protocol = k->proto;
	if (k->proto != IPPROTO_ICMP && k->proto != IPPROTO_ICMPV6) {
		/* For policy routing by port; ICMP's dport holds type and code. */
		fp.sport = k->sport;
		fp.dport = k->dport;
	}
	if (k->family == 4) {
		fp.family = AF_INET;
		fp.tos = p->tos;
		__builtin_memcpy(&fp.ipv4_src, k->src + 12, 4);
		fp.ipv4_dst = dst[3];
	} else {
		fp.family = AF_INET6;
		/* Traffic class and flow label, as the IPv6 header has them. */
		fp.flowinfo = bpf_htonl((__u32)p->tos << 20 | e->flow_label);
		__builtin_memcpy(fp.ipv6_src, k->src, 16);
		__builtin_memcpy(fp.ipv6_dst, k->dst, 16);
	}
	rc = bpf_fib_lookup(fc->ctx, &fp, sizeof(fp), fc->fib_flags | BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (rc < 0) /* before 6.3: unknown flag, refused before any work */
		rc = bpf_fib_lookup(fc->ctx, &fp, sizeof(fp), fc->fib_flags);
	/* FRAG_NEEDED (tc: the skb exceeds the egress MTU) comes with the route filled in. */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH &&
	    rc != BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return 0;
	e->fib_ok = 1;
	e->fib_ifindex = fp.ifindex;
	/*
	 * The lookup rewrites the destination to the next hop when the route has a gateway; an
	 * IPv4 route via an IPv6 next hop (RFC 5549) turns the family to AF_INET6.
	 */
	if (fp.family == AF_INET) {
		if (fp.ipv4_dst != dst[3])
			addr_v4mapped(e->gateway, fp.ipv4_dst);
	} else if (k->family == 4 || fp.ipv6_dst[0] != dst[0] || fp.ipv6_dst[1] != dst[1] ||
		   fp.ipv6_dst[2] != dst[2] || fp.ipv6_dst[3] != dst[3]) {
		__builtin_memcpy(e->gateway, fp.ipv6_dst, 16);
	}
	return fp.ifindex;
}

#endif
