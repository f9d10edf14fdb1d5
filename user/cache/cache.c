/* SPDX-License-Identifier: GPL-2.0-only */
/* cache.c - flow cache scanner: inactive/active timeouts, early eviction, durable baselines. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cache/cache.h"
#include "cache/extstore.h"
#include "cache/iter.h"
#include "cache/take.h"
#include "util/log.h"

#define BATCH_CHUNK 4096
/* Under pressure, evict down to 3/4 of the map so inserts have room until the next scan. */
#define LOW_MARK(max) ((max) / 4 * 3)
#define HIGH_MARK(max) ((max) / 10 * 9)

/*
 * struct tflow_value before the 40-byte layout. A pinned cache an older tflow left behind is
 * read in it and converted, so an upgrade exports it like any other stale cache.
 */
struct value_v1 {
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
	__u32 tcp_flags;
	__u32 in_ifindex;
	__u32 out_ifindex;
	__u8 tos;
	__u8 ttl;
	__u8 pad[2];
};
_Static_assert(sizeof(struct value_v1) == 48, "the layout tflow used before");

static void value_from_v1(const struct tflow_key *k, const struct value_v1 *o,
			  struct tflow_value *v)
{
	v->packets = o->packets;
	v->bytes = o->bytes;
	v->first_ns = o->first_ns;
	v->last_ns = o->last_ns;
	v->peer_ifindex = k->dir == TFLOW_DIR_INGRESS ? o->out_ifindex : o->in_ifindex;
	v->flags_tos_ttl = TFLOW_ATTRS(o->tcp_flags & 0xff, o->tos, o->ttl);
}

/* Which value layout flows_fd has; -EPROTO for one this tflow cannot read. */
static int cache_layout(struct cache *c)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(c->flows_fd, &info, &len))
		return -errno;
	if (info.key_size == sizeof(struct tflow_key) &&
	    info.value_size == sizeof(struct tflow_value))
		return 0;
	if (info.key_size == sizeof(struct tflow_key) &&
	    info.value_size == sizeof(struct value_v1)) {
		c->v1_vals = calloc(c->max_entries, sizeof(*c->v1_vals));
		return c->v1_vals ? 0 : -ENOMEM;
	}
	pr_warn("the flow map has a layout this tflow cannot read (key %u, value %u bytes): its "
		"flows are not exported",
		info.key_size, info.value_size);
	return -EPROTO;
}

/* Baselines a previous run left: read once at start. */
static int base_load(struct cache *c)
{
	struct tflow_key k, *prev = NULL;
	struct cache_base b, *nb;

	while (!bpf_map_get_next_key(c->exported_fd, prev, &k)) {
		prev = &k;
		if (bpf_map_lookup_elem(c->exported_fd, &k, &b))
			continue;
		nb = ftable_get(&c->base, &k, true, NULL);
		if (!nb)
			return -ENOMEM;
		*nb = b;
	}
	return 0;
}

/* A flow the spill table lets go. */
static void spill_emit(void *ctx, struct tflow_record *r, __u8 reason)
{
	struct cache *c = ctx;

	r->end_reason = cache_end_reason(reason, r->tcp_flags);
	c->emit(c->emit_ctx, r);
	c->records_total++;
	if (reason == TFLOW_END_RESOURCES)
		c->evicted_total++;
}

int cache_init(struct cache *c, int flows_fd, int exported_fd, __u32 max_entries, __u64 active_ns,
	       __u64 inactive_ns, cache_emit_fn emit, void *emit_ctx)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->flows_fd = flows_fd;
	c->exported_fd = exported_fd;
	c->max_entries = max_entries;
	c->active_ns = active_ns;
	c->inactive_ns = inactive_ns;
	c->emit = emit;
	c->emit_ctx = emit_ctx;
	c->use_batch = true;
	c->keys = calloc(max_entries, sizeof(*c->keys));
	c->vals = calloc(max_entries, sizeof(*c->vals));
	c->gone = calloc(max_entries, 1);
	if (!c->keys || !c->vals || !c->gone)
		goto nomem;
	err = cache_layout(c);
	if (err) {
		cache_free(c);
		return err;
	}
	err = ftable_init(&c->base, sizeof(struct cache_base), 1024);
	if (err)
		goto nomem;
	err = spill_init(&c->spill, max_entries, spill_emit, c);
	if (err)
		goto nomem;
	if (exported_fd >= 0 && base_load(c))
		goto nomem;
	return 0;
