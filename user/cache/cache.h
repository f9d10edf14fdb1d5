/* SPDX-License-Identifier: GPL-2.0-only */
/* cache.h - scans the flow cache: timeouts, early eviction, the overflow spill table. */
#ifndef TFLOW_CACHE_H
#define TFLOW_CACHE_H

#include <stdbool.h>
#include "util/ftable.h"
#include "record/record.h"
#include "cache/spill.h"

enum cache_mode {
	CACHE_SCAN,	/* timeouts only */
	CACHE_PRESSURE, /* timeouts, then evict the least recently used down to the low mark */
	CACHE_FLUSH,	/* export and remove everything (shutdown) */
};

/* What has been exported of a flow that crossed the active timeout and stays in the map. */
struct cache_base {
	__u64 packets;
	__u64 bytes;
	__u64 export_ns; /* the last delta's export: the next active timeout counts from it */
	__u64 last_ns;	 /* last packet in that delta: the next delta's first */
};

typedef void (*cache_emit_fn)(void *ctx, const struct tflow_record *r);

/* An idle flow that saw a TCP FIN or RST ended (TFLOW_END_EOF). */
static inline __u8 cache_end_reason(__u8 reason, __u8 tcp_flags)
{
	return reason == TFLOW_END_IDLE && (tcp_flags & 0x05) ? TFLOW_END_EOF : reason;
}

struct value_v1;
struct flow_iter;
struct flow_take;
struct ext_store;

struct cache {
	int flows_fd;
	/*
	 * First-packet fields of the flows, or NULL (cache_init's default: records carry none).
	 * A flow removed from the map takes its fields; an active-timeout export reads them.
	 */
	struct ext_store *ext;
	int exported_fd; /* tflow_exported: the durable copy of base, or -1 */
	__u32 max_entries;
	__u64 active_ns;
	__u64 inactive_ns;
	struct tflow_key *keys; /* one scan's snapshot, max_entries long */
	struct tflow_value *vals;
	struct value_v1 *v1_vals; /* a previous tflow's 48-byte layout: read here, then converted */
	__u8 *gone;		  /* snapshot entries already removed in this scan */
	struct ftable base;	  /* flows exported by active timeout: what was exported so far */
	struct spill spill;	  /* flows that arrived on the overflow ring (spill.c) */
	bool use_batch;
	struct flow_iter *iter; /* the in-kernel scan (cache_iter_open); NULL: batched syscalls */
	__u32 iter_failures;
	struct flow_take *take; /* removals (cache_iter_open); NULL: lookup-and-delete */
	cache_emit_fn emit;
	void *emit_ctx;
	/* totals since start, printed at exit */
	__u64 evicted_total; /* removed early for lack of space */
	__u64 records_total;
	__u32 last_entries; /* flows the last scan found in the map (tflow status, metrics) */
};

/*
 * exported_fd: a hash map (tflow_key -> struct cache_base) that survives restarts; what it holds
 * is loaded, so deltas a previous run exported are not exported again. -1 for none. flows_fd may
 * also be a flow map of the previous value layout (an upgrade's stale cache, exported once).
 */
int cache_init(struct cache *c, int flows_fd, int exported_fd, __u32 max_entries, __u64 active_ns,
	       __u64 inactive_ns, cache_emit_fn emit, void *emit_ctx);

/*
 * Scan in the kernel from now on (chosen in scan_choice.c, run in iter.c): a BPF syscall program
 * walking the flow map, or where the kernel refuses it a BPF map element iterator, removes idle
 * flows and reports them, instead of a syscall per flow. Logs which scan is used and what the
 * kernel refused, and why. TFLOW_SCAN=syscall|iterator|batched in the environment forces one
 * (TFLOW_NO_ITER=1: batched).
 * Returns 0, or -errno when the kernel refuses both (the batched path stays).
 */
int cache_iter_open(struct cache *c);

void cache_free(struct cache *c);

/* One pass over the map (and the spill table) at monotonic time now. Returns 0 or -errno. */
int cache_scan(struct cache *c, __u64 now_ns, enum cache_mode mode);

/*
 * The spill table's part of a scan (its timeouts, or all of it for CACHE_FLUSH, when now
 * is not read: a restart exports it alone, the map's flows staying for the next run).
 */
void cache_spill_expire(struct cache *c, __u64 now_ns, enum cache_mode mode);

/* Account one packet the datapath could not fit in the map. */
void cache_spill(struct cache *c, const struct tflow_overflow_rec *r);

#endif
