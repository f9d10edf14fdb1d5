/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_bpf_env.c - fuzz_bpf's real datapath: the skeletons, their maps and rings, test_run. */
#include "fuzz_bpf.h"

static int ring_collect(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct tflow_overflow_rec))
		e->bad_sizes++;
	else if (e->nrecs < MAX_RING_RECS)
		memcpy(&e->recs[e->nrecs], data, size);
	e->nrecs++;
	return 0;
}

static int ext_collect(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct tflow_ext_rec))
		e->ext_bad_sizes++;
	else if (e->n_ext < BATCH + 1)
		memcpy(&e->ext_recs[e->n_ext], data, size);
	e->n_ext++;
	return 0;
}

int stats_read(struct env *e, struct tflow_stats *sum)
{
	struct tflow_stats *percpu = calloc(e->ncpus, sizeof(*percpu));
	__u32 zero = 0;
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.tflow_stats), &zero, percpu))
		err = -errno;
	for (int c = 0; !err && c < e->ncpus; c++)
		stats_add(sum, &percpu[c]);
	free(percpu);
	return err;
}

/* Reads every entry of tflow_flows into out (room for max); returns how many, or -errno. */
int flows_read(struct env *e, struct flow_entry *out, int max)
{
	int fd = bpf_map__fd(e->skel->maps.tflow_flows), n = 0;
	struct tflow_key key, *prev = NULL;

	while (n < max && !bpf_map_get_next_key(fd, prev, &out[n].key)) {
		if (bpf_map_lookup_elem(fd, &out[n].key, &out[n].val))
			return -errno;
		key = out[n++].key;
		prev = &key;
	}
	return n;
}

/*
 * Empties tflow_flows and both rings, zeroes counters and sampler, writes the config: sampling
 * as given, and the first-packet fields collected (one record on tflow_ext_ring a new flow).
 */
int env_reset(struct env *e, struct flow_entry *scratch, __u32 interval, __u32 space)
{
	int fd = bpf_map__fd(e->skel->maps.tflow_flows), n, err = 0;
	void *zeros = calloc(e->ncpus, sizeof(struct tflow_stats));
	struct tflow_config cfg = { .sampling_interval = interval,
				    .sampling_space = space,
				    .collect = TFLOW_COLLECT_EXT };
	__u32 zero = 0;

	if (!zeros)
		return -ENOMEM;
	do {
		n = flows_read(e, scratch, BATCH);
		for (int i = 0; i < n && !err; i++)
			if (bpf_map_delete_elem(fd, &scratch[i].key))
				err = -errno;
	} while (n > 0 && !err);
	if (!err && n < 0)
		err = n;
	if (!err &&
	    (bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_stats), &zero, zeros, 0) ||
	     bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_sampler), &zero, zeros, 0) ||
	     bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_config), &zero, &cfg, 0)))
		err = -errno;
	if (!err && (ring_buffer__consume(e->rb) < 0 || ring_buffer__consume(e->ext_rb) < 0))
		err = -errno;
	e->nrecs = 0;
	e->bad_sizes = 0;
	e->n_ext = 0;
	e->ext_bad_sizes = 0;
	free(zeros);
	return err;
}

/*
 * Frames test_run refuses that a real interface would never deliver: anything under 14 bytes,
 * and at tc (6.18) an skb whose ethertype says IPv4/IPv6 but which is shorter than that header.
 */
static bool refusable(const struct frame *f)
{
	__u16 proto = f->len >= 14 ? be16(f->b + 12) : 0;

	if (f->len < 14)
		return true;
	return f->prog == RUN_TC && ((proto == F_ETH_P_IP && f->len < 14 + 20) ||
				     (proto == F_ETH_P_IPV6 && f->len < 14 + 40));
}

