/* SPDX-License-Identifier: GPL-2.0-only */
/* tflow.h - structs and constants shared by the BPF datapath and userspace. */
#ifndef TFLOW_H
#define TFLOW_H

#ifndef __bpf__
#include <linux/types.h> /* BPF side: vmlinux.h already has these types */
#endif

/*
 * Only fixed-width kernel types here: this header is compiled both against vmlinux.h (BPF) and
 * <linux/types.h> (userspace). Every struct is padded explicitly: the flow key is hashed as bytes,
 * so a hole would make equal flows hash differently.
 */

#define TFLOW_DIR_INGRESS 0 /* seen by the XDP program */
#define TFLOW_DIR_EGRESS 1  /* seen by the tc clsact egress program */

#define TFLOW_MAX_VLAN_DEPTH 2 /* 802.1ad outer + 802.1Q inner (QinQ) */
#define TFLOW_MAX_IPV6_EXT 8   /* extension headers followed before giving up */

#define TFLOW_PIN_DIR "/sys/fs/bpf/tflow"

/* Flow key. Addresses in network byte order; IPv4 as v4-mapped IPv6 (::ffff:a.b.c.d). */
struct tflow_key {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;  /* network order; 0 for protocols without ports and non-first fragments */
	__be16 dport;  /* network order; ICMP/ICMPv6: type * 256 + code, as NetFlow does */
	__u32 ifindex; /* host order; interface the packet was observed on */
	__u8 proto;    /* IP protocol number (IPv6: the upper-layer protocol after extensions) */
	__u8 dir;      /* TFLOW_DIR_* */
	__u8 family;   /* 4 or 6 */
	__u8 pad;
};
_Static_assert(sizeof(struct tflow_key) == 44, "tflow_key must have no holes");

/*
 * Flow value: cumulative since the flow entered the cache; counters updated with atomic adds.
 * 40 bytes: the key already names the interface the flow was observed on, so one more ifindex
 * says the other one, and TCP flags, ToS and TTL share one word.
 */
struct tflow_value {
	__u64 packets;
	__u64 bytes; /* IP bytes (IPv4 total length, IPv6 payload length + 40), as NetFlow counts */
	/*
	 * CLOCK_MONOTONIC_COARSE ns (bpf_ktime_get_coarse_ns) of the first and the latest packet:
	 * at most one tick (1-10 ms) behind CLOCK_MONOTONIC, never ahead of it.
	 */
	__u64 first_ns;
	__u64 last_ns;
	/*
	 * host order; the flow's other interface. Egress flows: the interface the packet came in on
	 * (0 when the host itself sent it). Ingress flows: the FIB's egress interface when the
	 * datapath looked it up (TFLOW_COLLECT_FIB), else 0.
	 */
	__u32 peer_ifindex;
	/* TFLOW_ATTR_*: OR of the TCP flags; ToS and TTL of the first packet */
	__u32 flags_tos_ttl;
};
_Static_assert(sizeof(struct tflow_value) == 40, "tflow_value must have no holes");

/*
 * A remover (bpf/iter.bpf.c) swaps both counters of a flow for this mark, packets first, just
 * before it deletes the flow: the swap returns the final counters, and an add that lands after it
 * sees the mark in the value it fetches, so it knows its packet was not taken (bpf/flow.bpf.h).
 */
#define TFLOW_TAKEN (1ULL << 63)

/*
 * tflow_value.flags_tos_ttl: bits 0-7 the OR of the TCP flags byte of every packet (updated with
 * an atomic OR), bits 8-15 the first packet's ToS (IPv6 traffic class), bits 16-23 its TTL (IPv6
 * hop limit), bits 24-31 zero.
 */
#define TFLOW_ATTRS(flags, tos, ttl) ((__u32)(flags) | (__u32)(tos) << 8 | (__u32)(ttl) << 16)
#define TFLOW_ATTR_TCP_FLAGS(w) ((__u8)((w)&0xff))
#define TFLOW_ATTR_TOS(w) ((__u8)(((w) >> 8) & 0xff))
#define TFLOW_ATTR_TTL(w) ((__u8)(((w) >> 16) & 0xff))

/* The input and output interfaces of a flow, from its key and peer_ifindex (host order). */
static inline __u32 tflow_in_ifindex(const struct tflow_key *k, __u32 peer_ifindex)
{
	return k->dir == TFLOW_DIR_INGRESS ? k->ifindex : peer_ifindex;
}

static inline __u32 tflow_out_ifindex(const struct tflow_key *k, __u32 peer_ifindex)
{
	return k->dir == TFLOW_DIR_INGRESS ? peer_ifindex : k->ifindex;
}

/* Record sent on the `tflow_overflow` ring buffer when `tflow_flows` is full: one packet. */
struct tflow_overflow_rec {
	struct tflow_key key;
	__u32 bytes;
	__u64 ts_ns; /* CLOCK_MONOTONIC_COARSE ns, as tflow_value */
	__u32 in_ifindex;
	__u32 out_ifindex;
	__u8 tcp_flags;
	__u8 tos;
	__u8 ttl;
	__u8 pad[5];
	__u32 packets; /* >1 only for a GSO super-packet seen at tc egress */
};
_Static_assert(sizeof(struct tflow_overflow_rec) == 80, "tflow_overflow_rec must have no holes");

/*
 * First-packet fields of a flow, gathered when the flow is inserted and only when
 * tflow_config.collect asks for it; never updated afterwards. The datapath hands them to
 * userspace on the `tflow_ext_ring` ring buffer (struct tflow_ext_rec), right after the flow's
 * tflow_flows entry is written: one hash insert per new flow, not two. Multi-byte numbers in
 * host order; MAC and gateway addresses in wire order. A field the first packet does not have
 * (TCP fields of a UDP flow, the transport fields of a non-first fragment, ...) is 0.
 */
