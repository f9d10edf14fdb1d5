/* SPDX-License-Identifier: GPL-2.0-only */
/* env.c - test_bpf's loaded skeleton: its maps and rings read and reset, frames run. */
#include "test_bpf.h"

static int ring_collect(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct tflow_overflow_rec))
		e->bad_sizes++;
	else if (e->nrecs < MAX_RECS)
		memcpy(&e->recs[e->nrecs], data, size);
	e->nrecs++;
	return 0;
}

int ring_drain(struct env *e)
{
	e->nrecs = 0;
	e->bad_sizes = 0;
	return ring_buffer__consume(e->rb) < 0 ? -errno : 0;
}

static int ext_collect(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct tflow_ext_rec))
		e->ext_bad_sizes++;
	else if (e->n_ext < MAX_EXT_RECS)
		memcpy(&e->ext_recs[e->n_ext], data, size);
	e->n_ext++;
	return 0;
}

int ext_drain(struct env *e)
{
	e->n_ext = 0;
	e->ext_bad_sizes = 0;
	return ring_buffer__consume(e->ext_rb) < 0 ? -errno : 0;
}

int stats_read(struct env *e, struct tflow_stats *sum)
{
	struct tflow_stats *percpu = calloc(e->ncpus, sizeof(*percpu));
	__u32 zero = 0;
	int err;

	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	err = bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.tflow_stats), &zero, percpu);
	if (err) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < e->ncpus; c++) {
		const __u64 *src = (const __u64 *)&percpu[c];
		__u64 *dst = (__u64 *)sum;

		for (size_t i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
out:
	free(percpu);
	return err;
}

__u64 sampler_pos(struct env *e, int cpu)
{
	struct tflow_sampler *percpu = calloc(e->ncpus, sizeof(*percpu));
	__u32 zero = 0;
	__u64 pos = ~0ULL;

	if (percpu && !bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.tflow_sampler), &zero, percpu))
		pos = percpu[cpu].pos;
	free(percpu);
	return pos;
}

int config_set(struct env *e, const struct tflow_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_config), &zero, cfg, 0) ? -errno
											   : 0;
}

static int map_clear(int fd, void *key)
{
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

/* Empties tflow_flows, tflow_ext and both rings, zeroes the stats, the sampler and the config. */
int env_reset(struct env *e)
{
	size_t percpu_size = (size_t)e->ncpus * sizeof(struct tflow_stats);
	static const struct tflow_config off;
	void *zeros = calloc(1, percpu_size);
	struct tflow_key key;
	__u32 zero = 0;
	int err = 0;

	if (!zeros)
		return -ENOMEM;
	err = map_clear(bpf_map__fd(e->skel->maps.tflow_flows), &key);
	if (!err)
		err = map_clear(bpf_map__fd(e->skel->maps.tflow_ext), &key);
	if (err)
		goto out;
	/* Both per-CPU values are smaller than a stats value: one zero buffer serves them all. */
	if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_stats), &zero, zeros, 0) ||
	    bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_sampler), &zero, zeros, 0)) {
		err = -errno;
		goto out;
	}
	err = config_set(e, &off);
	if (!err)
		err = ring_drain(e);
	if (!err)
		err = ext_drain(e);
out:
	free(zeros);
	return err;
}

/* Reads every entry of tflow_flows (at most max); returns how many there are, or -errno. */
int flows_read(struct env *e, struct flow_entry *out, int max)
{
	int fd = bpf_map__fd(e->skel->maps.tflow_flows);
	struct tflow_key key, next;
	struct tflow_key *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (n < max) {
			out[n].key = next;
			if (bpf_map_lookup_elem(fd, &next, &out[n].val))
				return -errno;
		}
		n++;
		key = next;
		prev = &key;
	}
	return n;
}

/* The datapath's clock (bpf_ktime_get_coarse_ns): the same clock bounds its timestamps exactly. */
__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

