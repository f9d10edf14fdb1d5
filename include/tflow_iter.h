/* tflow_iter.h - what the in-kernel cache scan (bpf/iter.bpf.c) and user/iter.c exchange. */
#ifndef TFLOW_ITER_H
#define TFLOW_ITER_H

#include "tflow.h"

/* tflow_iter_params.flags */
#define TFLOW_ITER_FLUSH 0x1 /* remove every flow (shutdown), not only the idle ones */

/* tflow_iter_rec.flags */
#define TFLOW_ITER_REMOVED 0x1 /* the flow left the map: value holds its final counters */

/*
 * Idle flows of one hash bucket wait here until the iterator leaves the bucket (see iter.bpf.c);
 * a bucket with more idle flows keeps the rest until the next scan.
 */
#define TFLOW_ITER_PEND 16

/* Written by userspace before each pass, in the iterator object's .bss. */
struct tflow_iter_params {
	__u64 now_ns;	   /* CLOCK_MONOTONIC ns of the scan */
	__u64 inactive_ns; /* idle at least this long: removed */
	__u64 active_ns;   /* first packet at least this long ago: reported, left in the map */
	__u32 flags;	   /* TFLOW_ITER_* */
	__u32 pass;	   /* a new number each pass: the program starts afresh */
};

/* What one pass did, read by userspace after it (.bss). */
struct tflow_iter_counts {
	__u64 visited;	/* elements the iterator showed the program (a flow may be shown twice) */
	__u64 kept;	/* flows left in the map */
	__u64 removed;	/* flows removed and reported */
	__u64 deferred; /* idle flows left for the next scan: their bucket's queue was full */
	__u64 failed;	/* removals the map refused: left in the map, not reported */
	__u64 dropped;	/* records the seq buffer refused: a bug, the flows are lost */
};

/* One record of the iterator's output, read() in pages. */
struct tflow_iter_rec {
	struct tflow_key key;
	__u32 flags; /* TFLOW_ITER_REMOVED */
	struct tflow_value value;
};
_Static_assert(sizeof(struct tflow_iter_rec) == 88, "tflow_iter_rec must have no holes");

/*
 * The context of tflow_take (BPF_PROG_TYPE_SYSCALL, run with BPF_PROG_TEST_RUN): userspace
 * writes key, the kernel copies the struct back with the flow's final value (found: 1) or
 * found 0 when the flow is not in the map.
 */
struct tflow_take_ctx {
	struct tflow_value value;
	struct tflow_key key;
	__u32 found;
};
_Static_assert(sizeof(struct tflow_take_ctx) == 88, "tflow_take_ctx must have no holes");

/* Room the program makes sure of before it writes a record. */
#define TFLOW_ITER_REC_MAX sizeof(struct tflow_iter_rec)

#endif
