/* cache.h - scans the flow cache: timeouts, early eviction, the overflow spill table. */
#ifndef TFLOW_CACHE_H
#define TFLOW_CACHE_H

#include <stdbool.h>
#include "ftable.h"
#include "record.h"

enum cache_mode {
	CACHE_SCAN,	/* timeouts only */
	CACHE_PRESSURE, /* timeouts, then evict the least recently used down to the low mark */
	CACHE_FLUSH,	/* export and remove everything (shutdown) */
};

typedef void (*cache_emit_fn)(void *ctx, const struct tflow_record *r);

struct cache {
	int flows_fd;
	__u32 max_entries;
	__u64 active_ns;
	__u64 inactive_ns;
	struct tflow_key *keys; /* one scan's snapshot, max_entries long */
	struct tflow_value *vals;
	__u8 *gone;	     /* snapshot entries already removed in this scan */
	struct ftable base;  /* flows exported by active timeout: what was exported so far */
	struct ftable spill; /* flows that arrived on the overflow ring: struct tflow_record */
	bool use_batch;
	cache_emit_fn emit;
	void *emit_ctx;
	/* what the last scan saw and did */
	__u32 entries;
	__u64 evicted_total; /* removed early for lack of space */
	__u64 records_total;
};

int cache_init(struct cache *c, int flows_fd, __u32 max_entries, __u64 active_ns, __u64 inactive_ns,
	       cache_emit_fn emit, void *emit_ctx);
void cache_free(struct cache *c);

/* One pass over the map (and the spill table) at monotonic time now. Returns 0 or -errno. */
int cache_scan(struct cache *c, __u64 now_ns, enum cache_mode mode);

/* Account one packet the datapath could not fit in the map. */
void cache_spill(struct cache *c, const struct tflow_overflow_rec *r);

#endif
