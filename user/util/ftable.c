/* SPDX-License-Identifier: GPL-2.0-only */
/* ftable.c - chained hash table for flow state userspace keeps beside the BPF map. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/ftable.h"

size_t ftable_hash(const struct tflow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	__u64 h = 0xcbf29ce484222325ULL, w;
	size_t i;

	/*
	 * Eight bytes a step, each mixed by a multiply (a scan hashes every exported flow's key,
	 * twice with first-packet fields: a byte at a time cost 60 ns a key).
	 */
	for (i = 0; i + 8 <= sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	for (; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

int ftable_init(struct ftable *t, size_t val_size, size_t nbuckets)
{
	size_t n = 16;

	while (n < nbuckets)
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	t->val_size = val_size;
	return 0;
}

void ftable_free(struct ftable *t)
{
	for (size_t i = 0; t->buckets && i <= t->mask; i++) {
		struct fnode *n = t->buckets[i];

		while (n) {
			struct fnode *next = n->next;

			free(n);
			n = next;
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

void *ftable_get(struct ftable *t, const struct tflow_key *key, bool create, bool *created)
{
	struct fnode **b;
	struct fnode *n;

	if (created)
		*created = false;
	/* The scan asks once per flow; usually no flow has an active-timeout baseline yet. */
	if (!t->count && !create)
		return NULL;
	b = &t->buckets[ftable_hash(key) & t->mask];
	for (n = *b; n; n = n->next)
		if (!memcmp(&n->key, key, sizeof(*key)))
			return n->val;
	if (!create)
		return NULL;
	n = calloc(1, sizeof(*n) + t->val_size);
	if (!n)
		return NULL;
	n->key = *key;
	n->next = *b;
	*b = n;
	t->count++;
	if (created)
		*created = true;
	return n->val;
}

struct fnode **ftable_link(struct ftable *t, const struct tflow_key *key)
{
	struct fnode **pp;

	if (!t->count)
		return NULL;
	for (pp = &t->buckets[ftable_hash(key) & t->mask]; *pp; pp = &(*pp)->next)
		if (!memcmp(&(*pp)->key, key, sizeof(*key)))
			return pp;
	return NULL;
}

void ftable_unlink(struct ftable *t, struct fnode **link)
{
	struct fnode *n = *link;

	*link = n->next;
	free(n);
	t->count--;
}

bool ftable_del(struct ftable *t, const struct tflow_key *key)
{
	struct fnode **link = ftable_link(t, key);

	if (link)
		ftable_unlink(t, link);
	return link != NULL;
}

void ftable_walk(struct ftable *t, bool (*fn)(const struct tflow_key *key, void *val, void *ctx),
		 void *ctx)
{
	/* An empty table is the common case: its buckets (the spill table has 64k+) stay unread. */
	for (size_t i = 0; t->count && i <= t->mask; i++) {
		struct fnode **pp = &t->buckets[i];

		while (*pp) {
			struct fnode *n = *pp;

			if (fn(&n->key, n->val, ctx)) {
				*pp = n->next;
				free(n);
				t->count--;
			} else {
				pp = &n->next;
			}
		}
	}
}
