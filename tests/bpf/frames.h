/* SPDX-License-Identifier: GPL-2.0-only */
/* frames.h - packed header structs and a builder for the datapath test frames (no scapy). */
#ifndef TFLOW_TEST_FRAMES_H
#define TFLOW_TEST_FRAMES_H

#include <arpa/inet.h>
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FRAME_MAX 1024
#define FRAME_MAX_VLAN 4
#define FRAME_MAX_EXT 12

#define F_ETH_P_IP 0x0800
#define F_ETH_P_ARP 0x0806
#define F_ETH_P_IPV6 0x86dd
#define F_ETH_P_8021Q 0x8100
#define F_ETH_P_8021AD 0x88a8

#define F_HOPOPTS 0
#define F_ICMP 1
#define F_IGMP 2
#define F_TCP 6
#define F_UDP 17
#define F_ROUTING 43
#define F_FRAGMENT 44
#define F_GRE 47
#define F_AH 51
#define F_ICMPV6 58
#define F_DSTOPTS 60
#define F_SCTP 132
#define F_UDPLITE 136

#define F_TCP_FIN 0x01
#define F_TCP_SYN 0x02
#define F_TCP_RST 0x04
#define F_TCP_PSH 0x08
#define F_TCP_ACK 0x10

#define F_IP_MF 0x2000 /* IPv4 frag_off: more fragments; the offset is the low 13 bits */

/* Wire headers, byte for byte. Multi-byte fields are stored in network order by the builder. */
struct f_eth {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t proto;
} __attribute__((packed));

struct f_vlan {
	uint16_t tci;
	uint16_t proto;
} __attribute__((packed));

struct f_ipv4 {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t proto;
	uint16_t check;
	uint8_t saddr[4];
	uint8_t daddr[4];
} __attribute__((packed));

struct f_ipv6 {
	uint32_t ver_tc_flow;
	uint16_t payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	uint8_t saddr[16];
	uint8_t daddr[16];
} __attribute__((packed));

struct f_ipv6_ext { /* hop-by-hop, routing, destination options, AH: length follows */
	uint8_t nexthdr;
	uint8_t hdrlen;
} __attribute__((packed));

struct f_ipv6_frag {
	uint8_t nexthdr;
	uint8_t reserved;
	uint16_t frag_off; /* offset << 3 | M */
	uint32_t id;
} __attribute__((packed));

struct f_tcp {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t doff_res;
	uint8_t flags;
	uint16_t window;
	uint16_t check;
	uint16_t urg;
} __attribute__((packed));

struct f_udp { /* UDP and UDP-Lite */
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t check;
} __attribute__((packed));

struct f_sctp {
	uint16_t sport;
	uint16_t dport;
	uint32_t vtag;
	uint32_t check;
} __attribute__((packed));

struct f_icmp { /* ICMP and ICMPv6 echo */
	uint8_t type;
	uint8_t code;
	uint16_t check;
	uint16_t id;
	uint16_t seq;
} __attribute__((packed));

_Static_assert(sizeof(struct f_ipv4) == 20 && sizeof(struct f_ipv6) == 40, "ip headers");
_Static_assert(sizeof(struct f_tcp) == 20 && sizeof(struct f_sctp) == 12, "l4 headers");

struct f_ext_spec {
	uint8_t type;	/* F_HOPOPTS, F_ROUTING, F_DSTOPTS, F_FRAGMENT, F_AH */
	uint8_t hdrlen; /* the header's length field (ignored for F_FRAGMENT) */
};

enum { RUN_XDP = 0, RUN_TC = 1 };

/*
 * One frame and how it is run. Zero means the usual: no VLAN, 10.0.0.1 -> 10.0.0.2 (IPv6:
 * 2001:db8::1 -> 2001:db8::2), IHL 5, TTL 64, TCP doff 5, lengths computed from what is emitted,
 * frame not cut, run through XDP on CPU 0.
 */
