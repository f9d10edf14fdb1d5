/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iter.h - the cache scan in the kernel: a BPF syscall program that walks tflow_flows, or a BPF
 * map element iterator over it, one pass per scan.
 */
#ifndef TFLOW_ITER_H_USER
#define TFLOW_ITER_H_USER

#include "tflow_iter.h"

/* How a scan walks the flow map. */
enum scan_mode {
	SCAN_BATCHED,  /* userspace: batched map reads, a syscall per removed flow
			  (user/cache/cache.c) */
	SCAN_SYSCALL,  /* tflow_sweep: bpf_for_each_map_elem in a syscall program (Linux 5.14) */
	SCAN_ITERATOR, /* tflow_scan: a bpf_map_elem iterator, a tracing program (Linux 5.9, BTF) */
};

/* "syscall program", "map iterator", "batched syscalls": for the log and `tflow status`. */
static inline const char *scan_mode_name(enum scan_mode m)
{
	return m == SCAN_SYSCALL    ? "syscall program"
	       : m == SCAN_ITERATOR ? "map iterator"
				    : "batched syscalls";
}

struct flow_iter;

/*
 * Records one run of the syscall program holds (88 bytes each; fewer for a smaller cache). A walk
 * that reports more takes several runs. Tests set it smaller before iter_open.
 */
#define ITER_SWEEP_CAP 65536
extern unsigned int iter_sweep_cap;

/*
 * Load the program of mode m (SCAN_SYSCALL or SCAN_ITERATOR) over the flow map flows_fd (the
 * datapath's tflow_flows) of max_entries flows. NULL, errno set, when the kernel refuses it:
 * EPERM from a security policy (lockdown refuses tracing programs), EINVAL or ENOTSUP from a
 * kernel without the program type or helper. Needs the privileges of a load (CAP_BPF and
 * CAP_PERFMON); the passes themselves need none.
 */
struct flow_iter *iter_open(int flows_fd, __u32 max_entries, enum scan_mode m);
void iter_close(struct flow_iter *it);
enum scan_mode iter_mode(const struct flow_iter *it);

/* One record. */
typedef void (*iter_rec_fn)(void *arg, const struct tflow_iter_rec *r);

/*
 * One pass over the map with parameters p (p->pass is set here): flows idle at p->now_ns (all
 * with TFLOW_ITER_FLUSH) are removed in the kernel and reported with their final counters,
 * flows past the active timeout are reported and stay (include/tflow_iter.h, tflow_fate). fn gets
 * every record, in batches. counts: what the pass did. Returns 0 or -errno (records reported
 * until then stand).
 */
int iter_pass(struct flow_iter *it, struct tflow_iter_params *p, iter_rec_fn fn, void *arg,
	      struct tflow_iter_counts *counts);

/*
 * The object of bpf/iter.bpf.c with only its program name loaded, over flows_fd, cap records in
 * tflow_sweep_out (take.c loads tflow_take with it); NULL and errno on failure.
 */
struct tflow_iter_bpf;
struct tflow_iter_bpf *iter_load(int flows_fd, const char *name, __u32 cap);

#endif
