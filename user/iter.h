/* iter.h - the cache scan in the kernel: a BPF iterator over tflow_flows, one pass per scan. */
#ifndef TFLOW_ITER_H_USER
#define TFLOW_ITER_H_USER

#include "tflow_iter.h"

struct flow_iter;

/*
 * Load the iterator program over the flow map flows_fd (the datapath's tflow_flows), attached
 * to it. NULL (errno set) when this kernel cannot: bpf_iter and
 * map element iterators need 5.9, BTF and CO-RE. Needs the privileges of a load (CAP_BPF and
 * CAP_PERFMON); the passes themselves need none.
 */
struct flow_iter *iter_open(int flows_fd);
void iter_close(struct flow_iter *it);

/* One record. */
typedef void (*iter_rec_fn)(void *arg, const struct tflow_iter_rec *r);

/*
 * One pass over the map with parameters p (p->pass is set here): flows idle at p->now_ns (all
 * with TFLOW_ITER_FLUSH) are removed in the kernel and reported with their final counters,
 * flows past the active timeout are reported and stay. fn gets every record, in read() pages.
 * counts: what the pass did. Returns 0 or -errno (records reported until then stand).
 */
int iter_pass(struct flow_iter *it, struct tflow_iter_params *p, iter_rec_fn fn, void *arg,
	      struct tflow_iter_counts *counts);

/*
 * Removal of single flows for the batched scan: tflow_take (iter.bpf.c), a syscall program over
 * flows_fd that marks the counters taken before the delete (include/tflow.h, TFLOW_TAKEN), so a
 * packet that adds to the flow meanwhile is accounted again instead of lost. NULL (errno set)
 * before Linux 5.14.
 */
struct flow_take;
struct flow_take *take_open(int flows_fd);
void take_close(struct flow_take *t);
/* Remove the flow k, its final value into v. 0, -ENOENT when it is not in the map, or -errno. */
int take_flow(struct flow_take *t, const struct tflow_key *k, struct tflow_value *v);

#endif