nomem:
	cache_free(c);
	return -ENOMEM;
}

void cache_free(struct cache *c)
{
	iter_close(c->iter);
	c->iter = NULL;
	take_close(c->take);
	c->take = NULL;
	free(c->keys);
	free(c->vals);
	free(c->gone);
	free(c->v1_vals);
	c->keys = NULL;
	c->vals = NULL;
	c->gone = NULL;
	c->v1_vals = NULL;
	if (c->base.buckets)
		ftable_free(&c->base);
	spill_free(&c->spill);
}

/* Read the whole map into keys/vals (in the map's layout); returns the entries or -errno. */
static int cache_read(struct cache *c)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 n = 0, out_batch = 0, count;
	size_t vsize = c->v1_vals ? sizeof(*c->v1_vals) : sizeof(*c->vals);
	char *vals = c->v1_vals ? (char *)c->v1_vals : (char *)c->vals;
	void *in = NULL;
	int err;

	while (c->use_batch && n < c->max_entries) {
		count = c->max_entries - n;
		if (count > BATCH_CHUNK)
			count = BATCH_CHUNK;
		err = bpf_map_lookup_batch(c->flows_fd, in, &out_batch, c->keys + n,
					   vals + n * vsize, &count, &opts);
		n += count;
		if (err) {
			err = -errno;
			if (err == -ENOENT)
				return n;
			if (err == -EINVAL && n == 0) {
				/* Kernels before 5.6 have no batch ops on hash maps. */
				pr_info("map batch reads not supported, scanning key by key");
				c->use_batch = false;
				break;
			}
			return err;
		}
		in = &out_batch;
	}
	if (c->use_batch)
		return n;

	struct tflow_key *prev = NULL;

	for (n = 0; n < c->max_entries; n++) {
		if (bpf_map_get_next_key(c->flows_fd, prev, &c->keys[n]))
			break;
		if (bpf_map_lookup_elem(c->flows_fd, &c->keys[n], vals + n * vsize))
			continue; /* removed meanwhile: cannot happen, only we remove */
		prev = &c->keys[n];
	}
	return n;
}

static int cache_snapshot(struct cache *c)
{
	int n = cache_read(c);

	for (int i = 0; c->v1_vals && i < n; i++)
		value_from_v1(&c->keys[i], &c->v1_vals[i], &c->vals[i]);
	return n;
}

/* The first-packet fields of the flow k, v into x (zero when it has none); take: it is gone. */
static void ext_read(struct cache *c, const struct tflow_key *k, const struct tflow_value *v,
		     struct tflow_ext *x, bool take)
{
	if (c->ext)
		ext_store_get(c->ext, k, v->first_ns, x, take);
	else
		memset(x, 0, sizeof(*x));
}

static void emit_delta(struct cache *c, const struct tflow_key *k, const struct tflow_value *v,
		       const struct cache_base *base, const struct tflow_ext *x, __u8 reason)
{
	struct tflow_record r;

	record_from_value(&r, k, v);
	r.ext = *x;
	if (base) {
		r.packets -= base->packets;
		r.bytes -= base->bytes;
		if (base->last_ns > r.first_ns)
			r.first_ns = base->last_ns;
	}
	if (!r.packets)
		return;
	r.end_reason = cache_end_reason(reason, r.tcp_flags);
	c->emit(c->emit_ctx, &r);
	c->records_total++;
}

/* A flow that left the map with final counters v: export its remainder, forget its baseline. */
static void flow_gone(struct cache *c, const struct tflow_key *k, const struct tflow_value *v,
		      const struct tflow_ext *x, __u8 reason)
{
	struct cache_base *base = ftable_get(&c->base, k, false, NULL);

	emit_delta(c, k, v, base, x, reason);
	if (base) {
		ftable_del(&c->base, k);
		if (c->exported_fd >= 0)
			bpf_map_delete_elem(c->exported_fd, k);
	}
}