struct tflow_ext {
	__u8 src_mac[6];   /* Ethernet source of the first packet */
	__u8 dst_mac[6];   /* Ethernet destination of the first packet */
	__u32 tcp_seq;	   /* TCP: sequence number of the first packet */
	__u32 tcp_ack;	   /* TCP: acknowledgment number of the first packet (even without ACK) */
	__u16 tcp_win;	   /* TCP: window of the first packet (unscaled, as on the wire) */
	__u16 ip_tot_len;  /* bytes: IPv4 total length / IPv6 payload length + 40 (max 65535) */
	__u16 udp_len;	   /* UDP (protocol 17 only): the UDP header's length field */
	__u8 ip_hdr_len;   /* bytes: IPv4 IHL * 4; IPv6 40 + extension headers (max 255) */
	__u8 igmp_type;	   /* IGMP (IPv4 protocol 2): type of the first packet */
	__u32 flow_label;  /* IPv6 flow label (20 bits) of the first packet; IPv4: 0 */
	__u8 gateway[16];  /* FIB next hop (v4-mapped for IPv4); zero: directly connected/unknown */
	__u32 fib_ifindex; /* FIB egress interface (TFLOW_COLLECT_FIB), 0 when the lookup failed */
	__u8 fib_ok;	   /* 1 when the FIB lookup ran and found a route */
	__u8 collected;	   /* TFLOW_COLLECT_* bits that filled this entry: 0 = nothing collected */
	__u8 pad[2];
};
_Static_assert(sizeof(struct tflow_ext) == 56, "tflow_ext must have no holes");

/*
 * A flow's first-packet fields as userspace keeps them: with the flow's first_ns, which tells
 * them from the fields of a later flow of the same key. The value of the pinned `tflow_ext` hash
 * map, where a restarting tflow leaves what it holds for the next run.
 */
struct tflow_ext_entry {
	__u64 first_ns; /* tflow_value.first_ns of the flow */
	struct tflow_ext ext;
};
_Static_assert(sizeof(struct tflow_ext_entry) == 64, "tflow_ext_entry must have no holes");

/* One record on the `tflow_ext_ring` ring buffer: a new flow's key and first-packet fields. */
struct tflow_ext_rec {
	struct tflow_key key;
	__u32 pad;
	struct tflow_ext_entry e;
};
_Static_assert(sizeof(struct tflow_ext_rec) == 112, "tflow_ext_rec must have no holes");

/* tflow_config.collect bits: what the datapath gathers beyond the counters, on insert only. */
#define TFLOW_COLLECT_EXT 0x1 /* fill struct tflow_ext of each new flow */
#define TFLOW_COLLECT_FIB 0x2 /* bpf_fib_lookup() for gateway / out-interface of new flows */

/* Runtime configuration, one entry in the `tflow_config` array map (rewritable on reload). */
struct tflow_config {
	__u32 sampling_interval; /* 0 = sampling off: every packet is accounted */
	__u32 sampling_space;	 /* packets skipped after each sampling_interval sampled */
	__u32 collect;		 /* TFLOW_COLLECT_* */
	__u32 pad;
};

/* Per-CPU sampling position, one entry in the `tflow_sampler` per-CPU array. */
struct tflow_sampler {
	__u64 pos;
};

/*
 * Counters, one entry in the per-CPU `tflow_stats` array; userspace sums the CPUs. They count
 * wire packets: a GSO super-packet at tc egress counts as its gso_segs segments everywhere.
 * Every packet seen lands in exactly one of: non_ip, one err_* reason, skipped, or accounted.
 * Every accounted packet lands in exactly one of: map (an existing or new flow), overflow, lost.
 */
struct tflow_stats {
	__u64 seen;	      /* packets the programs ran on */
	__u64 non_ip;	      /* not IPv4/IPv6 (ARP, LLDP, ...): passed, not a flow */
	__u64 err_eth;	      /* truncated Ethernet or VLAN header */
	__u64 err_vlan_depth; /* more than TFLOW_MAX_VLAN_DEPTH VLAN tags */
	__u64 err_ip_trunc;   /* truncated IPv4/IPv6 header */
	__u64 err_ip_version; /* ethertype says IPv4/IPv6 but the version field disagrees */
	__u64 err_ip_ihl;     /* IPv4 IHL < 5 or beyond the packet */
	__u64 err_ip_len;     /* IPv4 total length < header length */
	__u64 err_ipv6_ext;   /* truncated extension header or more than TFLOW_MAX_IPV6_EXT */
	__u64 sampled;	      /* IP packets taken by sampling (== accounted when sampling is off) */
	__u64 skipped;	      /* IP packets left out by sampling: never in a flow */
	__u64 accounted;      /* IP packets counted into flows */
	__u64 flows_created;  /* new entries inserted into tflow_flows */
	__u64 cache_full;     /* inserts refused because tflow_flows was full */
	__u64 overflow;	      /* packets sent to userspace on tflow_overflow instead */
	__u64 lost;	      /* packets neither in the map nor on the ring buffer */
	__u64 l4_trunc;	   /* accounted with ports 0: transport header truncated (informational) */
	__u64 l4_bad_doff; /* accounted with ports 0: TCP data offset < 5 (informational) */
	__u64 fragments;   /* non-first fragments, accounted with ports 0 (informational) */
	__u64 ext_failed;  /* new flows whose first-packet fields found tflow_ext_ring full */
};

#endif /* TFLOW_H */
