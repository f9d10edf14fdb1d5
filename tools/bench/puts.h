/* SPDX-License-Identifier: GPL-2.0-only */
/* puts.h - the datapath section's programs under test (empty, naive, tflow) and its scenarios. */
#ifndef TFLOW_BENCH_PUTS_H
#define TFLOW_BENCH_PUTS_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "tflow.h"

enum put_kind { PUT_EMPTY, PUT_NAIVE, PUT_TFLOW, PUT_N };

/* The three programs of one scenario, loaded side by side with maps of the same size. */
struct puts {
	struct empty_bpf *empty;
	struct naive_bpf *naive;
	struct tflow_bpf *tflow;
	int xdp_fd[PUT_N];
	int tc_fd[PUT_N];
	int flows_fd[PUT_N]; /* -1 for empty */
	/* tflow_ext_ring, drained untimed before each tflow measurement and with tflow's flows */
	struct ring_buffer *ext_rb;
	__u32 collect;		 /* tflow_config.collect as last set */
	struct tflow_config cfg; /* as last set */
	__u64 ext_recs;		 /* records drained since the figure began */
	__u64 ext_routed;	 /* of which the FIB lookup found the route */
};

struct scenario {
	const char *name; /* "one flow", "100k flows", "insert" */
	__u32 max_entries;
	__u32 nflows;	   /* driver: flows cycled; 0 with use_driver: a new flow every packet */
	bool use_driver;   /* false: the program itself, on one unchanging frame */
	__u32 repeat;	   /* runs per measurement */
	bool clear;	   /* empty the maps before each measurement (insert path) */
	__u32 sample_1_in; /* tflow sampling on: 1 packet accounted in this many (0: off) */
	bool keep_maps;	   /* measure on the maps as the figures before left them */
};

/* Load the three with flow maps of max_entries and tflow_ext_ring of ring_size; 0 or -errno. */
int puts_load(struct puts *p, __u32 max_entries, __u32 ring_size);
void puts_unload(struct puts *p);
/* The programs and maps loaded again, empty, with the configuration they had. */
int puts_reload(struct puts *p, const struct scenario *sc);
/* Take tflow's first-packet records off the ring, as tflow's event loop would (not timed). */
int ext_drain(struct puts *p);
/* Empty the flow map of program k (and tflow_ext_ring with tflow's flows). */
int flows_clear(struct puts *p, int k);
int tflow_set_config(struct puts *p, __u32 interval, __u32 space, __u32 collect);
/* Sum of tflow's per-CPU counters. */
int tflow_stats_read(struct puts *p, struct tflow_stats *sum);
/* tflow_ext_ring's size for a scenario. */
__u32 ext_ring_size(const struct scenario *sc);

#endif