/* Runs one frame; returns 0, 1 when the kernel refused a refusable frame, or -errno. */
int run_frame(struct env *e, const struct frame *f, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b, .data_size_in = f->len);
	struct __sk_buff skb = { .ifindex = LO,
				 .ingress_ifindex = f->ingress_if,
				 .gso_segs = f->gso_segs,
				 .gso_size = f->gso_size };
	struct xdp_md xdp = { .data = 0, .data_end = f->len, .ingress_ifindex = LO };
	int fd, err;

	if (f->prog == RUN_TC) {
		fd = bpf_program__fd(e->skel->progs.tflow_tc_egress);
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		fd = bpf_program__fd(e->skel->progs.tflow_xdp);
		opts.ctx_in = &xdp;
		opts.ctx_size_in = sizeof(xdp);
	}
	err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	if (err == -EINVAL && refusable(f))
		return 1;
	*retval = opts.retval;
	return err;
}

int env_open(struct env *e, const char *name, bool small, char *why, size_t why_size)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->name = name;
	e->ncpus = libbpf_num_possible_cpus();
	e->recs = calloc(MAX_RING_RECS, sizeof(*e->recs));
	e->ext_recs = calloc(BATCH + 1, sizeof(*e->ext_recs));
	if (e->ncpus <= 0 || !e->recs || !e->ext_recs) {
		snprintf(why, why_size, "libbpf_num_possible_cpus %d or calloc", e->ncpus);
		return -EINVAL;
	}
	e->skel = tflow_bpf__open();
	if (!e->skel) {
		err = -errno;
		snprintf(why, why_size, "tflow_bpf__open: %s", strerror(-err));
		return err;
	}
	e->flows_cap = small ? SMALL_FLOWS : BIG_FLOWS;
	/* A record takes 8 bytes of ring header + 80; the default ring never fills in a batch. */
	e->ring_cap =
		small ? getpagesize() / (8 + (int)sizeof(struct tflow_overflow_rec)) : 1 << 30;
	err = bpf_map__set_max_entries(e->skel->maps.tflow_flows, e->flows_cap);
	if (!err)
		err = bpf_map__set_max_entries(e->skel->maps.tflow_ext_ring, EXT_RING);
	if (!err && small)
		err = bpf_map__set_max_entries(e->skel->maps.tflow_overflow, getpagesize());
	if (!err)
		err = tflow_bpf__load(e->skel);
	if (err) {
		snprintf(why, why_size, "load %s skeleton: %s", name, strerror(-err));
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
	free(e->ext_recs);
	free(e->recs);
}

/* The longest frame test_run takes for prog. */
size_t probe_max_len(struct env *e, __u8 prog)
{
	static __u8 buf[8192];
	struct frame f = { .b = buf, .prog = prog };
	size_t lo = 14, hi = sizeof(buf);
	__u32 rv;

	memset(buf, 0, sizeof(buf));
	buf[12] = 0x08;
	buf[13] = 0x06; /* ARP: counts as non_ip and nothing else */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		f.len = (__u16)mid;
		if (run_frame(e, &f, &rv) == 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * The longest frame XDP sees whole. test_run hands a longer one over as multi-buffer, and a
 * program without xdp.frags sees only its linear part; on an interface the kernel never gives
 * such a program a frame longer than that. Measured with an IPv4 frame whose tot_len is 0: the
 * flow's bytes are then what the program saw.
 */
size_t probe_xdp_linear(struct env *e, size_t max, struct flow_entry *scratch)
{
	static __u8 buf[8192];
	struct frame f = { .b = buf, .prog = RUN_XDP };
	size_t lo = 64, hi = max;
	__u32 rv;

	memset(buf, 0, sizeof(buf));
	buf[12] = 0x08;
	buf[14] = 0x45;
	buf[23] = F_GRE;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		bool whole;

		f.len = (__u16)mid;
		if (env_reset(e, scratch, 0, 0) || run_frame(e, &f, &rv) ||
		    flows_read(e, scratch, 2) != 1)
			return 0;
		whole = scratch[0].val.bytes == mid - 14;
		if (whole)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
