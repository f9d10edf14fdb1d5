/* SPDX-License-Identifier: GPL-2.0-only */
/* clock.h - nanoseconds of a clock; CLOCK_MONOTONIC is the datapath's (bpf_ktime_*) clock. */
#ifndef TFLOW_CLOCK_H
#define TFLOW_CLOCK_H

#include <time.h>
#include <linux/types.h>

static inline __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static inline __u64 mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

#endif
