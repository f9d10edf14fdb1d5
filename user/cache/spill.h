/* SPDX-License-Identifier: GPL-2.0-only */
/* spill.h - the spill table: flows of packets that found the cache full (the overflow ring). */
#ifndef TFLOW_SPILL_H
#define TFLOW_SPILL_H

#include <stdbool.h>
#include "util/ftable.h"
#include "record/record.h"

/*
 * A flow the table lets go, with why (TFLOW_END_*): the callee sets r->end_reason from reason
 * (the cache: an idle TCP flow that saw FIN or RST ended) and exports it.
 */
typedef void (*spill_emit_fn)(void *ctx, struct tflow_record *r, __u8 reason);

struct spill {
	struct ftable flows; /* struct tflow_record by key */
	__u32 max;	     /* flows it holds at most; beyond, all of it is exported at once */
	spill_emit_fn emit;
	void *emit_ctx;
};

/* A table for a cache of cache_entries flows: it holds as many, 65,536 at least. */
int spill_init(struct spill *s, __u32 cache_entries, spill_emit_fn emit, void *emit_ctx);

void spill_free(struct spill *s);

/* Account one packet the datapath could not fit in the map. */
void spill_add(struct spill *s, const struct tflow_overflow_rec *o);

/* The timeouts at monotonic time now: idle flows leave, active ones export a delta and stay. */
void spill_expire(struct spill *s, __u64 now_ns, __u64 active_ns, __u64 inactive_ns);

/* Export and remove every flow, with reason (TFLOW_END_FORCED at shutdown). */
void spill_flush(struct spill *s, __u8 reason);

#endif