struct fspec {
	uint16_t tpid[FRAME_MAX_VLAN]; /* VLAN tags, outermost first, 0 ends the list */
	uint16_t ethertype;	       /* 0: from family */
	uint8_t family;		       /* 4, 6, or 0 for a non-IP payload of `payload` bytes */
	const char *src, *dst;
	uint8_t tos, ttl;
	uint8_t ihl;   /* IPv4 header length in words; > 5 emits NOP options */
	uint16_t frag; /* IPv4 frag_off field, host order (F_IP_MF | offset) */
	bool len_set;  /* write ip_len into tot_len / payload_len instead of the real length */
	uint16_t ip_len;
	struct f_ext_spec ext[FRAME_MAX_EXT]; /* IPv6 extension chain */
	int next;
	uint16_t frag6; /* IPv6 fragment header frag_off, host order (offset << 3 | M) */
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t doff;
	uint32_t tcp_seq, tcp_ack;    /* 0: seq 1000, ack 0 */
	uint16_t tcp_win;	      /* 0: 65535 */
	uint8_t icmp_type, icmp_code; /* IGMP: icmp_type is the IGMP type (0: 0xab) */
	uint16_t payload;	      /* bytes after the L4 header */
	uint16_t trunc;		      /* > 0: cut the frame to this many bytes */
	/* How to run it, not part of the bytes. */
	uint8_t prog;	   /* RUN_XDP or RUN_TC */
	uint8_t cpu;	   /* CPU to run on (the test process lives on CPU 0) */
	bool no_ctx;	   /* run without ctx_in: the kernel picks the interface */
	uint16_t gso_segs; /* tc only: __sk_buff gso_segs/gso_size */
	uint16_t gso_size;
};

struct fbuf {
	uint8_t b[FRAME_MAX];
	size_t len;
};

static inline void *f_put(struct fbuf *f, size_t n, uint8_t fill)
{
	void *p = f->b + f->len;

	assert(f->len + n <= sizeof(f->b));
	memset(p, fill, n);
	f->len += n;
	return p;
}

static inline uint16_t f_csum(const void *data, size_t n)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static inline void f_addr(int family, const char *s, const char *dflt, uint8_t *out)
{
	int ok = inet_pton(family == 4 ? AF_INET : AF_INET6, s ? s : dflt, out);

	assert(ok == 1);
}

/* Transport header of s->proto, then the payload. Other protocols get 8 bytes of 0xab. */
static inline void f_put_l4(struct fbuf *f, const struct fspec *s)
{
	switch (s->proto) {
	case F_TCP: {
		uint8_t doff = s->doff ? s->doff : 5;
		size_t hl = doff > 5 ? doff * 4u : sizeof(struct f_tcp);
		struct f_tcp *th = f_put(f, hl, 1 /* NOP options */);

		memset(th, 0, sizeof(*th));
		th->sport = htons(s->sport);
		th->dport = htons(s->dport);
		th->seq = htonl(s->tcp_seq ? s->tcp_seq : 1000);
		th->ack = htonl(s->tcp_ack);
		th->doff_res = doff << 4;
		th->flags = s->tcp_flags;
		th->window = htons(s->tcp_win ? s->tcp_win : 65535);
		break;
	}
	case F_UDP:
	case F_UDPLITE: {
		struct f_udp *uh = f_put(f, sizeof(*uh), 0);

		uh->sport = htons(s->sport);
		uh->dport = htons(s->dport);
		uh->len = htons(sizeof(*uh) + s->payload);
		break;
	}
	case F_SCTP: {
		struct f_sctp *sh = f_put(f, sizeof(*sh), 0);

		sh->sport = htons(s->sport);
		sh->dport = htons(s->dport);
		sh->vtag = htonl(0x11223344);
		break;
	}
	case F_ICMP:
	case F_ICMPV6: {
		struct f_icmp *ih = f_put(f, sizeof(*ih), 0);

		ih->type = s->icmp_type;
		ih->code = s->icmp_code;
		ih->id = htons(0x4242);
		ih->seq = htons(1);
		break;
	}
	default: {
		uint8_t *b = f_put(f, 8, 0xab);

		if (s->proto == F_IGMP && s->icmp_type)
			b[0] = s->icmp_type;
		break;
	}
	}
	f_put(f, s->payload, 0x5a);
}