/* Remove a flow from the map and export what it counted since its last export. */
static void cache_remove(struct cache *c, __u32 i, __u8 reason)
{
	struct tflow_key *k = &c->keys[i];
	union {
		struct tflow_value v;
		struct value_v1 v1;
	} final;
	struct tflow_ext x;
	int err;

	if (c->take) {
		err = take_flow(c->take, k, &final.v);
		if (err == -ENOENT)
			return;
		if (err) {
			pr_warn("cannot remove a flow: %s", strerror(-err));
			return;
		}
	} else if (bpf_map_lookup_and_delete_elem(c->flows_fd, k, &final)) {
		if (errno == ENOENT)
			return;
		/* Hash lookup-and-delete needs 5.14; the fallback leaves a window of a few ns. */
		if (bpf_map_lookup_elem(c->flows_fd, k, &final) ||
		    bpf_map_delete_elem(c->flows_fd, k))
			return;
	}
	if (c->v1_vals)
		value_from_v1(k, &final.v1, &final.v);
	ext_read(c, k, &final.v, &x, true);
	flow_gone(c, k, &final.v, &x, reason);
	c->gone[i] = 1;
}

/* Export the delta of a flow in the map past its active timeout. */
static void flow_active(struct cache *c, const struct tflow_key *k, const struct tflow_value *v,
			__u64 now)
{
	struct cache_base *base = ftable_get(&c->base, k, false, NULL);
	struct tflow_ext x;
	__u64 from = base ? base->export_ns : v->first_ns;

	/* A flow that began after now (a clock tick later) is not past any timeout. */
	if (now < from || now - from < c->active_ns)
		return;
	/* The flow stays, and so do its fields: every delta carries the first packet's. */
	ext_read(c, k, v, &x, false);
	emit_delta(c, k, v, base, &x, TFLOW_END_ACTIVE);
	if (!base)
		base = ftable_get(&c->base, k, true, NULL);
	if (!base) {
		pr_err("out of memory tracking an active flow");
		return;
	}
	/* The snapshot is the new baseline: increments after it stay in the map for next time. */
	base->packets = v->packets;
	base->bytes = v->bytes;
	base->export_ns = now;
	base->last_ns = v->last_ns;
	/* Written through: after a crash or restart the next run knows what went out. */
	if (c->exported_fd >= 0 && bpf_map_update_elem(c->exported_fd, k, base, BPF_ANY))
		pr_warn("cannot record an active-timeout export: %s", strerror(errno));
}

static int by_last_ns(const void *a, const void *b, void *arg)
{
	const struct tflow_value *vals = arg;
	__u64 x = vals[*(const __u32 *)a].last_ns, y = vals[*(const __u32 *)b].last_ns;

	return x < y ? -1 : x > y;
}

/* Evict the least recently used flows until at most `keep` remain. */
static void cache_evict_lru(struct cache *c, __u32 n, __u32 remaining, __u32 keep)
{
	__u32 *idx, m = 0;

	idx = malloc(sizeof(*idx) * (remaining ? remaining : 1));
	if (!idx)
		return;
	for (__u32 i = 0; i < n; i++)
		if (!c->gone[i])
			idx[m++] = i;
	qsort_r(idx, m, sizeof(*idx), by_last_ns, c->vals);
	for (__u32 j = 0; j < m && remaining > keep; j++, remaining--) {
		cache_remove(c, idx[j], TFLOW_END_RESOURCES);
		c->evicted_total++;
	}
	free(idx);
}

/*
 * One pass over a snapshot of the map, a syscall per removed flow. Returns the flows the snapshot
 * found, or -errno.
 */
