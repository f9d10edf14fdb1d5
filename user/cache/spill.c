/* spill.c - the spill table: flows of packets that found the cache full (the overflow ring). */
#include "cache/cache.h"
#include "util/log.h"

struct spill_ctx {
	struct cache *c;
	__u64 now;
	enum cache_mode mode;
	__u8 forced_reason; /* nonzero: export every entry with this reason */
};

static bool spill_expire(const struct tflow_key *key, void *val, void *arg)
{
	struct spill_ctx *s = arg;
	struct tflow_record *r = val;
	__u8 reason;

	(void)key;
	if (s->forced_reason)
		reason = s->forced_reason;
	else if (s->mode == CACHE_FLUSH)
		reason = TFLOW_END_FORCED;
	else if (s->now - r->last_ns >= s->c->inactive_ns)
		reason = TFLOW_END_IDLE;
	else if (s->now - r->first_ns >= s->c->active_ns)
		reason = TFLOW_END_ACTIVE;
	else
		return false;
	if (r->packets) {
		r->end_reason = cache_end_reason(reason, r->tcp_flags);
		s->c->emit(s->c->emit_ctx, r);
		s->c->records_total++;
		if (reason == TFLOW_END_RESOURCES)
			s->c->evicted_total++;
	}
	if (reason != TFLOW_END_ACTIVE)
		return true;
	r->packets = 0;
	r->bytes = 0;
	r->first_ns = r->last_ns;
	return false;
}

void cache_spill_expire(struct cache *c, __u64 now, enum cache_mode mode)
{
	struct spill_ctx s = { .c = c, .now = now, .mode = mode };

	ftable_walk(&c->spill, spill_expire, &s);
}

void cache_spill(struct cache *c, const struct tflow_overflow_rec *o)
{
	struct tflow_record *r;
	bool created;

	if (c->spill.count >= CACHE_SPILL_MAX(c->max_entries) &&
	    !ftable_get(&c->spill, &o->key, false, NULL)) {
		struct spill_ctx s = { .c = c, .forced_reason = TFLOW_END_RESOURCES };

		ftable_walk(&c->spill, spill_expire, &s);
	}
	r = ftable_get(&c->spill, &o->key, true, &created);
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
