/* SPDX-License-Identifier: GPL-2.0-only */
/* top_calc.c - tflow top's arithmetic: snapshots, per-interval deltas, groups, order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/ftable.h"
#include "top/top.h"

static const char *const by_names[] = {
	[TOP_BY_FLOW] = "flow",	  [TOP_BY_SRC] = "src",	  [TOP_BY_DST] = "dst",
	[TOP_BY_PROTO] = "proto", [TOP_BY_CONV] = "conv",
};

const char *top_by_name(enum top_by by)
{
	return by_names[by];
}

int top_by_parse(const char *s, enum top_by *by)
{
	for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
		if (!strcmp(s, by_names[i])) {
			*by = (enum top_by)i;
			return 0;
		}
	}
	/* RouterOS Torch calls the protocol/port view "port". */
	if (!strcmp(s, "port")) {
		*by = TOP_BY_PROTO;
		return 0;
	}
	return -EINVAL;
}

int top_snap_push(struct top_snap *s, const struct tflow_key *k, __u64 packets, __u64 bytes,
		  __u64 first_ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct top_flow *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct top_flow){ .key = *k,
					  .hash = ftable_hash(k),
					  .packets = packets,
					  .bytes = bytes,
					  .first_ns = first_ns };
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	/* The key has no holes (tflow.h): bytes compare as the datapath hashes them. */
	return memcmp(a, b, sizeof(struct tflow_key));
}

static int flow_cmp(const void *a, const void *b)
{
	const struct top_flow *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return key_cmp(&x->key, &y->key);
}

void top_snap_sort(struct top_snap *s)
{
	size_t out = 0;

	qsort(s->v, s->n, sizeof(*s->v), flow_cmp);
	for (size_t i = 0; i < s->n; i++)
		if (!out || flow_cmp(&s->v[out - 1], &s->v[i]))
			s->v[out++] = s->v[i];
	s->n = out;
}

void top_snap_free(struct top_snap *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

size_t top_delta(const struct top_snap *prev, const struct top_snap *cur, struct top_row *rows)
{
	size_t i = 0, n = 0;

	for (size_t j = 0; j < cur->n; j++) {
		const struct top_flow *c = &cur->v[j], *p = NULL;
		struct top_row *r = &rows[n];

		while (i < prev->n && flow_cmp(&prev->v[i], c) < 0)
			i++;
		if (i < prev->n && !flow_cmp(&prev->v[i], c))
			p = &prev->v[i];
		r->key = c->key;
		r->packets = c->packets;
		r->bytes = c->bytes;
		r->flows = 1;
		if (p && p->first_ns == c->first_ns && p->packets <= c->packets &&
		    p->bytes <= c->bytes) {
			r->packets -= p->packets;
			r->bytes -= p->bytes;
		}
		if (r->packets)
			n++;
	}
	return n;
}

/* Keep only what rows are grouped by. */
static void group_key(struct tflow_key *k, enum top_by by)
{
	struct tflow_key g = { .family = k->family };

	switch (by) {
	case TOP_BY_FLOW:
		return;
	case TOP_BY_SRC:
		memcpy(g.src, k->src, sizeof(g.src));
		break;
	case TOP_BY_DST:
		memcpy(g.dst, k->dst, sizeof(g.dst));
		break;
	case TOP_BY_PROTO:
		/* udp/53 is one service whether it ran over IPv4 or IPv6 */
		g.family = 0;
		g.proto = k->proto;
		g.dport = k->dport;
		break;
	case TOP_BY_CONV: {
		int lo = memcmp(k->src, k->dst, sizeof(k->src)) <= 0;

		memcpy(g.src, lo ? k->src : k->dst, sizeof(g.src));
		memcpy(g.dst, lo ? k->dst : k->src, sizeof(g.dst));
		break;
	}
	}
	*k = g;
}

size_t top_aggregate(struct top_row *rows, size_t n, enum top_by by)
{
	size_t out = 0;

	if (by == TOP_BY_FLOW)
		return n; /* the cache's keys are unique already */
	for (size_t i = 0; i < n; i++)
		group_key(&rows[i].key, by);
	qsort(rows, n, sizeof(*rows), key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && !key_cmp(&rows[out - 1].key, &rows[i].key)) {
			rows[out - 1].packets += rows[i].packets;
			rows[out - 1].bytes += rows[i].bytes;
			rows[out - 1].flows += rows[i].flows;
		} else {
			rows[out++] = rows[i];
		}
	}
	return out;
}

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int by_bytes(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return cmp_u64_desc(x->bytes, y->bytes) ?: cmp_u64_desc(x->packets, y->packets)
							 ?: key_cmp(&x->key, &y->key);
}

static int by_packets(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return cmp_u64_desc(x->packets, y->packets) ?: cmp_u64_desc(x->bytes, y->bytes)
							     ?: key_cmp(&x->key, &y->key);
}

void top_sort(struct top_row *rows, size_t n, enum top_sort sort)
{
	qsort(rows, n, sizeof(*rows), sort == TOP_SORT_PACKETS ? by_packets : by_bytes);
}
