/* SPDX-License-Identifier: GPL-2.0-only */
/* puts.c - the programs under test of the datapath section: loaded, emptied, configured, read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tflow.h"
#include "datapath/stats.h"
#include "puts.h"
#include "datapath/loader.h"
#include "tflow.skel.h"
#include "empty.skel.h"
#include "naive.skel.h"

void puts_unload(struct puts *p)
{
	empty_bpf__destroy(p->empty);
	naive_bpf__destroy(p->naive);
	tflow_bpf__destroy(p->tflow);
	ring_buffer__free(p->ext_rb);
	memset(p, 0, sizeof(*p));
}

static int ext_rec(void *arg, void *data, size_t size)
{
	const struct tflow_ext_rec *r = data;
	struct puts *p = arg;

	if (size < sizeof(*r))
		return 0;
	p->ext_recs++;
	if (r->e.ext.fib_ok && r->e.ext.fib_ifindex)
		p->ext_routed++;
	return 0;
}

/* Take tflow's first-packet records off the ring, as tflow's event loop would (not timed). */
int ext_drain(struct puts *p)
{
	return ring_buffer__consume(p->ext_rb) < 0 ? -EIO : 0;
}

int puts_load(struct puts *p, __u32 max_entries, __u32 ring_size)
{
	int err = -ENOMEM;

	memset(p, 0, sizeof(*p));
	p->empty = empty_bpf__open_and_load();
	if (!p->empty)
		goto fail;
	p->naive = naive_bpf__open();
	if (!p->naive)
		goto fail;
	bpf_map__set_max_entries(p->naive->maps.naive_flows, max_entries);
	err = naive_bpf__load(p->naive);
	if (err)
		goto fail;
	p->tflow = tflow_bpf__open();
	if (!p->tflow) {
		err = -errno;
		goto fail;
	}
	bpf_map__set_max_entries(p->tflow->maps.tflow_flows, max_entries);
	bpf_map__set_max_entries(p->tflow->maps.tflow_ext, max_entries); /* as the loader does */
	bpf_map__set_max_entries(p->tflow->maps.tflow_ext_ring, ring_size);
	err = tflow_bpf__load(p->tflow);
	if (err)
		goto fail;
	p->ext_rb = ring_buffer__new(bpf_map__fd(p->tflow->maps.tflow_ext_ring), ext_rec, p, NULL);
	if (!p->ext_rb) {
		err = -errno;
		goto fail;
	}
	p->xdp_fd[PUT_EMPTY] = bpf_program__fd(p->empty->progs.empty_xdp);
	p->xdp_fd[PUT_NAIVE] = bpf_program__fd(p->naive->progs.naive_xdp);
	p->xdp_fd[PUT_TFLOW] = bpf_program__fd(p->tflow->progs.tflow_xdp);
	p->tc_fd[PUT_EMPTY] = bpf_program__fd(p->empty->progs.empty_tc);
	p->tc_fd[PUT_NAIVE] = bpf_program__fd(p->naive->progs.naive_tc);
	p->tc_fd[PUT_TFLOW] = bpf_program__fd(p->tflow->progs.tflow_tc_egress);
	p->flows_fd[PUT_EMPTY] = -1;
	p->flows_fd[PUT_NAIVE] = bpf_map__fd(p->naive->maps.naive_flows);
	p->flows_fd[PUT_TFLOW] = bpf_map__fd(p->tflow->maps.tflow_flows);
	return 0;
fail:
	fprintf(stderr, "bench: loading the programs (max_entries %u) failed: %s\n", max_entries,
		strerror(err < 0 ? -err : errno));
	puts_unload(p);
	return err ? err : -ENOMEM;
}

/* Empty a hash map (not timed): read its keys in batches, delete them in batches. */
static int map_clear(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count, batch;
	void *keys, *vals;
	bool more = true;
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	keys = malloc((size_t)info.key_size * 65536);
	vals = malloc((size_t)info.value_size * 65536);
	while (keys && vals && more) {
		count = 65536;
		/* Deleting behind the batch cursor confuses it: always start from the beginning. */
		err = bpf_map_lookup_batch(fd, NULL, &batch, keys, vals, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		more = !err && count;
		err = 0;
		if (count && bpf_map_delete_batch(fd, keys, &count, NULL)) {
			err = -errno;
			break;
		}
	}
	free(keys);
	free(vals);
	return keys && vals ? err : -ENOMEM;
}

/* Empty the flow map of program k (and tflow_ext_ring with tflow's flows). */
int flows_clear(struct puts *p, int k)
{
	int err = p->flows_fd[k] >= 0 ? map_clear(p->flows_fd[k]) : 0;

	return !err && k == PUT_TFLOW ? ext_drain(p) : err;
}

int tflow_set_config(struct puts *p, __u32 interval, __u32 space, __u32 collect)
{
	struct tflow_config cfg = { .sampling_interval = interval,
				    .sampling_space = space,
				    .collect = collect };
	__u32 zero = 0;

	p->cfg = cfg;
	p->collect = collect;
	return bpf_map_update_elem(bpf_map__fd(p->tflow->maps.tflow_config), &zero, &cfg, BPF_ANY);
}

/* Sum of tflow's per-CPU counters: the command's own reader (datapath/stats.c). */
int tflow_stats_read(struct puts *p, struct tflow_stats *sum)
{
	return stats_read(bpf_map__fd(p->tflow->maps.tflow_stats), sum);
}

/*
 * tflow_ext_ring for a scenario: the loader's size, doubled until the new flows of one
 * measurement, warm-up and timed run, fill at most half of it. Past half the datapath wakes
 * userspace on each record, and tflow's event loop would drain the ring then; the bench drains it
 * between measurements.
 */
__u32 ext_ring_size(const struct scenario *sc)
{
	__u64 recs = !sc->use_driver ? 1 : sc->nflows ? sc->nflows : sc->repeat;
	__u64 want = 2 * recs * (sizeof(struct tflow_ext_rec) + BPF_RINGBUF_HDR_SZ);
	__u64 size = loader_ext_ring_size(sc->max_entries);

	while (size < want)
		size <<= 1;
	return (__u32)size;
}

/* The programs and maps loaded again, empty, with the configuration they had. */
int puts_reload(struct puts *p, const struct scenario *sc)
{
	struct tflow_config cfg = p->cfg;
	int err;

	puts_unload(p);
	err = puts_load(p, sc->max_entries, ext_ring_size(sc));
	return err ? err
		   : tflow_set_config(p, cfg.sampling_interval, cfg.sampling_space, cfg.collect);
}
