/* SPDX-License-Identifier: GPL-2.0-only */
/* bench.h - helpers shared by the bench programs: clocks, medians, the one-line verdicts. */
#ifndef TFLOW_BENCH_H
#define TFLOW_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define BENCH_MAX_RUNS 15

struct bench_opts {
	bool quick;	    /* CI-sized: fewer runs, smaller repeats, no 1M-entry figures */
	int runs;	    /* measurements per figure; the median is reported */
	const char *only;   /* run only the sections whose name starts with this (NULL: all) */
	const char *figure; /* datapath: run only the figures whose name contains this */
};

extern struct bench_opts bench;
extern int bench_misses;

__u64 bench_now_ns(void);
__u64 bench_cpu_ns(void); /* CPU time of the calling thread, user + system */
double bench_median(double *v, int n);

/*
 * One summary line per figure: "bench: NAME: TEXT (target OP LIMIT) PASS|MISS". value is what
 * the target compares; a MISS is counted and makes the program exit non-zero.
 */
void bench_target_le(const char *name, const char *text, double value, double limit);
void bench_target_ge(const char *name, const char *text, double value, double limit);
/* A figure without a target: "bench: NAME: TEXT (info)". */
void bench_info(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The sections (datapath_bench.c, export_bench.c, scan_bench.c, memory_bench.c); each returns 0
 * or -errno when it cannot run.
 */
int bench_datapath(void);
int bench_encoders(void);
int bench_scan(void);
int bench_memory(void);

#endif
