/* SPDX-License-Identifier: GPL-2.0-only */
/* stats.c - sum the per-CPU tflow_stats entry; print it by field name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "datapath/stats.h"

int stats_read(int fd, struct tflow_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tflow_stats *per;
	__u32 zero = 0;

	if (ncpu < 0)
		return ncpu;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, per)) {
		free(per);
		return -errno;
	}
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&per[c];
		__u64 *dst = (__u64 *)sum;

		for (size_t i = 0; i < STATS_NFIELDS; i++)
			dst[i] += src[i];
	}
	free(per);
	return 0;
}

void stats_print(const struct tflow_stats *s, FILE *f)
{
	const __u64 *v = (const __u64 *)s;

	for (size_t i = 0; i < STATS_NFIELDS; i++)
		fprintf(f, "%s%s=%llu", i ? " " : "", stats_names[i], (unsigned long long)v[i]);
	fputc('\n', f);
}
