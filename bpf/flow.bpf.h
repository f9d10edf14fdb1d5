/* SPDX-License-Identifier: GPL-2.0-only */
/* flow.bpf.h - account one packet into the flow cache, or the overflow ring when it is full. */
#ifndef TFLOW_FLOW_BPF_H
#define TFLOW_FLOW_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tflow.h"
#include "maps.bpf.h"
#include "ctx.bpf.h"
#include "parse.bpf.h"
#include "ext.bpf.h"

#define E2BIG 7
#define EEXIST 17

/*
 * Add to the flow v. Returns true when v was taken (TFLOW_TAKEN, include/tflow.h) before the add:
 * the packets are not in what its remover exported, and *packets / *bytes are left set to what
 * must be accounted again. Bytes are added before packets, while a remover takes packets before
 * bytes, and the fetching atomics are fully ordered, so:
 * - packets landed before the take: the bytes, added earlier, did too; all exported.
 * - packets landed after the take, bytes after it too: account both again.
 * - packets after the take, bytes before it: the remover exported the bytes; account the packets
 *   again with 0 bytes.
 * The fourth case, packets taken but not the bytes, would need bytes after the packets' take and
 * packets before the bytes' take: bytes-add < packets-add < packets-take < bytes-take, a cycle.
 */
static __always_inline bool flow_add(struct tflow_value *v, __u64 *packets, __u64 *bytes, __u64 now,
				     __u32 tcp_flags)
{
	__u64 ob = __sync_fetch_and_add(&v->bytes, *bytes);
	__u64 op = __sync_fetch_and_add(&v->packets, *packets);

	if (op & TFLOW_TAKEN) {
		if (!(ob & TFLOW_TAKEN))
			*bytes = 0;
		return true;
	}
	v->last_ns = now;
	/*
	 * Most packets add no new flag: skip the atomic when the OR would not change anything. The
	 * flags share the word with ToS and TTL, which the OR of the low byte leaves alone.
	 */
	if ((v->flags_tos_ttl | tcp_flags) != v->flags_tos_ttl)
		__sync_fetch_and_or(&v->flags_tos_ttl, tcp_flags);
	return false;
}

/* The cache is full: hand the packet to userspace, or count it lost if the ring is full too. */
static __always_inline void flow_overflow(const struct pkt *p, __u64 packets, __u64 bytes,
					  __u64 now, __u32 peer_if, struct tflow_stats *st)
{
	struct tflow_overflow_rec *r;

	r = bpf_ringbuf_reserve(&tflow_overflow, sizeof(*r), 0);
	if (!r) {
		st->lost += packets;
		return;
	}
	__builtin_memcpy(&r->key, &p->key, sizeof(r->key));
	r->bytes = bytes;
	r->packets = packets;
	r->ts_ns = now;
	r->in_ifindex = tflow_in_ifindex(&p->key, peer_if);
	r->out_ifindex = tflow_out_ifindex(&p->key, peer_if);
	r->tcp_flags = p->tcp_flags;
	r->tos = p->tos;
	r->ttl = p->ttl;
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	bpf_ringbuf_submit(r, 0);
	st->overflow += packets;
}

/*
 * What a new flow collects, when tflow_config.collect asks: the first packet's header fields and,
 * with TFLOW_COLLECT_FIB, the route; an ingress flow's peer (output) interface in nv comes from
 * the FIB. Returns the collect bits that filled e (0: nothing asked).
 */
static __always_inline __u32 flow_ext_collect(const struct flow_ctx *fc, const struct pkt *p,
					      struct tflow_value *nv, struct tflow_ext *e)
{
	__u32 collect = fc->cfg ? fc->cfg->collect & (TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB) : 0;
	__u32 out;

	/*
	 * Zeroed even when nothing is asked: clang 14 otherwise spills e's undefined bytes on the
	 * path that never sends it, and the verifier refuses the read of an unset register.
	 */
	__builtin_memset(e, 0, sizeof(*e));
	if (!collect)
		return 0;
	if (collect & TFLOW_COLLECT_EXT)
		ext_headers(fc, p, e);
	if (collect & TFLOW_COLLECT_FIB) {
		out = ext_fib(fc, p, e);
		if (p->key.dir == TFLOW_DIR_INGRESS)
			nv->peer_ifindex = out;
	}
	e->collected = collect;
	return collect;
}

