/* SPDX-License-Identifier: GPL-2.0-only */
/* spill.c - the spill table: flows of packets that found the cache full (the overflow ring). */
#include "cache/spill.h"
#include "util/log.h"

struct spill_walk {
	struct spill *s;
	__u64 now;
	__u64 active_ns;
	__u64 inactive_ns;
	__u8 forced_reason; /* nonzero: export every entry with this reason */
};

static bool spill_walk_one(const struct tflow_key *key, void *val, void *arg)
{
	struct spill_walk *w = arg;
	struct tflow_record *r = val;
	__u8 reason;

	(void)key;
	if (w->forced_reason)
		reason = w->forced_reason;
	else if (w->now - r->last_ns >= w->inactive_ns)
		reason = TFLOW_END_IDLE;
	else if (w->now - r->first_ns >= w->active_ns)
		reason = TFLOW_END_ACTIVE;
	else
		return false;
	if (r->packets)
		w->s->emit(w->s->emit_ctx, r, reason);
	if (reason != TFLOW_END_ACTIVE)
		return true;
	r->packets = 0;
	r->bytes = 0;
	r->first_ns = r->last_ns;
	return false;
}

int spill_init(struct spill *s, __u32 cache_entries, spill_emit_fn emit, void *emit_ctx)
{
	s->max = cache_entries < 65536 ? 65536 : cache_entries;
	s->emit = emit;
	s->emit_ctx = emit_ctx;
	/* Sized for what it may hold, not the map: a 1k cache must not mean 64-long chains. */
	return ftable_init(&s->flows, sizeof(struct tflow_record), s->max);
}

void spill_free(struct spill *s)
{
	if (s->flows.buckets)
		ftable_free(&s->flows);
}

void spill_expire(struct spill *s, __u64 now, __u64 active_ns, __u64 inactive_ns)
{
	struct spill_walk w = {
		.s = s, .now = now, .active_ns = active_ns, .inactive_ns = inactive_ns
	};

	ftable_walk(&s->flows, spill_walk_one, &w);
}

void spill_flush(struct spill *s, __u8 reason)
{
	struct spill_walk w = { .s = s, .forced_reason = reason };

	ftable_walk(&s->flows, spill_walk_one, &w);
}

void spill_add(struct spill *s, const struct tflow_overflow_rec *o)
{
	struct tflow_record *r;
	bool created;

	if (s->flows.count >= s->max && !ftable_get(&s->flows, &o->key, false, NULL))
		spill_flush(s, TFLOW_END_RESOURCES);
	r = ftable_get(&s->flows, &o->key, true, &created);
	if (!r) {
		pr_err("out of memory in the overflow table: a packet of a new flow is lost");
		return;
	}
	if (created) {
		r->key = o->key;
		r->first_ns = o->ts_ns;
		r->in_ifindex = o->in_ifindex;
		r->out_ifindex = o->out_ifindex;
		r->tos = o->tos;
		r->ttl = o->ttl;
	}
	if (!r->packets)
		r->first_ns = o->ts_ns;
	r->packets += o->packets;
	r->bytes += o->bytes;
	if (o->ts_ns > r->last_ns)
		r->last_ns = o->ts_ns;
	r->tcp_flags |= o->tcp_flags;
}
