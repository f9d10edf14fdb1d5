/* SPDX-License-Identifier: GPL-2.0-only */
/* proto.bpf.h - the wire constants and headers the BPF side uses that vmlinux.h lacks. */
#ifndef TFLOW_PROTO_BPF_H
#define TFLOW_PROTO_BPF_H

#include "vmlinux.h"

/*
 * vmlinux.h has what the kernel's BTF has: enums, not the uapi #defines. IPPROTO_ICMP, IGMP, TCP,
 * UDP, AH, SCTP and UDPLITE are an enum there and are used from it, not defined again.
 */

/* EtherTypes (linux/if_ether.h) */
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8

/* IPv6 next headers (linux/in6.h) */
#define IPPROTO_HOPOPTS 0
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_DSTOPTS 60
#define IPPROTO_MH 135
#define IPPROTO_ICMPV6 58

/* Address families, as bpf_fib_lookup() takes them (linux/socket.h) */
#define AF_INET 2
#define AF_INET6 10

/* The VLAN tag after the MAC addresses (802.1Q, 802.1ad): the EtherType it carries follows. */
struct vlan_hdr_t {
	__be16 tci;
	__be16 encap_proto;
};

/* The leading bytes every IPv6 extension header shares; AH counts hdrlen in other units. */
struct ipv6_opt_hdr_t {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct ipv6_frag_hdr_t {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset << 3 | flags */
	__be32 id;
};

#endif
