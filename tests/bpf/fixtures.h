/* SPDX-License-Identifier: GPL-2.0-only */
/* fixtures.h - the fixture table's types: frames to run and the exact map contents expected. */
#ifndef TFLOW_TEST_FIXTURES_H
#define TFLOW_TEST_FIXTURES_H

#include <stddef.h>
#include <linux/types.h>

#include "tflow.h"
#include "frames.h"

#define LO 1	   /* loopback's ifindex in any netns: XDP rxq and tc skb->dev in test_run */
#define SKB_IIF 42 /* __sk_buff ingress_ifindex given to tc (skb_iif: any number is taken) */
#define MAX_PKTS 4
#define MAX_FLOWS 4

/*
 * Row shorthands. XDP flows are seen on lo (test_run's default rxq); tc runs with __sk_buff
 * ifindex lo and ingress_ifindex SKB_IIF, which become the key's ifindex and in/out_ifindex.
 */
#define IN .dir = TFLOW_DIR_INGRESS, .ifindex = LO, .in_if = LO, .out_if = 0
#define OUT .dir = TFLOW_DIR_EGRESS, .ifindex = LO, .in_if = SKB_IIF, .out_if = LO
#define NEW_FLOW .seen = 1, .sampled = 1, .accounted = 1, .flows_created = 1

/* One expected flow. Zero src/dst/ttl mean the builder's defaults (fspec). */
struct fx_flow {
	__u8 family; /* 0 ends the list */
	const char *src, *dst;
	__u8 proto;
	__u16 sport, dport; /* host order here; the key holds them in network order */
	__u8 dir;
	__u32 ifindex;
	__u64 packets, bytes;
	__u8 tcp_flags, tos, ttl;
	__u32 in_if, out_if;
	const struct tflow_ext *ext; /* its tflow_ext_ring record's fields, exactly; NULL: none */
};

struct fixture {
	const char *name;
	struct fspec pkt[MAX_PKTS]; /* sent in order */
	int npkt;		    /* 0 = 1 */
	int times;		    /* each frame sent this many times, one run each (0 = 1) */
	int repeat;		    /* bpf_test_run_opts.repeat of each run (0 = 1) */
	struct tflow_config cfg;    /* written before the frames, zeroed after (collect too) */
	struct fx_flow flows[MAX_FLOWS];
	struct tflow_stats stats; /* summed over CPUs */
};

extern const struct fixture fixtures[];
extern const size_t fixtures_count;
/* fixtures_ext.c: first-packet fields of new flows on tflow_ext_ring (TFLOW_COLLECT_EXT) */
extern const struct fixture fixtures_ext[];
extern const size_t fixtures_ext_count;
extern const struct tflow_ext fx_ext_udp4; /* of an IPv4 UDP frame with 20 bytes of payload */

#endif
