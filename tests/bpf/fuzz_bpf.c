/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_bpf.c - random and mutated frames through the real XDP and tc programs, counted exactly. */
#include "fuzz_bpf.h"

/*
 * Every frame runs through BPF_PROG_TEST_RUN and through a reference parser written here from
 * the contract in tflow.h (which counter each kind of frame lands in, what the flow key and
 * value hold). Frames go in batches; after each batch the counters, the flow map and the
 * overflow ring must equal the reference exactly, tflow_ext_ring must hold one record for each
 * flow in the map and no other, and the accounting identities must hold:
 *   seen == frames (wire packets), seen == non_ip + err_* + skipped + accounted,
 *   accounted == sampled == packets in the map + overflow + lost.
 * A batch that differs is replayed frame by frame to name the first frame that disagrees.
 */

/* ---- results ---- */

static int n_fail;

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	n_fail += !ok;
}

void stats_add(struct tflow_stats *dst, const struct tflow_stats *src)
{
#define STATS_ADD(f) dst->f += src->f;
	STATS_FIELDS(STATS_ADD)
#undef STATS_ADD
}

/* Prints every counter that differs; returns how many do. */
static int stats_diff(const char *what, const struct tflow_stats *got,
		      const struct tflow_stats *want)
{
	int n = 0;

#define STATS_CMP(f)                                                              \
	if (got->f != want->f) {                                                  \
		fprintf(stderr, "    %s." #f ": got %llu, want %llu\n", what,     \
			(unsigned long long)got->f, (unsigned long long)want->f); \
		n++;                                                              \
	}
	STATS_FIELDS(STATS_CMP)
#undef STATS_CMP
	return n;
}

struct tally {
	long runs, errors, verdicts;
	long batches, identity_bad, stats_bad, flows_bad;
	int reports;
};

/* Replays a failing batch frame by frame and names the first frame the counters disagree on. */
static void batch_bisect(struct env *e, struct frame *fr, int n, __u32 interval, __u32 space,
			 struct model *m, struct flow_entry *scratch)
{
	struct tflow_stats got;
	__u32 rv;

	if (env_reset(e, scratch, interval, space))
		return;
	model_reset(m, e->flows_cap, e->ring_cap, interval, space);
	for (int i = 0; i < n; i++) {
		int r = run_frame(e, &fr[i], &rv);

		if (r != 1)
			model_run(m, &fr[i]);
		if (stats_read(e, &got))
			return;
		if (memcmp(&got, &m->st, sizeof(got))) {
			fprintf(stderr, "    first frame whose counters differ:\n");
			frame_print(&fr[i], i);
			stats_diff("after it", &got, &m->st);
			return;
		}
	}
	fprintf(stderr,
		"    the replay's counters agree frame by frame (flow map or ring differ)\n");
}

static void batch_run(struct env *e, struct frame *fr, int n, struct model *m,
		      struct flow_entry *scratch, struct tally *t)
{
	__u32 interval = 0, space = 0, rv;
	struct tflow_stats got;
	__u64 t0, t1, map_packets = 0, parsed_out;
	int bad_stats, bad_flows;
	bool identity;

	/* Sampling on in a third of the batches, so `skipped` is exercised too. */
	if (chance(33)) {
		interval = 1 + rn(5);
		space = rn(6);
	}
	if (env_reset(e, scratch, interval, space)) {
		fprintf(stderr, "# %s: reset failed: %s\n", e->name, strerror(errno));
		t->stats_bad++;
		return;
	}
	model_reset(m, e->flows_cap, e->ring_cap, interval, space);
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		int r = run_frame(e, &fr[i], &rv);