/* Runs frame s through its program `repeat` times; asserts the verdict. */
enum run_status run_frame(struct env *e, const struct fspec *s, int repeat)
{
	static uint8_t frame[FRAME_MAX], buf[FRAME_MAX + 32];
	size_t len = frame_build(s, frame, sizeof(frame));
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = repeat > 1 ? repeat : 0);
	struct __sk_buff skb = {
		.ifindex = LO,
		.ingress_ifindex = SKB_IIF,
		.gso_segs = s->gso_segs,
		.gso_size = s->gso_size,
	};
	struct xdp_md xdp = { .ingress_ifindex = LO };
	__u32 meta = 0;
	int fd, err;

	if (s->prog == RUN_TC) {
		/* test_run refuses an skb shorter than Ethernet: those frames are XDP-only. */
		if (!CHECK(len >= 14, "frame", "tc cannot run a %zu-byte frame", len))
			return RUN_FAILED;
		fd = bpf_program__fd(e->skel->progs.tflow_tc_egress);
		opts.data_in = frame;
		opts.data_size_in = len;
		if (!s->no_ctx) {
			opts.ctx_in = &skb;
			opts.ctx_size_in = sizeof(skb);
		}
	} else {
		/*
		 * test_run wants at least 14 bytes of data, but XDP metadata (a multiple of 4, at
		 * most 32) comes out of the front of it: a shorter frame hides behind metadata.
		 */
		if (len < 14)
			meta = (14 - len + 3) & ~3u;
		memset(buf, 0, meta);
		memcpy(buf + meta, frame, len);
		fd = bpf_program__fd(e->skel->progs.tflow_xdp);
		opts.data_in = buf;
		opts.data_size_in = meta + len;
		xdp.data = meta;
		xdp.data_end = meta + len;
		if (!s->no_ctx || meta) {
			opts.ctx_in = &xdp;
			opts.ctx_size_in = sizeof(xdp);
		}
	}
	if (s->cpu && (s->cpu >= e->ncpus || !pin_cpu(s->cpu)))
		return RUN_NO_CPU;
	err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	if (s->cpu && !CHECK(pin_cpu(0), "sched_setaffinity", "cannot return to CPU 0"))
		return RUN_FAILED;
	/*
	 * Older kernels run a frame shorter than Ethernet behind XDP metadata; 6.18 wants 14 bytes
	 * after the metadata, so the datapath's short-frame check cannot be reached from here.
	 */
	if (err == -EINVAL && len < 14)
		return RUN_REFUSED;
	if (!ASSERT_OK(err, "bpf_prog_test_run_opts"))
		return RUN_FAILED;
	if (s->prog == RUN_TC)
		return ASSERT_EQ(opts.retval, 0 /* TC_ACT_OK */, "tc verdict") ? RUN_DONE
									       : RUN_FAILED;
	return ASSERT_EQ(opts.retval, XDP_PASS, "xdp verdict") ? RUN_DONE : RUN_FAILED;
}

int env_open(struct env *e, bool small, char *why, size_t why_size)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0) {
		snprintf(why, why_size, "libbpf_num_possible_cpus: %d", e->ncpus);
		return -EINVAL;
	}
	e->skel = tflow_bpf__open();
	if (!e->skel) {
		err = -errno;
		snprintf(why, why_size, "tflow_bpf__open: %s", strerror(-err));
		return err;
	}
	if (small) {
		err = bpf_map__set_max_entries(e->skel->maps.tflow_flows, SMALL_FLOWS);
		if (!err)
			err = bpf_map__set_max_entries(e->skel->maps.tflow_overflow, getpagesize());
		if (!err)
			err = bpf_map__set_max_entries(e->skel->maps.tflow_ext_ring, getpagesize());
		if (err) {
			snprintf(why, why_size, "bpf_map__set_max_entries: %s", strerror(-err));
			return err;
		}
	}
	err = tflow_bpf__load(e->skel);
	if (err) {
		snprintf(why, why_size, "tflow_bpf__load: %s", strerror(-err));
		return err;
	}
	e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.tflow_overflow), ring_collect, e, NULL);
	if (!e->rb) {
		err = -errno;
		snprintf(why, why_size, "ring_buffer__new: %s", strerror(-err));
		return err;
	}
	e->ext_rb =
		ring_buffer__new(bpf_map__fd(e->skel->maps.tflow_ext_ring), ext_collect, e, NULL);
	if (!e->ext_rb) {
		err = -errno;
		snprintf(why, why_size, "ring_buffer__new tflow_ext_ring: %s", strerror(-err));
		return err;
	}
	return 0;
}

void env_close(struct env *e)
{
	ring_buffer__free(e->ext_rb);
	ring_buffer__free(e->rb);
	tflow_bpf__destroy(e->skel);
}
