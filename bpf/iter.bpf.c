/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iter.bpf.c - the cache scan in the kernel: a syscall program that walks tflow_flows with
 * bpf_for_each_map_elem (tflow_sweep), or a bpf_map_elem iterator over it where tracing programs
 * load (tflow_scan); and tflow_take, the batched path's removal of one flow.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tflow.h"
#include "tflow_iter.h"
#include "flowmaps.bpf.h" /* userspace hands over the datapath's maps (bpf_map__reuse_fd) */

#define REC_SIZE TFLOW_ITER_REC_MAX

struct tflow_iter_params iter_params;
struct tflow_iter_counts iter_counts;

/*
 * Idle flows of the bucket being visited. The hash map iterator resumes each read() at "bucket
 * B, element N", counting the elements of B it showed before: removing one of those would make
 * it skip a flow it never showed, and removing the element it stands on would have it follow a
 * freed element's link. So a flow is removed only once the iterator has left its bucket: the
 * removals never touch a bucket the iterator is in, whatever the read() boundaries.
 */
static struct tflow_key pend[TFLOW_ITER_PEND];
static __u32 npend;
static __u32 pend_bucket;
static __u32 pass;				/* iter_params.pass this state belongs to */
static struct bpf_iter_seq_hash_map_info *info; /* this pass's iterator state */
/* The record being written. */
static struct {
	struct tflow_iter_rec rec;
} out;
/* Written whole to overflow the seq buffer on purpose: larger than any flush. */
static char overflow[TFLOW_ITER_PEND * REC_SIZE];

/*
 * Bytes this read()'s buffer still takes. A record that does not fit is dropped with the whole
 * element's output, after its removals, so the program checks before it acts. seq_write()
 * wants room to spare: count + len < size.
 */
static __always_inline __u64 room(struct seq_file *seq)
{
	return seq->size - seq->count - 1;
}

/* Inlined by the verifier (6.2+): a typed view of the iterator's state, loads need no probe. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/*
 * The bucket the iterator stands on (kernel/bpf/hashtab.c, bpf_iter_seq_hash_map_info). cast:
 * through bpf_rdonly_cast (tflow_scan); else with a probe read (tflow_scan_compat, before 6.2:
 * about 30 ns a call, so the state's address is looked up once a pass).
 */
static __always_inline __u32 bucket_of(struct seq_file *seq, bool cast)
{
	if (cast) {
		struct bpf_iter_seq_hash_map_info *i = bpf_rdonly_cast(
			seq->private, bpf_core_type_id_kernel(struct bpf_iter_seq_hash_map_info));

		return i->bucket_id;
	}
	if (!info)
		info = BPF_CORE_READ(seq, private);
	return BPF_CORE_READ(info, bucket_id);
}

static __always_inline void emit(struct seq_file *seq)
{
	/* Cannot fail after room(): if it did, userspace would say so (the record is lost). */
	if (bpf_seq_write(seq, &out.rec, sizeof(out.rec)))
		iter_counts.dropped++;
}

/*
 * Swap v's counters for TFLOW_TAKEN and copy v with its final counters into out, before the
 * caller deletes it: a packet that adds to it from now on sees the mark and accounts itself
 * again (bpf/flow.bpf.h). Packets first: flow_add's case analysis depends on the order. The
 * element stays in the map until the delete, so its other fields are still its own.
 */
static __always_inline void take_counters(struct tflow_value *v, struct tflow_value *out)
{
	__u64 packets = __sync_lock_test_and_set(&v->packets, TFLOW_TAKEN);
	__u64 bytes = __sync_lock_test_and_set(&v->bytes, TFLOW_TAKEN);

	*out = *v;
	out->packets = packets;
	out->bytes = bytes;
}

/* Remove one idle flow and report its final counters. */
static __always_inline void take(struct seq_file *seq, const struct tflow_key *k)
{
	struct tflow_value *v = bpf_map_lookup_elem(&tflow_flows, k);

	if (!v) /* shown twice (an insert at the bucket's head moved it), removed already */
		return;
	if (tflow_fate(&iter_params, v) != TFLOW_FATE_TAKE) {
		iter_counts.kept++; /* a packet came since it was shown */
		return;
	}
	out.rec.key = *k;
	out.rec.flags = TFLOW_ITER_REMOVED;
	take_counters(v, &out.rec.value);
	/*
	 * Cannot fail: the element is there and only this thread removes. If it did, the flow would
	 * stay marked, its packets accounted again into... itself: the datapath sends them to the
	 * overflow ring. Its counters are exported here, so nothing is counted twice.
	 */
	if (bpf_map_delete_elem(&tflow_flows, k))
		iter_counts.failed++;
	emit(seq);
	iter_counts.removed++;
}

static __always_inline void pend_flush(struct seq_file *seq)
{
	for (__u32 i = 0; i < TFLOW_ITER_PEND; i++) {
		if (i >= npend)
			break;
		take(seq, &pend[i]);
	}
	npend = 0;
}

