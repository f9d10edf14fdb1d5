/* SPDX-License-Identifier: GPL-2.0-only */
/* test_bpf.h - what the test_bpf sources share: assertions, the loaded skeleton, expectations. */
#ifndef TFLOW_TEST_BPF_H
#define TFLOW_TEST_BPF_H

#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tflow.h"
#include "tflow.skel.h"
#include "fixtures.h"
#include "iter_cases.h"
#include "cache/take.h"

#define SMALL_FLOWS 4 /* tflow_flows size of the cache-full skeleton; its rings are one page */
#define MAX_RECS 128
#define MAX_EXT_RECS 64
/* A tflow_ext_ring record takes 8 bytes of ring header + 112: a 4 KiB ring holds 34 of them. */
#define EXT_REC_SPACE (8 + sizeof(struct tflow_ext_rec))

/* ---- assertions: print why on stderr, mark the case failed, return bool (test_bpf.c) ---- */

extern const char *case_ctx; /* which frame/step an assertion is about */

void case_begin(const char *name);
void test_fail(int line, const char *tag, const char *fmt, ...);
/* One line per case on stdout, after its diagnostics on stderr. */
void case_end(void);

#define CHECK(cond, tag, fmt, ...)                                    \
	({                                                            \
		bool ok_ = !!(cond);                                  \
		if (!ok_)                                             \
			test_fail(__LINE__, tag, fmt, ##__VA_ARGS__); \
		ok_;                                                  \
	})
#define ASSERT_TRUE(cond, tag) CHECK(cond, tag, "%s is false", #cond)
#define ASSERT_EQ(got, want, tag)                                                              \
	({                                                                                     \
		unsigned long long g_ = (got), w_ = (want);                                    \
		CHECK(g_ == w_, tag, "got %llu (0x%llx), want %llu (0x%llx)", g_, g_, w_, w_); \
	})
#define ASSERT_OK(err, tag)                                                         \
	({                                                                          \
		long e_ = (err);                                                    \
		CHECK(!e_, tag, "error %ld (%s)", e_, strerror(e_ < 0 ? -e_ : e_)); \
	})

/* ---- stats ---- */

/* The counters of struct tflow_stats, in order (clang-format cannot settle on an X-macro list). */
/* clang-format off */
#define STATS_FIELDS(X)								\
	X(seen) X(non_ip) X(err_eth) X(err_vlan_depth) X(err_ip_trunc)		\
	X(err_ip_version) X(err_ip_ihl) X(err_ip_len) X(err_ipv6_ext)		\
	X(sampled) X(skipped) X(accounted) X(flows_created) X(cache_full)	\
	X(overflow) X(lost) X(l4_trunc) X(l4_bad_doff) X(fragments) X(ext_failed)
/* clang-format on */
#define STATS_COUNT_ONE(f) +1
_Static_assert(sizeof(struct tflow_stats) == (0 STATS_FIELDS(STATS_COUNT_ONE)) * sizeof(__u64),
	       "a counter was added to struct tflow_stats: list it in STATS_FIELDS");

/* ---- one loaded skeleton and its userspace view ---- */

struct env {
	struct tflow_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
	struct tflow_overflow_rec recs[MAX_RECS];
	int nrecs;		    /* records on the ring at the last drain */
	int bad_sizes;		    /* of them, records not the size of struct tflow_overflow_rec */
	struct ring_buffer *ext_rb; /* tflow_ext_ring */
	struct tflow_ext_rec ext_recs[MAX_EXT_RECS];
	int n_ext;	   /* records on tflow_ext_ring at the last drain */
	int ext_bad_sizes; /* of them, records not the size of struct tflow_ext_rec */
};

struct flow_entry {
	struct tflow_key key;
	struct tflow_value val;
};

/* ---- running a frame ---- */

enum run_status {
	RUN_FAILED,  /* an assertion failed */
	RUN_DONE,    /* ran, verdict checked */
	RUN_REFUSED, /* the kernel refuses a frame this short in test_run (6.18: < 14 bytes) */
	RUN_NO_CPU,  /* the frame asks for a CPU this machine does not have */
};

/* ---- env.c: one loaded skeleton, its maps and rings; running a frame ---- */

int ring_drain(struct env *e);
int ext_drain(struct env *e);
int stats_read(struct env *e, struct tflow_stats *sum);
__u64 sampler_pos(struct env *e, int cpu);
int config_set(struct env *e, const struct tflow_config *cfg);
int env_reset(struct env *e);
int flows_read(struct env *e, struct flow_entry *out, int max);
__u64 now_ns(void);
bool pin_cpu(int cpu);
enum run_status run_frame(struct env *e, const struct fspec *s, int repeat);
int env_open(struct env *e, bool small, char *why, size_t why_size);
void env_close(struct env *e);

/* ---- expect.c: the expected flows, ring records and counters ---- */

void key_build(const struct fx_flow *x, struct tflow_key *k);
void key_print(const char *what, const struct tflow_key *k);
bool value_check(const struct fx_flow *x, const struct tflow_value *v, __u64 t0, __u64 t1);
void ext_check(struct env *e, const struct fx_flow *x, int nx);
__u64 flows_check(struct env *e, const struct fx_flow *x, int nx, __u64 t0, __u64 t1);
bool ring_expect(struct env *e, int n);
void stats_check(struct env *e, const struct tflow_stats *want, __u64 map_packets);

/* ---- cache_full.c: a second skeleton with a tiny flow map and one-page rings ---- */

void test_cache_full(struct env *e, bool collect);
void test_cache_full_known_flow(struct env *e);
void test_ring_full(struct env *e);
void test_cache_full_gso(struct env *e, bool ring_full);
void test_ext_ring(struct env *e);
void test_taken(struct env *e, bool taken_bytes);
void test_take_prog(struct env *e);

#endif
