/* SPDX-License-Identifier: GPL-2.0-only */
/* gen.h - what the veth bench's traffic generators (xdpgen.c, afpgen.c) share: clocks, MACs. */
#ifndef TFLOW_BENCH_GEN_H
#define TFLOW_BENCH_GEN_H

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>

static inline __u64 gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * CPU time of this thread: with IRQ time accounting off (Debian's default) it includes the
 * softirq work (the receiving veth's NAPI or backlog) that ran on our CPU after the generator's
 * frames.
 */
static inline __u64 gen_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* "aa:bb:cc:dd:ee:ff" into mac: 0 or -EINVAL. */
static inline int gen_parse_mac(const char *s, __u8 mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6
		       ? 0
		       : -EINVAL;
}

#endif
