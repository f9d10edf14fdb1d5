/* iter.bpf.c - the cache scan in the kernel: a bpf_map_elem iterator over tflow_flows. */
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

static __always_inline bool idle(const struct tflow_value *v, __u64 now)
{
	return now > v->last_ns && now - v->last_ns >= iter_params.inactive_ns;
}

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
static __always_inline void take(struct seq_file *seq, const struct tflow_key *k, __u64 now)
{
	struct tflow_value *v = bpf_map_lookup_elem(&tflow_flows, k);

	if (!v) /* shown twice (an insert at the bucket's head moved it), removed already */
		return;
	if (!(iter_params.flags & TFLOW_ITER_FLUSH) && !idle(v, now)) {
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

static __always_inline void pend_flush(struct seq_file *seq, __u64 now)
{
	for (__u32 i = 0; i < TFLOW_ITER_PEND; i++) {
		if (i >= npend)
			break;
		take(seq, &pend[i], now);
	}
	npend = 0;
}

static __always_inline int scan(struct bpf_iter__bpf_map_elem *ctx, bool cast)
{
	struct seq_file *seq = ctx->meta->seq;
	struct tflow_key *key = ctx->key;
	struct tflow_value *val = ctx->value;
	__u64 now = iter_params.now_ns;
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
		pend_flush(seq, now);
		return 0;
	}
	gone = (iter_params.flags & TFLOW_ITER_FLUSH) || idle(val, now);
	/* Only a queue, or a flow for it, needs to know the bucket. */
	if (npend || gone)
		bucket = bucket_of(seq, cast);
	if (npend && bucket != pend_bucket) {
		/* 1: show this element again in the next read(), nothing done yet. */
		if (room(seq) < (npend + 1) * REC_SIZE)
			return 1;
		pend_flush(seq, now);
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
	if (now > val->first_ns && now - val->first_ns >= iter_params.active_ns) {
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
 * Remove the flow ctx->key with its final counters into ctx (user/iter.c, take_flow): the batched
 * scan's removals, without the window of a lookup-and-delete. Syscall programs need 5.14.
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
