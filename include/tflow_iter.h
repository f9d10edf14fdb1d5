/* SPDX-License-Identifier: GPL-2.0-only */
/* tflow_iter.h - what the in-kernel cache scan (bpf/iter.bpf.c) and user/cache/iter.c exchange. */
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

/*
 * What a scan does with a flow at p->now_ns. Every walker of the map asks this one function: the
 * syscall program and the iterator in the kernel (bpf/iter.bpf.c), the batched path in userspace
 * (user/cache/cache.c). A packet may have come a clock tick after now (the scan's clock was read
 * first): its flow is neither idle nor past the active timeout, however the subtraction would wrap.
 */
enum tflow_fate {
	TFLOW_FATE_KEEP,   /* stays, nothing to report */
	TFLOW_FATE_ACTIVE, /* stays, reported: first packet at least active_ns ago */
	TFLOW_FATE_TAKE,   /* taken and removed: idle at least inactive_ns, or a flush */
};

static inline enum tflow_fate tflow_fate(const struct tflow_iter_params *p,
					 const struct tflow_value *v)
{
	__u64 now = p->now_ns, last = v->last_ns, first = v->first_ns;

	if ((p->flags & TFLOW_ITER_FLUSH) || (now > last && now - last >= p->inactive_ns))
		return TFLOW_FATE_TAKE;
	if (now > first && now - first >= p->active_ns)
		return TFLOW_FATE_ACTIVE;
	return TFLOW_FATE_KEEP;
}

/* What one pass did, read by userspace after it (.bss). */
struct tflow_iter_counts {
	__u64 visited;	/* elements the iterator showed the program (a flow may be shown twice) */
	__u64 kept;	/* flows left in the map */
	__u64 removed;	/* flows removed and reported */
	__u64 deferred; /* iterator: idle flows left for the next scan (their bucket's queue full)
			 */
	__u64 failed;	/* removals the map refused: reported, left in the map marked taken */
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

/*
 * The syscall-program scan (tflow_sweep: one bpf_for_each_map_elem walk of tflow_flows per run)
 * writes its records into the mmapable array tflow_sweep_out, cap of them a run. When it fills,
 * the walk stops before the element it could not report and userspace runs it again with skip set
 * to the elements earlier runs left in the map: the walk passes over them (they come first, in
 * bucket order) and goes on where it stopped. .bss, written by userspace before each run.
 */
struct tflow_sweep_ctl {
	__u64 skip; /* elements to pass over first */
	__u32 cap;  /* records tflow_sweep_out holds */
	__u32 n;    /* records this run wrote */
	__u32 more; /* 1: the output filled before the walk ended */
	__u32 pad;
};

/* Room the program makes sure of before it writes a record. */
#define TFLOW_ITER_REC_MAX sizeof(struct tflow_iter_rec)

#endif
