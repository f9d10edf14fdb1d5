/* SPDX-License-Identifier: GPL-2.0-only */
/* naive.bpf.c - the bench's baseline flow counter: a 5-tuple hash map and two atomic adds. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_OK 0
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/* IPv4 addresses sit in the last 4 bytes of the 16: one key for both families, no holes. */
struct naive_key {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct naive_value {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072); /* the bench sets it to tflow's size before load */
	__type(key, struct naive_key);
	__type(value, struct naive_value);
} naive_flows SEC(".maps");

static __always_inline void naive_count(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct naive_key k = {};
	struct naive_value *v, nv;
	__be16 *ports;
	__u64 len;

	if ((void *)(eth + 1) > data_end)
		return;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return;
		__builtin_memcpy(k.src + 12, &ip->saddr, 4);
		__builtin_memcpy(k.dst + 12, &ip->daddr, 4);
		k.proto = ip->protocol;
		len = bpf_ntohs(ip->tot_len);
		ports = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return;
		__builtin_memcpy(k.src, &ip6->saddr, 16);
		__builtin_memcpy(k.dst, &ip6->daddr, 16);
		k.proto = ip6->nexthdr;
		len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		ports = (void *)(ip6 + 1);
	} else {
		return;
	}
	if ((k.proto == IPPROTO_TCP || k.proto == IPPROTO_UDP) && (void *)(ports + 2) <= data_end) {
		k.sport = ports[0];
		k.dport = ports[1];
	}
	v = bpf_map_lookup_elem(&naive_flows, &k);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, len);
		return;
	}
	nv.packets = 1;
	nv.bytes = len;
	bpf_map_update_elem(&naive_flows, &k, &nv, BPF_NOEXIST);
}

SEC("xdp")
int naive_xdp(struct xdp_md *ctx)
{
	naive_count((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

SEC("tc")
int naive_tc(struct __sk_buff *skb)
{
	naive_count((void *)(long)skb->data, (void *)(long)skb->data_end);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