static __always_inline int scan(struct bpf_iter__bpf_map_elem *ctx, bool cast)
{
	struct seq_file *seq = ctx->meta->seq;
	struct tflow_key *key = ctx->key;
	struct tflow_value *val = ctx->value;
	enum tflow_fate fate;
	__u32 bucket = 0, n;
	bool gone;

	if (pass != iter_params.pass) {
		pass = iter_params.pass;
		npend = 0;
		info = NULL;
	}
	if (!key || !val) {
		/* The end of the map: the last bucket's idle flows. */
		if (npend && room(seq) < npend * REC_SIZE) {
			/*
			 * The kernel drops an overflowing stop's output and runs it again in
			 * the next read(), with an empty buffer.
			 */
			bpf_seq_write(seq, overflow, sizeof(overflow));
			return 0;
		}
		pend_flush(seq);
		return 0;
	}
	fate = tflow_fate(&iter_params, val);
	gone = fate == TFLOW_FATE_TAKE;
	/* Only a queue, or a flow for it, needs to know the bucket. */
	if (npend || gone)
		bucket = bucket_of(seq, cast);
	if (npend && bucket != pend_bucket) {
		/* 1: show this element again in the next read(), nothing done yet. */
		if (room(seq) < (npend + 1) * REC_SIZE)
			return 1;
		pend_flush(seq);
	} else if (room(seq) < REC_SIZE) {
		return 1;
	}
	iter_counts.visited++;
	if (gone) {
		n = npend;
		if (n >= TFLOW_ITER_PEND) {
			iter_counts.deferred++;
			return 0;
		}
		pend[n] = *key;
		npend = n + 1;
		pend_bucket = bucket;
		return 0;
	}
	iter_counts.kept++;
	/* Past the active timeout (or exported by it before): userspace exports the delta. */
	if (fate == TFLOW_FATE_ACTIVE) {
		out.rec.key = *key;
		out.rec.flags = 0;
		out.rec.value = *val;
		emit(seq);
	}
	return 0;
}

/* Userspace loads one of the two: tflow_scan where the kernel has bpf_rdonly_cast. */
SEC("iter/bpf_map_elem")
int tflow_scan(struct bpf_iter__bpf_map_elem *ctx)
{
	return scan(ctx, true);
}

SEC("iter/bpf_map_elem")
int tflow_scan_compat(struct bpf_iter__bpf_map_elem *ctx)
{
	return scan(ctx, false);
}

/*
 * The records of one tflow_sweep run, read by userspace through mmap (user/cache/iter.c).
 * max_entries is the run's capacity (tflow_sweep_ctl.cap), set before load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tflow_iter_rec);
} tflow_sweep_out SEC(".maps");

struct tflow_sweep_ctl sweep_ctl;

/*
 * One element of the walk. bpf_for_each_map_elem visits each bucket's list under RCU and follows
 * an element's link after the callback returns, and a deleted element keeps its link, so the
 * element the walk stands on may be removed here: no bucket rules, as the iterator needs. A
 * preallocated element can be reused at once by an insert on another CPU and relinked into
 * another bucket; the walk then goes on in that bucket: elements visited twice (a removed flow is
 * not found again, an active one reported twice: userspace exports its delta once) or left for
 * the next scan, never one handled wrongly.
 */
static long sweep_one(struct bpf_map *map, struct tflow_key *key, struct tflow_value *val,
		      void *data)
{
	struct tflow_iter_rec *r;
	enum tflow_fate fate;
	__u32 n = sweep_ctl.n;

	if (sweep_ctl.skip) {
		sweep_ctl.skip--;
		return 0;
	}
	fate = tflow_fate(&iter_params, val);
	if (fate == TFLOW_FATE_KEEP) {
		iter_counts.visited++;
		iter_counts.kept++;
		return 0;
	}
	/* Full: stop before this element; the next run starts here. */
	r = n < sweep_ctl.cap ? bpf_map_lookup_elem(&tflow_sweep_out, &n) : NULL;
	if (!r) {
		sweep_ctl.more = 1;
		return 1;
	}
	iter_counts.visited++;
	r->key = *key;
	if (fate == TFLOW_FATE_ACTIVE) {
		r->flags = 0;
		r->value = *val;
		iter_counts.kept++;
	} else {
		r->flags = TFLOW_ITER_REMOVED;
		take_counters(val, &r->value);
		/* As in take(): cannot fail, the element is there and only this thread removes. */
		if (bpf_map_delete_elem(&tflow_flows, key))
			iter_counts.failed++;
		else
			iter_counts.removed++;
	}
	sweep_ctl.n = n + 1;
	return 0;
}

/*
 * One run of the scan without a tracing program (BPF_PROG_TYPE_SYSCALL, BPF_PROG_TEST_RUN; 5.14):
 * userspace sets iter_params and sweep_ctl, reads sweep_ctl.n records and runs it again while
 * sweep_ctl.more says so.
 */
SEC("syscall")
int tflow_sweep(void *ctx)
{
	sweep_ctl.n = 0;
	sweep_ctl.more = 0;
	bpf_for_each_map_elem(&tflow_flows, sweep_one, NULL, 0);
	return 0;
}

/*
 * Remove the flow ctx->key with its final counters into ctx (user/cache/iter.c, take_flow): the
 * batched scan's removals, without the window of a lookup-and-delete. Syscall programs need 5.14.
 */
SEC("syscall")
int tflow_take(struct tflow_take_ctx *ctx)
{
	struct tflow_key k = ctx->key;
	struct tflow_value *v = bpf_map_lookup_elem(&tflow_flows, &k);
	struct tflow_value final;

	if (!v) {
		ctx->found = 0;
		return 0;
	}
	take_counters(v, &final);
	bpf_map_delete_elem(&tflow_flows, &k);
	ctx->value = final;
	ctx->found = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
