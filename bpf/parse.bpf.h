/* SPDX-License-Identifier: GPL-2.0-only */
/* parse.bpf.h - one packet parser for XDP and tc: Ethernet, VLAN/QinQ, IPv4, IPv6, L4 ports. */
#ifndef TFLOW_PARSE_BPF_H
#define TFLOW_PARSE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tflow.h"
#include "proto.bpf.h"

/*
 * Enough linear bytes for Ethernet, two VLAN tags, IPv6 with extensions and a TCP header: what tc
 * pulls in before parsing when the headers may sit in paged data.
 */
#define TFLOW_PULL_LEN 256

enum parse_result {
	PARSE_OK = 0,
	PARSE_NON_IP,
	PARSE_ERR, /* the matching stats reason was already counted */
};

/* What the parser learned about one packet. */
struct pkt {
	struct tflow_key key;
	__u32 weight;  /* wire packets this run stands for: gso_segs at tc egress, else 1 */
	__u32 ip_len;  /* IP bytes by the header (0 if the header says 0, e.g. BIG TCP) */
	__u16 hdr_len; /* L3 + L4 header bytes, repeated in every segment of a GSO packet */
	__u16 l2_len;  /* Ethernet + VLAN tags: where the IP header starts */
	__u16 l4_off;  /* end of the IP headers (IPv6: extensions too): the transport header */
	__u8 tcp_flags;
	__u8 tos;
	__u8 ttl;
	__u8 frag; /* a non-first fragment: no transport header at l4_off */
};

/*
 * Transport ports (and TCP flags / ICMP type-code) at l4. Never fails the packet: a truncated or
 * bogus transport header leaves the ports 0 and is counted as informational.
 */
static __always_inline void parse_l4(void *l4, void *data_end, struct pkt *p,
				     struct tflow_stats *st)
{
	__u8 proto = p->key.proto;

	switch (proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = l4;
		__u32 doff;

		if ((void *)(th + 1) > data_end) {
			st->l4_trunc += p->weight;
			return;
		}
		doff = th->doff;
		if (doff < 5) {
			st->l4_bad_doff += p->weight;
			return;
		}
		p->key.sport = th->source;
		p->key.dport = th->dest;
		/* The flags byte follows doff/res1: byte 13 of the header. */
		p->tcp_flags = ((__u8 *)th)[13];
		p->hdr_len += doff * 4;
		return;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP: {
		/* UDP and UDP-Lite headers are 8 bytes, SCTP's common header 12; ports lead all. */
		__u32 len = proto == IPPROTO_SCTP ? 12 : 8;
		__be16 *ports = l4;

		if (l4 + len > data_end) {
			st->l4_trunc += p->weight;
			return;
		}
		p->key.sport = ports[0];
		p->key.dport = ports[1];
		p->hdr_len += len;
		return;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 *tc = l4;

		if (l4 + 4 > data_end) {
			st->l4_trunc += p->weight;
			return;
		}
		p->key.dport = bpf_htons(((__u16)tc[0] << 8) | tc[1]);
		return;
	}
	default:
		return;
	}
}

static __always_inline void addr_v4mapped(__u8 dst[16], __be32 a)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &a, 4);
}

static __always_inline int parse_ipv4(void *pos, void *data_end, struct pkt *p,
				      struct tflow_stats *st)
{
	struct iphdr *iph = pos;
	__u32 hl, tot;

	if ((void *)(iph + 1) > data_end) {
		st->err_ip_trunc += p->weight;
		return PARSE_ERR;
	}
	if (iph->version != 4) {
		st->err_ip_version += p->weight;
		return PARSE_ERR;
	}
	hl = iph->ihl * 4;
	if (hl < sizeof(*iph) || pos + hl > data_end) {
		st->err_ip_ihl += p->weight;
		return PARSE_ERR;
	}
	tot = bpf_ntohs(iph->tot_len);
	if (tot && tot < hl) {
		st->err_ip_len += p->weight;
		return PARSE_ERR;
	}
	p->key.family = 4;
	p->key.proto = iph->protocol;
	addr_v4mapped(p->key.src, iph->saddr);
	addr_v4mapped(p->key.dst, iph->daddr);
	p->ip_len = tot;
	p->hdr_len = hl;
	p->l4_off = p->l2_len + hl;
	p->tos = iph->tos;
	p->ttl = iph->ttl;
	if (iph->frag_off & bpf_htons(0x1fff)) {
		/* A non-first fragment has no transport header: ports stay 0. */
		p->frag = 1;
		st->fragments += p->weight;
		return PARSE_OK;
	}
	parse_l4(pos + hl, data_end, p, st);
	return PARSE_OK;
}

