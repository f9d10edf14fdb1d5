/* ftable.c - chained hash table for flow state userspace keeps beside the BPF map. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ftable.h"

size_t ftable_hash(const struct tflow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	__u64 h = 0xcbf29ce484222325ULL; /* FNV-1a: keys are short, and this is not the hot path */

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29));
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

bool ftable_del(struct ftable *t, const struct tflow_key *key)
{
	struct fnode **pp = &t->buckets[ftable_hash(key) & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		struct fnode *n = *pp;

		if (!memcmp(&n->key, key, sizeof(*key))) {
			*pp = n->next;
			free(n);
			t->count--;
			return true;
		}
	}
	return false;
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
