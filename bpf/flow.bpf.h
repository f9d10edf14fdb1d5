/* flow.bpf.h - account one packet into the flow cache, or the overflow ring when it is full. */
#ifndef TFLOW_FLOW_BPF_H
#define TFLOW_FLOW_BPF_H

#define E2BIG 7
#define EEXIST 17

static __always_inline void flow_add(struct tflow_value *v, __u64 packets, __u64 bytes, __u64 now,
				     __u8 tcp_flags)
{
	__sync_fetch_and_add(&v->packets, packets);
	__sync_fetch_and_add(&v->bytes, bytes);
	v->last_ns = now;
	/* Most packets add no new flag: skip the atomic when the OR would not change anything. */
	if ((v->tcp_flags | tcp_flags) != v->tcp_flags)
		__sync_fetch_and_or(&v->tcp_flags, (__u32)tcp_flags);
}

/* The cache is full: hand the packet to userspace, or count it lost if the ring is full too. */
static __always_inline void flow_overflow(const struct pkt *p, __u64 packets, __u64 bytes,
					  __u64 now, __u32 in_if, __u32 out_if,
					  struct tflow_stats *st)
{
	struct tflow_overflow_rec *r;

	st->cache_full++; /* insert attempts, not packets */
	r = bpf_ringbuf_reserve(&tflow_overflow, sizeof(*r), 0);
	if (!r) {
		st->lost += packets;
		return;
	}
	__builtin_memcpy(&r->key, &p->key, sizeof(r->key));
	r->bytes = bytes;
	r->packets = packets;
	r->ts_ns = now;
	r->in_ifindex = in_if;
	r->out_ifindex = out_if;
	r->tcp_flags = p->tcp_flags;
	r->tos = p->tos;
	r->ttl = p->ttl;
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	bpf_ringbuf_submit(r, 0);
	st->overflow += packets;
}

/* Count packets/bytes of p into its flow. Every call lands in map, overflow or lost. */
static __always_inline void flow_account(const struct pkt *p, __u64 packets, __u64 bytes,
					 __u32 in_if, __u32 out_if, struct tflow_stats *st)
{
	__u64 now = bpf_ktime_get_ns();
	struct tflow_value *v;
	struct tflow_value nv;
	long err;

	st->accounted += packets;
	v = bpf_map_lookup_elem(&tflow_flows, &p->key);
	if (v) {
		flow_add(v, packets, bytes, now, p->tcp_flags);
		return;
	}
	nv.packets = packets;
	nv.bytes = bytes;
	nv.first_ns = now;
	nv.last_ns = now;
	nv.tcp_flags = p->tcp_flags;
	nv.in_ifindex = in_if;
	nv.out_ifindex = out_if;
	nv.tos = p->tos;
	nv.ttl = p->ttl;
	nv.pad[0] = 0;
	nv.pad[1] = 0;
	err = bpf_map_update_elem(&tflow_flows, &p->key, &nv, BPF_NOEXIST);
	if (!err) {
		st->flows_created++;
		return;
	}
	if (err == -EEXIST) {
		/* Another CPU inserted the same flow between our lookup and insert. */
		v = bpf_map_lookup_elem(&tflow_flows, &p->key);
		if (v) {
			flow_add(v, packets, bytes, now, p->tcp_flags);
			return;
		}
	}
	if (err == -E2BIG || err == -EEXIST) {
		flow_overflow(p, packets, bytes, now, in_if, out_if, st);
		return;
	}
	st->lost += packets;
}

#endif