static inline void f_put_ipv6_ext(struct fbuf *f, const struct fspec *s)
{
	for (int i = 0; i < s->next; i++) {
		uint8_t next = i + 1 < s->next ? s->ext[i + 1].type : s->proto;
		const struct f_ext_spec *e = &s->ext[i];

		if (e->type == F_FRAGMENT) {
			struct f_ipv6_frag *fh = f_put(f, sizeof(*fh), 0);

			fh->nexthdr = next;
			fh->frag_off = htons(s->frag6);
			fh->id = htonl(0xcafe);
		} else {
			size_t len = e->type == F_AH ? (e->hdrlen + 2u) * 4 : (e->hdrlen + 1u) * 8;
			struct f_ipv6_ext *oh = f_put(f, len, 0);

			oh->nexthdr = next;
			oh->hdrlen = e->hdrlen;
			if (e->type != F_AH) { /* one PadN option filling the header */
				((uint8_t *)oh)[2] = 1;
				((uint8_t *)oh)[3] = len - 4;
			}
		}
	}
}

/* Builds the frame s describes into out; returns its length. */
static inline size_t frame_build(const struct fspec *s, uint8_t *out, size_t out_size)
{
	static struct fbuf f;
	struct f_eth *eth;
	size_t proto_off; /* where the ethertype of the next header goes */
	uint16_t ethertype;
	size_t l3;

	memset(&f, 0, sizeof(f));
	eth = f_put(&f, sizeof(*eth), 0);
	memcpy(eth->dst, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(eth->src, "\x02\x00\x00\x00\x00\x01", 6);
	proto_off = offsetof(struct f_eth, proto);
	for (int i = 0; i < FRAME_MAX_VLAN && s->tpid[i]; i++) {
		struct f_vlan *vh = f_put(&f, sizeof(*vh), 0);

		ethertype = htons(s->tpid[i]);
		memcpy(f.b + proto_off, &ethertype, 2);
		vh->tci = htons(100 + i);
		proto_off = f.len - sizeof(*vh) + offsetof(struct f_vlan, proto);
	}
	if (s->ethertype)
		ethertype = htons(s->ethertype);
	else if (s->family == 4)
		ethertype = htons(F_ETH_P_IP);
	else if (s->family == 6)
		ethertype = htons(F_ETH_P_IPV6);
	else
		ethertype = htons(F_ETH_P_ARP);
	memcpy(f.b + proto_off, &ethertype, 2);
	l3 = f.len;
	if (s->family == 4) {
		uint8_t ihl = s->ihl ? s->ihl : 5;
		size_t hl = ihl > 5 ? ihl * 4u : sizeof(struct f_ipv4);
		struct f_ipv4 *iph = f_put(&f, hl, 1 /* NOP options */);

		memset(iph, 0, sizeof(*iph));
		iph->ver_ihl = 4 << 4 | ihl;
		iph->tos = s->tos;
		iph->id = htons(0x1234);
		iph->frag_off = htons(s->frag);
		iph->ttl = s->ttl ? s->ttl : 64;
		iph->proto = s->proto;
		f_addr(4, s->src, "10.0.0.1", iph->saddr);
		f_addr(4, s->dst, "10.0.0.2", iph->daddr);
		f_put_l4(&f, s);
		iph = (struct f_ipv4 *)(f.b + l3);
		iph->tot_len = htons(s->len_set ? s->ip_len : f.len - l3);
		iph->check = f_csum(iph, hl);
	} else if (s->family == 6) {
		struct f_ipv6 *ip6 = f_put(&f, sizeof(*ip6), 0);

		ip6->ver_tc_flow = htonl(6u << 28 | (uint32_t)s->tos << 20 | 0x12345);
		ip6->nexthdr = s->next ? s->ext[0].type : s->proto;
		ip6->hop_limit = s->ttl ? s->ttl : 64;
		f_addr(6, s->src, "2001:db8::1", ip6->saddr);
		f_addr(6, s->dst, "2001:db8::2", ip6->daddr);
		f_put_ipv6_ext(&f, s);
		f_put_l4(&f, s);
		ip6 = (struct f_ipv6 *)(f.b + l3);
		ip6->payload_len = htons(s->len_set ? s->ip_len : f.len - l3 - sizeof(*ip6));
	} else {
		f_put(&f, s->payload, 0x42);
	}
	if (s->trunc) {
		assert(s->trunc <= f.len);
		f.len = s->trunc;
	}
	assert(f.len <= out_size);
	memcpy(out, f.b, f.len);
	return f.len;
}

#endif