		t->runs++;
		if (r < 0) {
			if (t->errors++ < MAX_REPORTS) {
				fprintf(stderr, "# %s: bpf_prog_test_run_opts: %s\n", e->name,
					strerror(-r));
				frame_print(&fr[i], i);
			}
			continue;
		}
		if (r == 1) {
			e->refused++;
			continue;
		}
		model_run(m, &fr[i]);
		if (rv != (fr[i].prog == RUN_TC ? 0 /* TC_ACT_OK */ : XDP_PASS) &&
		    t->verdicts++ < MAX_REPORTS) {
			fprintf(stderr, "# %s: verdict %u\n", e->name, rv);
			frame_print(&fr[i], i);
		}
	}
	t1 = now_ns();
	t->batches++;
	if (stats_read(e, &got)) {
		t->stats_bad++;
		return;
	}
	stats_add(&e->total, &got);
	bad_flows = flows_compare(e, m, scratch, t0, t1, &map_packets);
	parsed_out = got.non_ip + got.err_eth + got.err_vlan_depth + got.err_ip_trunc +
		     got.err_ip_version + got.err_ip_ihl + got.err_ip_len + got.err_ipv6_ext;
	identity = got.seen == m->st.seen && got.seen == parsed_out + got.skipped + got.accounted &&
		   got.accounted == got.sampled &&
		   got.accounted == map_packets + got.overflow + got.lost;
	if (!identity) {
		t->identity_bad++;
		fprintf(stderr,
			"# %s: identities broken: frames %llu seen %llu = non_ip+err %llu + "
			"skipped %llu + accounted %llu; sampled %llu; map %llu + overflow %llu + "
			"lost %llu\n",
			e->name, (unsigned long long)m->st.seen, (unsigned long long)got.seen,
			(unsigned long long)parsed_out, (unsigned long long)got.skipped,
			(unsigned long long)got.accounted, (unsigned long long)got.sampled,
			(unsigned long long)map_packets, (unsigned long long)got.overflow,
			(unsigned long long)got.lost);
	}
	bad_stats = memcmp(&got, &m->st, sizeof(got)) != 0;
	t->stats_bad += bad_stats;
	t->flows_bad += bad_flows != 0;
	if ((bad_stats || bad_flows || !identity) && t->reports++ < MAX_REPORTS) {
		fprintf(stderr, "# %s: batch %ld (sampling %u/%u) differs from the reference\n",
			e->name, t->batches, interval, space);
		stats_diff("stats", &got, &m->st);
		batch_bisect(e, fr, n, interval, space, m, scratch);
	}
}

static bool pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_bpf [--seed N] [--frames N]\n"
			"  environment: FUZZ_SEED (a number, or 'random'), FUZZ_FRAMES\n");
	exit(2);
}

/* --seed and --frames, or FUZZ_SEED and FUZZ_FRAMES, into *seed and *frames; usage() else. */
static void parse_args(int argc, char **argv, __u64 *seed, long *frames)
{
	const char *seed_s = getenv("FUZZ_SEED"), *frames_s = getenv("FUZZ_FRAMES");

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--seed"))
			seed_s = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--frames"))
			frames_s = argv[++i];
		else
			usage();
	}
	if (seed_s && !strcmp(seed_s, "random"))
		*seed = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	else if (seed_s)
		*seed = strtoull(seed_s, NULL, 0);
	if (frames_s)
		*frames = strtol(frames_s, NULL, 0);
}

/*
 * Root, CPU 0, both skeletons loaded, test_run's length limits probed: the longest frame to
 * generate, or 0 after a `not ok` line saying why.
 */
static size_t datapath_open(struct env *big, struct env *small, struct flow_entry *scratch)
{
	size_t max_xdp, max_tc, max;
	char why[160] = "";

	if (geteuid() != 0) {
		printf("not ok - fuzz_bpf: setup (needs root for BPF_PROG_TEST_RUN)\n");
		return 0;
	}
	/* The sampler and the counters are per CPU: one CPU makes the sequence the reference's. */
	if (!pin_cpu(0)) {
		printf("not ok - fuzz_bpf: setup (sched_setaffinity cpu 0: %s)\n", strerror(errno));
		return 0;
	}
	if (env_open(big, "xdp+tc", false, why, sizeof(why)) ||
	    env_open(small, "xdp+tc, cache full", true, why, sizeof(why))) {
		printf("not ok - fuzz_bpf: setup (%s)\n", why);
		return 0;
	}
	max_xdp = probe_max_len(big, RUN_XDP);
	max_tc = probe_max_len(big, RUN_TC);
	max = probe_xdp_linear(big, max_xdp, scratch);
	printf("# test_run takes frames up to %zu bytes (xdp; %zu seen whole) and %zu (tc)\n",
	       max_xdp, max, max_tc);
	max = max < max_tc ? max : max_tc;
	max = max < LEN_CAP ? max : LEN_CAP;
	if (max < 1518) {
		/* The XDP probe counts on an IPv4 frame with tot_len 0 making one flow of its size.
		 */
		printf("not ok - fuzz_bpf: setup (frames of %zu bytes at most: the XDP length probe "
		       "failed, or the datapath miscounts tot_len 0)\n",
		       max);
		return 0;
	}
	return max;
}

