/* SPDX-License-Identifier: GPL-2.0-only */
/* memory_bench.c - memory section: kernel and userspace bytes per flow, first-packet fields. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "tflow.h"
#include "bench.h"
#include "export_bench.h"
#include "cache/extstore.h"
#include "datapath/loader.h"
#include "tflow.skel.h"

/* The map's memlock, as `bpftool map show` prints it (both read the map's fdinfo). */
static long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

int bench_memory(void)
{
	static const __u32 sizes[] = { 4096, 65536, 262144, 1048576 };
	char fig[64], text[128];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct tflow_bpf *skel;
		long long ml;
		int fd;

		if (bench.quick && sizes[i] > 262144)
			continue;
		skel = flows_map_load(sizes[i], &fd);
		if (!skel)
			return -EIO;
		ml = map_memlock(fd);
		tflow_bpf__destroy(skel);
		if (ml < 0)
			return -EIO;
		snprintf(fig, sizeof(fig), "kernel memory per flow %uk", sizes[i] / 1024);
		snprintf(text, sizeof(text), "%.3f B (memlock %lld B, key %zu B, value %zu B)",
			 (double)ml / sizes[i], ml, sizeof(struct tflow_key),
			 sizeof(struct tflow_value));
		if (sizes[i] == 262144)
			bench_target_le(fig, text, (double)ml / sizes[i], 160);
		else
			bench_info(fig, "%s", text);
	}
	/*
	 * Every field selected: in the kernel, the ring new flows' fields pass through, of a size
	 * fixed by cache-entries; in userspace, the table that keeps them until the flow leaves.
	 */
	{
		const __u32 n = 262144;
		struct tflow_bpf *skel = flows_map_load(n, &(int){ 0 });
		struct mallinfo2 m0, m1;
		struct ext_store es;
		long long ring;
		double used;
		int err;

		if (!skel)
			return -EIO;
		ring = map_memlock(bpf_map__fd(skel->maps.tflow_ext_ring));
		tflow_bpf__destroy(skel);
		if (ring < 0)
			return -EIO;
		bench_info("kernel memory of first-packet fields 256k",
			   "%.1f B per cache entry: tflow_ext_ring of %u B (memlock %lld B), "
			   "whatever the flows; records %zu B",
			   (double)ring / n, loader_ext_ring_size(n), ring,
			   sizeof(struct tflow_ext_rec) + BPF_RINGBUF_HDR_SZ);
		/* The heap in use, small chunks and mmap()ed ones (the bucket array). */
		m0 = mallinfo2();
		err = ext_store_init(&es, -1, n);
		if (!err)
			err = ext_fill(&es, n, 0);
		m1 = mallinfo2();
		ext_store_free(&es);
		if (err)
			return err;
		used = (double)(m1.uordblks + m1.hblkhd) - (double)(m0.uordblks + m0.hblkhd);
		bench_info("userspace memory per flow with first-packet fields 256k",
			   "%.1f B (%.1f MB for 256k flows: node of key %zu B and entry %zu B, "
			   "bucket pointer)",
			   used / n, used / 1e6, sizeof(struct tflow_key),
			   sizeof(struct tflow_ext_entry));
	}
	bench_info("userspace memory per cached flow", "%zu B of scan snapshot (key, value, flag)",
		   sizeof(struct tflow_key) + sizeof(struct tflow_value) + 1);
	return 0;
}