static __always_inline int parse_ipv6(void *pos, void *data_end, struct pkt *p,
				      struct tflow_stats *st)
{
	struct ipv6hdr *ip6 = pos;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6 + 1) > data_end) {
		st->err_ip_trunc += p->weight;
		return PARSE_ERR;
	}
	if (ip6->version != 6) {
		st->err_ip_version += p->weight;
		return PARSE_ERR;
	}
	p->key.family = 6;
	__builtin_memcpy(p->key.src, &ip6->saddr, 16);
	__builtin_memcpy(p->key.dst, &ip6->daddr, 16);
	p->ip_len = ip6->payload_len ? bpf_ntohs(ip6->payload_len) + sizeof(*ip6) : 0;
	p->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	p->ttl = ip6->hop_limit;
	p->hdr_len = sizeof(*ip6);
	nexthdr = ip6->nexthdr;
	pos = ip6 + 1;

	for (i = 0; i <= TFLOW_MAX_IPV6_EXT; i++) {
		struct ipv6_opt_hdr_t *oh = pos;
		__u32 len;

		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
			if ((void *)(oh + 1) > data_end)
				goto bad_ext;
			len = ((__u32)oh->hdrlen + 1) * 8;
			break;
		case IPPROTO_AH:
			if ((void *)(oh + 1) > data_end)
				goto bad_ext;
			len = ((__u32)oh->hdrlen + 2) * 4;
			break;
		case IPPROTO_FRAGMENT: {
			struct ipv6_frag_hdr_t *fh = pos;

			if ((void *)(fh + 1) > data_end)
				goto bad_ext;
			if (fh->frag_off & bpf_htons(0xfff8)) {
				p->key.proto = fh->nexthdr;
				p->l4_off = p->l2_len + p->hdr_len + sizeof(*fh);
				p->frag = 1;
				st->fragments += p->weight;
				return PARSE_OK;
			}
			len = sizeof(*fh);
			break;
		}
		default:
			p->key.proto = nexthdr;
			p->l4_off = p->l2_len + p->hdr_len;
			parse_l4(pos, data_end, p, st);
			return PARSE_OK;
		}
		if (pos + len > data_end)
			goto bad_ext;
		nexthdr = oh->nexthdr;
		pos += len;
		p->hdr_len += len;
	}
bad_ext:
	st->err_ipv6_ext += p->weight;
	return PARSE_ERR;
}

/*
 * Parse the frame in [data, data_end) into p. Returns PARSE_OK with p filled, PARSE_NON_IP, or
 * PARSE_ERR after counting the reason in st. Reads only; never writes the packet.
 */
static __always_inline int parse_packet(void *data, void *data_end, struct pkt *p,
					struct tflow_stats *st)
{
	struct ethhdr *eth = data;
	void *pos = eth + 1;
	__be16 proto;
	int i;

	if (pos > data_end) {
		st->err_eth += p->weight;
		return PARSE_ERR;
	}
	proto = eth->h_proto;
	for (i = 0; i < TFLOW_MAX_VLAN_DEPTH; i++) {
		struct vlan_hdr_t *vh = pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end) {
			st->err_eth += p->weight;
			return PARSE_ERR;
		}
		proto = vh->encap_proto;
		pos = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		st->err_vlan_depth += p->weight;
		return PARSE_ERR;
	}
	p->l2_len = pos - data;
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(pos, data_end, p, st);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(pos, data_end, p, st);
	st->non_ip += p->weight;
	return PARSE_NON_IP;
}

#endif