/* The totals, and one result line for each property over every batch. */
static void report(struct env *big, struct env *small, const struct tally *tb,
		   const struct tally *ts, __u64 seed, time_t start)
{
	struct tflow_stats all = big->total;
	long runs = tb->runs + ts->runs, refused = big->refused + small->refused;

	stats_add(&all, &small->total);
	printf("# %ld runs (%ld refused by test_run: short frames), %llu wire packets, %ld s\n",
	       runs, refused, (unsigned long long)all.seen, (long)(time(NULL) - start));
	fprintf(stderr,
		"# totals: non_ip %llu err_eth %llu err_vlan_depth %llu err_ip_trunc %llu "
		"err_ip_version %llu err_ip_ihl %llu err_ip_len %llu err_ipv6_ext %llu skipped %llu "
		"accounted %llu l4_trunc %llu l4_bad_doff %llu fragments %llu\n",
		(unsigned long long)all.non_ip, (unsigned long long)all.err_eth,
		(unsigned long long)all.err_vlan_depth, (unsigned long long)all.err_ip_trunc,
		(unsigned long long)all.err_ip_version, (unsigned long long)all.err_ip_ihl,
		(unsigned long long)all.err_ip_len, (unsigned long long)all.err_ipv6_ext,
		(unsigned long long)all.skipped, (unsigned long long)all.accounted,
		(unsigned long long)all.l4_trunc, (unsigned long long)all.l4_bad_doff,
		(unsigned long long)all.fragments);
	result(!tb->errors && !ts->errors,
	       "fuzz_bpf: %ld frames through XDP and tc, no test_run error", runs);
	result(!tb->verdicts && !ts->verdicts,
	       "fuzz_bpf: every verdict is XDP_PASS / TC_ACT_OK (seed %llu)",
	       (unsigned long long)seed);
	result(!tb->identity_bad && !ts->identity_bad,
	       "fuzz_bpf: seen == frames == non_ip + err_* + skipped + accounted, accounted == "
	       "map + overflow + lost, in each of %ld batches",
	       tb->batches + ts->batches);
	result(!tb->stats_bad && !ts->stats_bad,
	       "fuzz_bpf: every counter equals the reference parser's, batch by batch");
	result(!tb->flows_bad && !ts->flows_bad,
	       "fuzz_bpf: flow map and overflow ring equal the reference's, entry by entry; one "
	       "tflow_ext_ring record for each flow, none else");
	result(all.non_ip && all.err_eth && all.err_vlan_depth && all.err_ip_trunc &&
		       all.err_ip_version && all.err_ip_ihl && all.err_ip_len && all.err_ipv6_ext &&
		       all.skipped && all.l4_trunc && all.l4_bad_doff && all.fragments &&
		       all.flows_created,
	       "fuzz_bpf: the frames reached every counter (each reason, skipped, l4, fragments)");
	result(small->total.cache_full && small->total.overflow && small->total.lost,
	       "fuzz_bpf: the tiny cache took the overflow ring and lost paths (%llu, %llu, %llu)",
	       (unsigned long long)small->total.cache_full,
	       (unsigned long long)small->total.overflow, (unsigned long long)small->total.lost);
}

int main(int argc, char **argv)
{
	struct env big = {}, small = {};
	struct frame *fr = calloc(BATCH, sizeof(*fr));
	struct flow_entry *scratch = calloc(BATCH + 1, sizeof(*scratch));
	struct model *m = calloc(1, sizeof(*m));
	__u8 *pool = calloc(BATCH, LEN_CAP);
	struct tally tb = {}, ts = {};
	long frames = DEFAULT_FRAMES;
	__u64 seed = DEFAULT_SEED;
	time_t start = time(NULL);
	size_t max;

	parse_args(argc, argv, &seed, &frames);
	rng_state = seed;
	printf("# fuzz_bpf: seed %llu, %ld frames (override: --seed N / FUZZ_SEED, --frames N)\n",
	       (unsigned long long)seed, frames);
	libbpf_set_print(libbpf_print);
	if (!fr || !scratch || !m || !pool || frames <= 0) {
		printf("not ok - fuzz_bpf: setup (out of memory or bad --frames)\n");
		return 1;
	}
	max = datapath_open(&big, &small, scratch);
	if (!max)
		return 1;
	for (int i = 0; i < BATCH; i++)
		fr[i].b = pool + (size_t)i * LEN_CAP;

	/* Four batches in five through the roomy cache, one through the tiny one. */
	for (long done = 0, b = 0; done < frames; b++) {
		int n = frames - done < BATCH ? (int)(frames - done) : BATCH;
		bool tiny = b % 5 == 4;

		for (int i = 0; i < n; i++)
			gen_frame(&fr[i], max);
		batch_run(tiny ? &small : &big, fr, n, m, scratch, tiny ? &ts : &tb);
		done += n;
	}
	report(&big, &small, &tb, &ts, seed, start);
	env_close(&small);
	env_close(&big);
	free(pool);
	free(m);
	free(scratch);
	free(fr);
	return n_fail ? 1 : 0;
}
