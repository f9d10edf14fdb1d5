/* SPDX-License-Identifier: GPL-2.0-only */
/* extstore.c - new flows' first-packet fields, drained from the datapath's ring into a table. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "util/clock.h"
#include "cache/extstore.h"
#include "util/log.h"

/*
 * A flow that began this close to the last drain may have its record still on the ring (the
 * datapath's clock is CLOCK_MONOTONIC_COARSE, a tick behind at most): worth another drain.
 * An older flow's record was drained, or lost (ext_failed).
 */
#define RECENT_NS 100000000ULL

int ext_store_init(struct ext_store *s, int flows_fd, size_t cache_entries)
{
	memset(s, 0, sizeof(*s));
	s->flows_fd = flows_fd;
	s->limit = cache_entries;
	return ftable_init(&s->t, sizeof(struct tflow_ext_entry), cache_entries);
}

void ext_store_free(struct ext_store *s)
{
	ring_buffer__free(s->rb);
	s->rb = NULL;
	ftable_free(&s->t);
}

static int on_record(void *arg, void *data, size_t size)
{
	struct ext_store *s = arg;
	const struct tflow_ext_rec *r = data;
	struct tflow_ext_entry *e;

	if (size < sizeof(*r))
		return 0;
	s->received++;
	/* A later flow of the same key replaces what an earlier one left. */
	e = ftable_get(&s->t, &r->key, true, NULL);
	if (!e) {
		if (!s->nomem++)
			pr_err("out of memory keeping first-packet fields: flows go without");
		return 0;
	}
	*e = r->e;
	return 0;
}

int ext_store_attach(struct ext_store *s, int ring_fd)
{
	s->rb = ring_buffer__new(ring_fd, on_record, s, NULL);
	return s->rb ? 0 : -errno;
}

int ext_store_fd(const struct ext_store *s)
{
	return s->rb ? ring_buffer__epoll_fd(s->rb) : -1;
}

/* An entry whose flow left the map without being exported with it (see ext_store_drain). */
static bool orphan(const struct tflow_key *k, void *val, void *ctx)
{
	const struct tflow_ext_entry *e = val;
	struct ext_store *s = ctx;
	struct tflow_value v;

	return bpf_map_lookup_elem(s->flows_fd, k, &v) || v.first_ns != e->first_ns;
}

static void consume(struct ext_store *s)
{
	s->drained_ns = mono_ns();
	ring_buffer__consume(s->rb);
}

void ext_store_drain(struct ext_store *s)
{
	if (s->rb)
		consume(s);
	/*
	 * Every entry has its flow in the map, unless the flow was removed in the instant between
	 * its insert and its record (a flush). Such entries are looked for only when there are
	 * more than the cache holds flows, never during a scan: the flows a pass removed are in
	 * its records, not in the map.
	 */
	if (s->t.count > s->limit && s->flows_fd >= 0) {
		size_t before = s->t.count;

		ftable_walk(&s->t, orphan, s);
		pr_debug("first-packet fields: %zu entries of flows no longer cached dropped",
			 before - s->t.count);
	}
}

bool ext_store_get(struct ext_store *s, const struct tflow_key *k, __u64 first_ns,
		   struct tflow_ext *x, bool take)
{
	struct fnode **link = ftable_link(&s->t, k);
	struct tflow_ext_entry *e = link ? (void *)(*link)->val : NULL;

	/* The record follows the flow's insert by nanoseconds: it may not have been drained yet. */
	if ((!e || e->first_ns != first_ns) && s->rb && first_ns + RECENT_NS >= s->drained_ns) {
		consume(s);
		link = ftable_link(&s->t, k);
		e = link ? (void *)(*link)->val : NULL;
	}
	if (!e || e->first_ns != first_ns) {
		/* An earlier flow's, left behind: this flow is gone, and so is that one. */
		if (e && take && e->first_ns < first_ns)
			ftable_unlink(&s->t, link);
		memset(x, 0, sizeof(*x));
		return false;
	}
	*x = e->ext;
	s->paired++;
	if (take)
		ftable_unlink(&s->t, link);
	return true;
}

struct save_ctx {
	int fd;
	long saved;
	int err;
};

static bool save_one(const struct tflow_key *k, void *val, void *ctx)
{
	struct save_ctx *c = ctx;

	if (bpf_map_update_elem(c->fd, k, val, BPF_ANY))
		c->err = -errno;
	else
		c->saved++;
	return false;
}

long ext_store_save(struct ext_store *s, int map_fd)
{
	struct save_ctx c = { .fd = map_fd };

	ext_store_drain(s);
	ftable_walk(&s->t, save_one, &c);
	if (c.err)
		pr_warn("first-packet fields: %zu of %zu flows' not kept for the next run: %s",
			s->t.count - (size_t)c.saved, s->t.count, strerror(-c.err));
	return c.saved ? c.saved : c.err;
}

static bool unsave_one(const struct tflow_key *k, void *val, void *ctx)
{
	(void)val;
	bpf_map_delete_elem(*(int *)ctx, k);
	return false;
}

long ext_store_load(struct ext_store *s, int map_fd)
{
	struct tflow_key k, *prev = NULL;
	struct tflow_ext_entry e, *to;
	long n = 0;

	while (!bpf_map_get_next_key(map_fd, prev, &k)) {
		prev = &k;
		if (bpf_map_lookup_elem(map_fd, &k, &e))
			continue;
		to = ftable_get(&s->t, &k, true, NULL);
		if (!to)
			return -ENOMEM;
		*to = e;
		n++;
	}
	/* The map keeps nothing the table has: a later save writes it afresh. */
	ftable_walk(&s->t, unsave_one, &map_fd);
	return n;
}