static int cache_scan_batch(struct cache *c, __u64 now, enum cache_mode mode)
{
	struct tflow_iter_params p = { .now_ns = now,
				       .inactive_ns = c->inactive_ns,
				       .active_ns = c->active_ns,
				       .flags = mode == CACHE_FLUSH ? TFLOW_ITER_FLUSH : 0 };
	__u32 remaining;
	int n;

	n = cache_snapshot(c);
	if (n < 0)
		return n;
	memset(c->gone, 0, n);
	remaining = n;
	for (__u32 i = 0; i < (__u32)n; i++) {
		switch (tflow_fate(&p, &c->vals[i])) {
		case TFLOW_FATE_TAKE:
			cache_remove(c, i, mode == CACHE_FLUSH ? TFLOW_END_FORCED : TFLOW_END_IDLE);
			remaining--;
			break;
		case TFLOW_FATE_ACTIVE:
			flow_active(c, &c->keys[i], &c->vals[i], now);
			break;
		case TFLOW_FATE_KEEP:
			break;
		}
	}
	if (mode == CACHE_PRESSURE || remaining > HIGH_MARK(c->max_entries))
		cache_evict_lru(c, n, remaining, LOW_MARK(c->max_entries));
	return n;
}

struct iter_scan {
	struct cache *c;
	__u64 now;
	__u8 reason; /* of the flows the pass removes */
};

static void iter_record(void *arg, const struct tflow_iter_rec *r)
{
	struct iter_scan *s = arg;
	struct tflow_ext x;

	if (r->flags & TFLOW_ITER_REMOVED) {
		ext_read(s->c, &r->key, &r->value, &x, true);
		flow_gone(s->c, &r->key, &r->value, &x, s->reason);
	} else {
		flow_active(s->c, &r->key, &r->value, s->now);
	}
}

/* The timeouts, or the flush, in the kernel. Returns the flows left in the map, or -errno. */
static long long cache_scan_iter(struct cache *c, __u64 now, enum cache_mode mode)
{
	struct tflow_iter_params p = { .now_ns = now,
				       .inactive_ns = c->inactive_ns,
				       .active_ns = c->active_ns };
	struct iter_scan s = { .c = c, .now = now, .reason = TFLOW_END_IDLE };
	struct tflow_iter_counts n;
	int err;

	if (mode == CACHE_FLUSH) {
		p.flags |= TFLOW_ITER_FLUSH;
		s.reason = TFLOW_END_FORCED;
	}
	err = iter_pass(c->iter, &p, iter_record, &s, &n);
	if (err) {
		if (!c->iter_failures++)
			pr_warn("in-kernel cache scan failed (%s): this scan goes on with syscalls",
				strerror(-err));
		return err;
	}
	if (n.dropped)
		pr_err("in-kernel cache scan: %llu records lost", (unsigned long long)n.dropped);
	c->last_entries = n.visited;
	return n.kept + n.deferred + n.failed;
}

int cache_scan(struct cache *c, __u64 now, enum cache_mode mode)
{
	long long left = -1;
	int n, err = 0;

	/* The fields of the flows this scan may export: each record follows its flow's insert. */
	if (c->ext)
		ext_store_drain(c->ext);
	/* Eviction under pressure sorts the whole cache by age: the batched path does it. */
	if (c->iter && mode != CACHE_PRESSURE)
		left = cache_scan_iter(c, now, mode); /* sets last_entries */
	/* Left to the batched path: a cache still over the high mark (LRU), a flush's remainder. */
	if (left < 0 || (mode == CACHE_FLUSH ? left > 0 : left > HIGH_MARK(c->max_entries))) {
		n = cache_scan_batch(c, now, mode);
		if (n < 0)
			err = n;
		else if (left < 0)
			c->last_entries = n;
	}
	cache_spill_expire(c, now, mode);
	return err;
}

void cache_spill_expire(struct cache *c, __u64 now, enum cache_mode mode)
{
	if (mode == CACHE_FLUSH)
		spill_flush(&c->spill, TFLOW_END_FORCED);
	else
		spill_expire(&c->spill, now, c->active_ns, c->inactive_ns);
}

void cache_spill(struct cache *c, const struct tflow_overflow_rec *o)
{
	spill_add(&c->spill, o);
}
