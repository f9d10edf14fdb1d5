/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_bpf.h - what the fuzz_bpf sources share: the frames, the reference, the real datapath. */
#ifndef TFLOW_FUZZ_BPF_H
#define TFLOW_FUZZ_BPF_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tflow.h"
#include "tflow.skel.h"
#include "frames.h"

#define LO 1		   /* loopback's ifindex in any netns: test_run's default device */
#define BATCH 2000	   /* frames per batch: the flow map is read and emptied after each */
#define BIG_FLOWS 16384	   /* tflow_flows of the main skeleton: a batch never fills it */
#define SMALL_FLOWS 64	   /* tflow_flows of the cache-full skeleton; its ring is one page */
#define LEN_CAP 4000	   /* longest frame generated (test_run's own limit is probed) */
#define MODEL_SLOTS 8192   /* reference flow table: a power of two above 2 * BATCH */
#define MAX_RING_RECS 4096 /* records the reference keeps per batch */
#define DEFAULT_FRAMES 400000
#define DEFAULT_SEED 0x7f10c0deULL
#define MAX_REPORTS 5 /* failing batches described in detail */
/* tflow_ext_ring: a batch's records fit (8 bytes of ring header + 112 each), drained after it. */
#define EXT_RING (1 << 20)
#define EXT_REC_SPACE (8 + sizeof(struct tflow_ext_rec))
_Static_assert(BATCH *EXT_REC_SPACE <= EXT_RING, "tflow_ext_ring holds a batch's new flows");

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

/* ---- the reference parser ---- */

enum verdict {
	V_OK,
	V_NON_IP,
	V_ERR_ETH,
	V_ERR_VLAN_DEPTH,
	V_ERR_IP_TRUNC,
	V_ERR_IP_VERSION,
	V_ERR_IP_IHL,
	V_ERR_IP_LEN,
	V_ERR_IPV6_EXT,
};

static const char *const verdict_name[] = { "flow",	      "non_ip",	      "err_eth",
					    "err_vlan_depth", "err_ip_trunc", "err_ip_version",
					    "err_ip_ihl",     "err_ip_len",   "err_ipv6_ext" };

static inline __u16 be16(const __u8 *b)
{
	return (__u16)(b[0] << 8 | b[1]);
}

/* ---- the reference datapath: counters, sampler, flow table, overflow ring ---- */

struct frame {
	__u8 *b;
	__u16 len;
	__u8 prog;	   /* RUN_XDP or RUN_TC */
	__u16 gso_segs;	   /* tc only */
	__u16 gso_size;	   /* tc only */
	__u32 ingress_if;  /* tc only: __sk_buff ingress_ifindex */
	enum verdict want; /* filled by the reference */
};

struct mslot {
	bool used;
	struct tflow_key key;
	struct tflow_value val; /* first_ns/last_ns unused */
};

struct model {
	struct tflow_stats st;
	__u32 interval, space; /* tflow_config */
	__u64 pos;	       /* tflow_sampler of CPU 0 */
	struct mslot slot[MODEL_SLOTS];
	int nflows, cap;
	struct tflow_overflow_rec ring[MAX_RING_RECS];
	int nring, ring_cap;
};

/* ---- the real datapath ---- */

struct env {
	const char *name;
	struct tflow_bpf *skel;
	struct ring_buffer *rb;
	int ncpus, flows_cap, ring_cap;
	struct tflow_overflow_rec *recs;
	int nrecs, bad_sizes;
	struct ring_buffer *ext_rb; /* tflow_ext_ring */
	struct tflow_ext_rec *ext_recs;
	int n_ext, ext_bad_sizes;
	struct tflow_stats total; /* summed over every batch */
	int refused;		  /* short frames the kernel refused (refusable()) */
};

struct flow_entry {
	struct tflow_key key;
	struct tflow_value val;
};

/* ---- fuzz_bpf_gen.c: random numbers (splitmix64, from the printed seed), frames ---- */

extern __u64 rng_state;
__u32 rn(__u32 n);
bool chance(__u32 percent);
void gen_frame(struct frame *f, size_t max);

/* ---- fuzz_bpf_model.c: the reference parser and datapath ---- */

struct mslot *model_find(struct model *m, const struct tflow_key *k, bool *found);
void model_reset(struct model *m, int cap, int ring_cap, __u32 interval, __u32 space);
void model_run(struct model *m, struct frame *f);

/* ---- fuzz_bpf_env.c: the real datapath ---- */

int stats_read(struct env *e, struct tflow_stats *sum);
int flows_read(struct env *e, struct flow_entry *out, int max);
int env_reset(struct env *e, struct flow_entry *scratch, __u32 interval, __u32 space);
int run_frame(struct env *e, const struct frame *f, __u32 *retval);
int env_open(struct env *e, const char *name, bool small, char *why, size_t why_size);
void env_close(struct env *e);
size_t probe_max_len(struct env *e, __u8 prog);
size_t probe_xdp_linear(struct env *e, size_t max, struct flow_entry *scratch);

/* ---- fuzz_bpf_check.c: checking a batch ---- */

void frame_print(const struct frame *f, int idx);
int flows_compare(struct env *e, struct model *m, struct flow_entry *got, __u64 t0, __u64 t1,
		  __u64 *map_packets);
__u64 now_ns(void);

/* ---- fuzz_bpf.c ---- */

void stats_add(struct tflow_stats *dst, const struct tflow_stats *src);

#endif
