/* SPDX-License-Identifier: GPL-2.0-only */
/* ftable.h - a small chained hash table keyed by struct tflow_key, for userspace flow state. */
#ifndef TFLOW_FTABLE_H
#define TFLOW_FTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include "tflow.h"

struct fnode {
	struct fnode *next;
	struct tflow_key key;
	unsigned char val[] __attribute__((aligned(8)));
};

struct ftable {
	struct fnode **buckets;
	size_t mask; /* buckets - 1, a power of two minus one */
	size_t count;
	size_t val_size;
};

int ftable_init(struct ftable *t, size_t val_size, size_t nbuckets);

/* The hash of a key the table uses. */
size_t ftable_hash(const struct tflow_key *key);
void ftable_free(struct ftable *t);

/* The value for key, or NULL. With create, a zeroed value is inserted if missing (*created set). */
void *ftable_get(struct ftable *t, const struct tflow_key *key, bool create, bool *created);

/* Remove key; returns true if it was there. */
bool ftable_del(struct ftable *t, const struct tflow_key *key);

/*
 * The link to key's node (*link is the node; its val is the value), or NULL: one hash for a
 * lookup that may remove. Valid until the table changes.
 */
struct fnode **ftable_link(struct ftable *t, const struct tflow_key *key);
void ftable_unlink(struct ftable *t, struct fnode **link);

/* Visit every entry; the callback returns true to delete the entry it was given. */
void ftable_walk(struct ftable *t, bool (*fn)(const struct tflow_key *key, void *val, void *ctx),
		 void *ctx);

#endif