/*
 * Hand a new flow's fields to userspace, after its tflow_flows entry is in: the records on the
 * ring are of flows that exist, once each. Sequential writes to the ring cost a fraction of a
 * second hash insert. Userspace is woken only when the ring is half full: it drains it on its
 * scan timer anyway, and a wake-up per new flow would cost more than the record.
 */
static __always_inline void flow_ext_send(const struct pkt *p, const struct tflow_ext *e,
					  __u64 first_ns, struct tflow_stats *st)
{
	struct tflow_ext_rec *r = bpf_ringbuf_reserve(&tflow_ext_ring, sizeof(*r), 0);
	__u64 wake = BPF_RB_NO_WAKEUP;

	if (!r) {
		st->ext_failed++;
		return;
	}
	__builtin_memcpy(&r->key, &p->key, sizeof(r->key));
	r->pad = 0;
	r->e.first_ns = first_ns;
	__builtin_memcpy(&r->e.ext, e, sizeof(r->e.ext));
	if (bpf_ringbuf_query(&tflow_ext_ring, BPF_RB_AVAIL_DATA) >=
	    bpf_ringbuf_query(&tflow_ext_ring, BPF_RB_RING_SIZE) / 2)
		wake = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(r, wake);
}

/*
 * Put packets/bytes of p into its flow in the map: returns true when they landed on a flow being
 * removed (flow_add), with packets/bytes set to what is still to account.
 */
static __always_inline bool flow_put(const struct flow_ctx *fc, const struct pkt *p, __u64 *packets,
				     __u64 *bytes, __u32 peer_if, __u64 now, struct tflow_stats *st)
{
	struct tflow_value *v;
	struct tflow_value nv;
	struct tflow_ext e;
	__u32 collected;
	long err;

	v = bpf_map_lookup_elem(&tflow_flows, &p->key);
	if (v)
		return flow_add(v, packets, bytes, now, p->tcp_flags);
	nv.packets = *packets;
	nv.bytes = *bytes;
	nv.first_ns = now;
	nv.last_ns = now;
	nv.peer_ifindex = peer_if;
	nv.flags_tos_ttl = TFLOW_ATTRS(p->tcp_flags, p->tos, p->ttl);
	collected = flow_ext_collect(fc, p, &nv, &e);
	err = bpf_map_update_elem(&tflow_flows, &p->key, &nv, BPF_NOEXIST);
	if (!err) {
		st->flows_created++;
		if (collected)
			flow_ext_send(p, &e, now, st);
		return false;
	}
	if (err == -EEXIST) {
		/* Another CPU inserted the same flow between our lookup and insert. */
		v = bpf_map_lookup_elem(&tflow_flows, &p->key);
		if (v)
			return flow_add(v, packets, bytes, now, p->tcp_flags);
	}
	if (err == -E2BIG || err == -EEXIST) {
		st->cache_full++; /* insert attempts, not packets */
		flow_overflow(p, *packets, *bytes, now, nv.peer_ifindex, st);
		return false;
	}
	st->lost += *packets;
	return false;
}

/*
 * Count packets/bytes of p into its flow; peer_if is tflow_value.peer_ifindex of a new flow.
 * Every call lands in map, overflow or lost. Only a new flow reads the configuration's collect
 * bits: an established flow costs the same whatever the field selection.
 */
static __always_inline void flow_account(const struct flow_ctx *fc, const struct pkt *p,
					 __u64 packets, __u64 bytes, __u32 peer_if,
					 struct tflow_stats *st)
{
	/* A load; bpf_ktime_get_ns() reads the clocksource: ~17 ns a packet under kvm-clock. */
	__u64 now = bpf_ktime_get_coarse_ns();

	st->accounted += packets;
	if (!flow_put(fc, p, &packets, &bytes, peer_if, now, st))
		return;
	/* The flow was being removed: once more, into the flow that replaces it. */
	if (!flow_put(fc, p, &packets, &bytes, peer_if, now, st))
		return;
	/*
	 * Its remover has taken it and not deleted it yet (a few hundred ns): userspace accounts
	 * the packets from the ring instead, as when the cache is full.
	 */
	flow_overflow(p, packets, bytes, now, peer_if, st);
}

#endif
