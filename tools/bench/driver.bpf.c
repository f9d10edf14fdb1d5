/* SPDX-License-Identifier: GPL-2.0-only */
/* driver.bpf.c - bench harness: give each run of a program under test a flow of its own. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

/*
 * The frames are the bench's own (tools/bench/frames.h): Ethernet, then IPv4 or IPv6 without
 * options or extension headers, then UDP. Flow number i is written into the UDP ports: the source
 * port takes its low 16 bits, the destination port the high 16 bits, so 2^32 flows are distinct
 * and the IPv4 header checksum stays valid (UDP over IPv4 carries checksum 0, "none").
 */
#define OFF_ETHERTYPE 12
#define OFF_V4_PORTS (14 + 20)
#define OFF_V6_PORTS (14 + 40)
#define FRAME_MIN (OFF_V6_PORTS + 8)

/* Written by userspace between runs (the skeleton's .bss). */
__u32 nflows; /* flows cycled through; 0: a new flow every packet */
__u64 next;   /* the next flow number, counted from first */
__u64 first;  /* added to every flow number: the generator's filler flows sit apart */
__u64 runs;   /* frames rewritten */

/* The program under test, slot 0; one array per program type (a prog array has one owner type). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} drv_target_xdp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} drv_target_tc SEC(".maps");

static __always_inline int retag(__u8 *data, void *data_end)
{
	__u64 i = next + first;
	__u32 hi, lo;

	if ((void *)(data + FRAME_MIN) > data_end)
		return -1;
	next++;
	if (nflows && next >= nflows)
		next = 0;
	runs++;
	lo = i & 0xffff;
	hi = (i >> 16) & 0xffff;
	if (data[OFF_ETHERTYPE] == 0x08 && data[OFF_ETHERTYPE + 1] == 0x00)
		data += OFF_V4_PORTS;
	else
		data += OFF_V6_PORTS;
	data[0] = lo >> 8;
	data[1] = lo;
	data[2] = hi >> 8;
	data[3] = hi;
	return 0;
}

/* Datapath bench: retag the frame, then run the program under test (slot 0) on it. */
SEC("xdp")
int drv_xdp(struct xdp_md *ctx)
{
	if (retag((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &drv_target_xdp, 0);
	return XDP_ABORTED; /* empty slot: userspace checks the return value */
}

SEC("tc")
int drv_tc(struct __sk_buff *skb)
{
	if (retag((void *)(long)skb->data, (void *)(long)skb->data_end))
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &drv_target_tc, 0);
	return TC_ACT_SHOT;
}

/* Traffic generator (BPF_F_TEST_XDP_LIVE_FRAMES): retag and send out of the ingress device. */
SEC("xdp")
int gen_xdp(struct xdp_md *ctx)
{
	if (retag((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_DROP;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
