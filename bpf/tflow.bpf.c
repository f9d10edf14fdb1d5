/* SPDX-License-Identifier: GPL-2.0-only */
/* tflow.bpf.c - entry points: XDP on ingress, tc clsact on egress; both only observe. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tflow.h"
#include "maps.bpf.h"
#include "parse.bpf.h"
#include "sample.bpf.h"
#include "ctx.bpf.h"
#include "flow.bpf.h"

#define TC_ACT_OK 0

static __always_inline struct tflow_stats *stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&tflow_stats, &zero);
}

static __always_inline const struct tflow_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&tflow_config, &zero);
}

SEC("xdp")
int tflow_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct tflow_stats *st = stats_get();
	__u32 frame_len = (long)data_end - (long)data;
	const struct tflow_config *cfg;
	struct flow_ctx fc;
	struct pkt p = {};

	/* Keep frame_len a scalar: clang 14 otherwise folds it back into 32-bit pointer math. */
	asm volatile("" : "+r"(frame_len));
	if (!st)
		return XDP_PASS;
	p.weight = 1;
	st->seen++;
	if (parse_packet(data, data_end, &p, st) != PARSE_OK)
		return XDP_PASS;
	cfg = config_get();
	if (!sample_take(cfg, st, 1))
		return XDP_PASS;
	p.key.ifindex = ctx->ingress_ifindex;
	p.key.dir = TFLOW_DIR_INGRESS;
	/* A zero IP length field (jumbogram, BIG TCP) leaves the frame to say how long it is. */
	if (!p.ip_len)
		p.ip_len = frame_len - p.l2_len;
	/* The route forwarding would take from this interface. */
	fc = (struct flow_ctx){ .ctx = ctx,
				.data = data,
				.data_end = data_end,
				.cfg = cfg,
				.fib_ifindex = ctx->ingress_ifindex,
				.first_len = p.ip_len };
	/* The output interface is the FIB's answer, when asked for (TFLOW_COLLECT_FIB). */
	flow_account(&fc, &p, 1, p.ip_len, 0, st);
	return XDP_PASS;
}

SEC("tc")
int tflow_tc_egress(struct __sk_buff *skb)
{
	struct tflow_stats *st = stats_get();
	const struct tflow_config *cfg;
	void *data, *data_end;
	struct flow_ctx fc;
	struct pkt p = {};
	__u64 packets = 1, bytes;
	__u32 first_len;
	__u32 segs;

	if (!st)
		return TC_ACT_OK;
	/* A GSO super-packet leaves as gso_segs packets: every counter counts those. */
	segs = skb->gso_segs;
	p.weight = segs > 1 ? segs : 1;
	st->seen += p.weight;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + TFLOW_PULL_LEN > data_end) {
		/* Headers may sit in paged data; pulling only linearizes them, bytes are unchanged.
		 */
		__u32 want = skb->len;

		if (want > TFLOW_PULL_LEN)
			want = TFLOW_PULL_LEN;
		if (data + want > data_end) {
			bpf_skb_pull_data(skb, want);
			/* The pull invalidates every packet pointer: re-derive them. */
			data = (void *)(long)skb->data;
			data_end = (void *)(long)skb->data_end;
		}
	}
	if (parse_packet(data, data_end, &p, st) != PARSE_OK)
		return TC_ACT_OK;
	cfg = config_get();
	if (!sample_take(cfg, st, p.weight))
		return TC_ACT_OK;
	bytes = p.ip_len;
	/* A zero IP length field (BIG TCP, jumbogram) leaves the skb to say how long it is. */
	if (!bytes)
		bytes = skb->len - p.l2_len;
	first_len = bytes;
	if (p.weight > 1) {
		/* Each segment repeats the L3 and L4 headers. */
		packets = p.weight;
		bytes += (__u64)(p.weight - 1) * p.hdr_len;
		first_len = p.hdr_len + skb->gso_size;
	}
	p.key.ifindex = skb->ifindex;
	p.key.dir = TFLOW_DIR_EGRESS;
	/* The packet leaves by skb->ifindex already: the FIB says by which gateway. */
	fc = (struct flow_ctx){ .ctx = skb,
				.data = data,
				.data_end = data_end,
				.cfg = cfg,
				.fib_ifindex = skb->ifindex,
				.fib_flags = BPF_FIB_LOOKUP_OUTPUT,
				.first_len = first_len };
	flow_account(&fc, &p, packets, bytes, skb->ingress_ifindex, st);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
