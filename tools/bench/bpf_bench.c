/* bpf_bench.c - datapath cost of tflow against an empty program and a naive counter, same run. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tflow.h"
#include "bench.h"
#include "frames.h"
#include "datapath/loader.h"
#include "tflow.skel.h"
#include "empty.skel.h"
#include "naive.skel.h"
#include "driver.skel.h"

struct bench_opts bench = { .runs = 5 };
int bench_misses;

__u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

__u64 bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void verdict(const char *name, const char *text, bool pass, const char *op, double limit)
{
	printf("bench: %s: %s (target %s %g) %s\n", name, text, op, limit, pass ? "PASS" : "MISS");
	fflush(stdout);
	if (!pass)
		bench_misses++;
}

void bench_target_le(const char *name, const char *text, double value, double limit)
{
	verdict(name, text, value <= limit, "<=", limit);
}

void bench_target_ge(const char *name, const char *text, double value, double limit)
{
	verdict(name, text, value >= limit, ">=", limit);
}

void bench_info(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("bench: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (info)\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------ the programs under test */

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

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	return lvl == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void puts_unload(struct puts *p)
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
static int ext_drain(struct puts *p)
{
	return ring_buffer__consume(p->ext_rb) < 0 ? -EIO : 0;
}

static int puts_load(struct puts *p, __u32 max_entries, __u32 ring_size)
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
static int flows_clear(struct puts *p, int k)
{
	int err = p->flows_fd[k] >= 0 ? map_clear(p->flows_fd[k]) : 0;

	return !err && k == PUT_TFLOW ? ext_drain(p) : err;
}

static int tflow_set_config(struct puts *p, __u32 interval, __u32 space, __u32 collect)
{
	struct tflow_config cfg = { .sampling_interval = interval,
				    .sampling_space = space,
				    .collect = collect };
	__u32 zero = 0;

	p->cfg = cfg;
	p->collect = collect;
	return bpf_map_update_elem(bpf_map__fd(p->tflow->maps.tflow_config), &zero, &cfg, BPF_ANY);
}

/* Sum of tflow's per-CPU counters. */
static int tflow_stats_read(struct puts *p, struct tflow_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tflow_stats *v;
	__u32 zero = 0;

	if (ncpu < 1)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(p->tflow->maps.tflow_stats), &zero, v)) {
		free(v);
		return -errno;
	}
	for (int c = 0; c < ncpu; c++) {
		__u64 *s = (__u64 *)sum, *x = (__u64 *)&v[c];

		for (size_t i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			s[i] += x[i];
	}
	free(v);
	return 0;
}

/* ------------------------------------------------------------------ one measurement */

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

/*
 * tflow_ext_ring for a scenario: the loader's size, doubled until the new flows of one
 * measurement, warm-up and timed run, fill at most half of it. Past half the datapath wakes
 * userspace on each record, and tflow's event loop would drain the ring then; the bench drains it
 * between measurements.
 */
static __u32 ext_ring_size(const struct scenario *sc)
{
	__u64 recs = !sc->use_driver ? 1 : sc->nflows ? sc->nflows : sc->repeat;
	__u64 want = 2 * recs * (sizeof(struct tflow_ext_rec) + BPF_RINGBUF_HDR_SZ);
	__u64 size = loader_ext_ring_size(sc->max_entries);

	while (size < want)
		size <<= 1;
	return (__u32)size;
}

/* The programs and maps loaded again, empty, with the configuration they had. */
static int puts_reload(struct puts *p, const struct scenario *sc)
{
	struct tflow_config cfg = p->cfg;
	int err;

	puts_unload(p);
	err = puts_load(p, sc->max_entries, ext_ring_size(sc));
	return err ? err
		   : tflow_set_config(p, cfg.sampling_interval, cfg.sampling_space, cfg.collect);
}

/* bench0, the interface of the route to the frames' destinations (fib_netns) */
static __u32 route_ifindex;

/* ns per run of prog_fd (through the driver when the scenario says so); <0 on error. */
static double measure(struct driver_bpf *drv, const struct scenario *sc, bool tc, int prog_fd,
		      const __u8 *frame, size_t len)
{
	__u8 out[FRAME_MAX_LEN];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = sc->repeat);
	__u32 zero = 0, want = tc ? 0 /* TC_ACT_OK */ : XDP_PASS;
	/* tc: the skb leaves by the routed veth, so an OUTPUT FIB lookup finds the route. */
	struct __sk_buff skb = { .ifindex = route_ifindex };
	int run_fd = prog_fd, err;
	__u64 t0, t1;

	if (tc && route_ifindex) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	if (sc->use_driver) {
		int arr = bpf_map__fd(tc ? drv->maps.drv_target_tc : drv->maps.drv_target_xdp);

		if (bpf_map_update_elem(arr, &zero, &prog_fd, BPF_ANY))
			return -errno;
		drv->bss->nflows = sc->nflows;
		run_fd = bpf_program__fd(tc ? drv->progs.drv_tc : drv->progs.drv_xdp);
	}
	/* CPU time of this thread: the runs are preemptible, time spent elsewhere is not theirs. */
	t0 = bench_cpu_ns();
	err = bpf_prog_test_run_opts(run_fd, &opts);
	t1 = bench_cpu_ns();
	if (err)
		return -errno;
	if (opts.retval != want) {
		fprintf(stderr, "bench: program returned %u, not %u (tail call failed?)\n",
			opts.retval, want);
		return -EINVAL;
	}
	return (double)(t1 - t0) / sc->repeat;
}

/*
 * One figure: empty, naive and tflow measured in turn, `runs` times (interleaved so that a
 * disturbance hits all three alike); medians in ns_out[PUT_*].
 */
static int measure_three(struct puts *p, struct driver_bpf *drv, const struct scenario *sc, bool tc,
			 int family, double ns_out[PUT_N])
{
	static const __u8 dmac[6] = { 0x02, 0, 0, 0, 0, 2 }, smac[6] = { 0x02, 0, 0, 0, 0, 1 };
	double ns[PUT_N][BENCH_MAX_RUNS];
	__u8 frame[FRAME_MAX_LEN];
	size_t len = frame_build(frame, family, dmac, smac);
	struct tflow_stats before, after;
	__u64 tflow_runs = 0;
	int k, r, err;

	/*
	 * Each figure starts from freshly loaded programs and maps. Emptied maps would do for the
	 * flows, not for their layout: after a few figures' inserts and deletes, the preallocated
	 * elements come off the free lists scattered, and a figure would measure the ones before
	 * it (tflow's 136-byte elements more than the naive counter's: 100k flows went from 1.1
	 * to 1.5 of it, last in the row). "100k flows after churn" shows that state.
	 */
	if (!sc->keep_maps && (err = puts_reload(p, sc)))
		return err;
	for (k = 0; sc->keep_maps && k < PUT_N; k++)
		if ((err = flows_clear(p, k)))
			return err;
	err = tflow_stats_read(p, &before);
	if (err)
		return err;
	p->ext_recs = p->ext_routed = 0;
	for (r = 0; r < bench.runs; r++) {
		for (k = 0; k < PUT_N; k++) {
			int fd = tc ? p->tc_fd[k] : p->xdp_fd[k];

			if (sc->clear && (err = flows_clear(p, k)))
				return err;
			/*
			 * The ring emptied of the last run's records before the warm-up, which
			 * then leaves the cache as warm as the others' (ext_ring_size(): room).
			 */
			if (k == PUT_TFLOW && (err = ext_drain(p)))
				return err;
			if (sc->use_driver && sc->nflows) {
				/*
				 * Warm-up, not timed: every flow is in the map before we time. Two
				 * passes: the first inserts, the second finds the flows as a steady
				 * state would, not behind what the inserts wrote elsewhere (tflow's
				 * first-packet ring) in the CPU cache. All three programs alike.
				 */
				struct scenario warm = *sc;

				warm.repeat = 2 * sc->nflows;
				drv->bss->next = 0;
				if (measure(drv, &warm, tc, fd, frame, len) < 0)
					return -EINVAL;
				if (k == PUT_TFLOW)
					tflow_runs += warm.repeat;
			}
			drv->bss->next = 0;
			ns[k][r] = measure(drv, sc, tc, fd, frame, len);
			if (ns[k][r] < 0)
				return (int)ns[k][r];
			if (k == PUT_TFLOW)
				tflow_runs += sc->repeat;
		}
	}
	for (k = 0; k < PUT_N; k++)
		ns_out[k] = bench_median(ns[k], bench.runs);
	/* The numbers mean something only if tflow counted every packet into the map. */
	err = tflow_stats_read(p, &after);
	if (!err)
		err = ext_drain(p);
	if (err)
		return err;
	if (sc->sample_1_in)
		tflow_runs /=
			sc->sample_1_in; /* repeats are multiples of it: the pattern is exact */
	if (after.accounted - before.accounted != tflow_runs || after.overflow != before.overflow ||
	    after.lost != before.lost || after.ext_failed != before.ext_failed) {
		fprintf(stderr,
			"bench: tflow accounted %llu of %llu runs (overflow %llu, lost %llu, "
			"ext_failed %llu): the figure is not valid\n",
			(unsigned long long)(after.accounted - before.accounted),
			(unsigned long long)tflow_runs,
			(unsigned long long)(after.overflow - before.overflow),
			(unsigned long long)(after.lost - before.lost),
			(unsigned long long)(after.ext_failed - before.ext_failed));
		return -EPROTO;
	}
	/* With fields collected, every new flow sent its record. */
	if (p->collect && p->ext_recs != after.flows_created - before.flows_created) {
		fprintf(stderr,
			"bench: %llu first-packet records for %llu new flows: the figure is not "
			"valid\n",
			(unsigned long long)p->ext_recs,
			(unsigned long long)(after.flows_created - before.flows_created));
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------------ the datapath section */

static void figure_name(char *buf, size_t size, const char *hook, int family, const char *sc,
			const char *extra)
{
	snprintf(buf, size, "%s ipv%d %s%s", hook, family, sc, extra);
}

static bool figure_wanted(const char *hook, int family, const char *sc, const char *extra)
{
	char name[128];

	figure_name(name, sizeof(name), hook, family, sc, extra);
	return !bench.figure || strstr(name, bench.figure);
}

static void report(const char *hook, int family, const struct scenario *sc, const char *extra,
		   const double ns[PUT_N], double target)
{
	char name[128], text[256];
	double ratio = ns[PUT_TFLOW] / ns[PUT_NAIVE];

	figure_name(name, sizeof(name), hook, family, sc->name, extra);
	snprintf(text, sizeof(text),
		 "tflow %.1f ns/pkt, naive %.1f, empty %.1f%s; tflow/naive %.2f", ns[PUT_TFLOW],
		 ns[PUT_NAIVE], ns[PUT_EMPTY], sc->use_driver ? " (each incl. the driver)" : "",
		 ratio);
	if (target > 0)
		bench_target_le(name, text, ratio, target);
	else
		bench_info(name, "%s", text);
}

/*
 * A network namespace of our own in which the FIB lookups of the all-fields figures find a
 * route, as on a router: the frames' destinations (10.99.0.0/24, fd99::/64) via a gateway on a
 * veth, forwarding on. test_run's XDP frames arrive on this namespace's lo.
 */
static int fib_netns(void)
{
	int err;

	static const char setup[] =
		"ip link set lo up && ip link add bench0 type veth peer name bench1 && "
		"ip link set bench0 up && ip link set bench1 up && "
		"ip addr add 10.98.0.1/24 dev bench0 && ip -6 addr add fd98::1/64 dev bench0 nodad && "
		"ip route add 10.99.0.0/24 via 10.98.0.254 && "
		"ip -6 route add fd99::/64 via fd98::254 && "
		"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1";

	if (unshare(CLONE_NEWNET))
		return -errno;
	err = system(setup) ? -EIO : 0;
	route_ifindex = if_nametoindex("bench0");
	return err;
}

/* The all-fields figures mean something only if the lookups found the route: every record's. */
static int fib_found(const struct puts *p)
{
	if (!p->ext_recs)
		return -ENOENT;
	if (p->ext_routed == p->ext_recs)
		return 0;
	fprintf(stderr,
		"bench: the FIB lookups of %llu new flows of %llu found no route: the figure is "
		"not valid\n",
		(unsigned long long)(p->ext_recs - p->ext_routed), (unsigned long long)p->ext_recs);
	return -EPROTO;
}

int bench_datapath(void)
{
	/*
	 * The insert figure at the full bench's table size in both: the naive counter's insert
	 * costs more with a larger table (cache misses), tflow's extra per new flow (the
	 * first-packet record) does not, so a ratio measured on a smaller table is not the same
	 * figure. Quick does a quarter of the inserts.
	 */
	__u32 big = 1u << 21, inserts = bench.quick ? big / 16 : big / 4;
	const struct scenario scs[] = {
		{ "1 flow", 65536, 0, false, bench.quick ? 300000 : 2000000, false, 0, false },
		{ "100k flows", 131072, 100000, true, bench.quick ? 300000 : 1000000, false, 0, false },
		{ "insert", big, 0, true, inserts, true, 0, false },
	};
	/* Targets on XDP with the default fields: 1.25x for 1 and 100k flows, 2x for inserts. */
	const double xdp_target[] = { 1.25, 1.25, 2.0 };
	/* Every field: what the datapath collects for the default configuration (TF_ALL, v9). */
	const __u32 all = TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB;
	struct driver_bpf *drv;
	struct puts p;
	double ns[PUT_N];
	int err = 0;

	libbpf_set_print(libbpf_quiet);
	/*
	 * Stay on one CPU: the sampler's position is per CPU, so a run that migrates between
	 * measurements would account one packet more or less than the pattern says.
	 */
	cpu_set_t one;
	int cpu = sched_getcpu();

	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
	err = fib_netns();
	if (err) {
		fprintf(stderr, "bench: a routed network namespace: %s\n", strerror(-err));
		return err;
	}
	drv = driver_bpf__open_and_load();
	if (!drv) {
		fprintf(stderr, "bench: loading the driver failed: %s\n", strerror(errno));
		return -errno;
	}
	for (size_t s = 0; s < sizeof(scs) / sizeof(scs[0]) && !err; s++) {
		const struct scenario *sc = &scs[s];

		if (bench.figure && !strstr(sc->name, bench.figure) &&
		    !figure_wanted("xdp", 4, sc->name, " sampling 1/10") &&
		    !figure_wanted("xdp", 4, sc->name, " all fields") &&
		    !figure_wanted("xdp", 4, sc->name, " after churn") &&
		    !figure_wanted("xdp", 6, sc->name, " all fields") &&
		    !figure_wanted("tc", 4, sc->name, " all fields") &&
		    !figure_wanted("xdp", 4, sc->name, "") &&
		    !figure_wanted("xdp", 6, sc->name, "") &&
		    !figure_wanted("tc", 4, sc->name, "") && !figure_wanted("tc", 6, sc->name, ""))
			continue;
		err = puts_load(&p, sc->max_entries, ext_ring_size(sc));
		if (err)
			break;
		for (int tc = 0; tc <= 1 && !err; tc++) {
			for (int fam = 4; fam <= 6 && !err; fam += 2) {
				if (!figure_wanted(tc ? "tc" : "xdp", fam, sc->name, ""))
					continue;
				err = measure_three(&p, drv, sc, tc, fam, ns);
				if (!err)
					report(tc ? "tc" : "xdp", fam, sc, "", ns,
					       !tc && fam == 4 ? xdp_target[s] : 0);
			}
		}
		if (!err && s == 0 && figure_wanted("xdp", 4, sc->name, " sampling 1/10")) {
			/* Sampling 1 in 10 (interval 1, space 9): most packets skip the map. */
			err = tflow_set_config(&p, 1, 9, 0);
			if (!err) {
				struct scenario smp = *sc;

				smp.sample_1_in = 10;
				err = measure_three(&p, drv, &smp, false, 4, ns);
				if (!err)
					report("xdp", 4, sc, " sampling 1/10", ns, 0);
			}
			tflow_set_config(&p, 0, 0, 0);
		}
		/* Every field selected: first-packet fields and a FIB lookup on each insert. */
		for (int f = 0; f < 3 && !err; f++) {
			int tc = f == 2, fam = f == 1 ? 6 : 4;

			if (!figure_wanted(tc ? "tc" : "xdp", fam, sc->name, " all fields") ||
			    (bench.quick && f))
				continue;
			err = tflow_set_config(&p, 0, 0, all);
			if (!err)
				err = measure_three(&p, drv, sc, tc, fam, ns);
			if (!err)
				err = fib_found(&p);
			if (!err)
				report(tc ? "tc" : "xdp", fam, sc, " all fields", ns,
				       !tc && fam == 4 ? xdp_target[s] : 0);
			tflow_set_config(&p, 0, 0, 0);
		}
		if (!err && sc->nflows && figure_wanted("xdp", 4, sc->name, " after churn")) {
			/* The maps as the figures above left them: elements scattered. */
			struct scenario churn = *sc;

			churn.keep_maps = true;
			err = measure_three(&p, drv, &churn, false, 4, ns);
			if (!err)
				report("xdp", 4, sc, " after churn", ns, 0);
		}
		puts_unload(&p);
	}
	driver_bpf__destroy(drv);
	return err;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f, "usage: bpf_bench [--quick] [--runs N] [--only datapath|encoders|scan|memory]\n"
		   "                 [--figure TEXT]  (datapath figures whose name contains TEXT)\n"
		   "Prints one line per figure; exits 1 when a target is missed, 2 on error.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "runs", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "figure", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static const struct {
		const char *name;
		int (*fn)(void);
	} sections[] = {
		{ "datapath", bench_datapath },
		{ "encoders", bench_encoders },
		{ "scan", bench_scan },
		{ "memory", bench_memory },
	};
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "qr:o:f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			bench.quick = true;
			break;
		case 'r':
			bench.runs = atoi(optarg);
			if (bench.runs < 1 || bench.runs > BENCH_MAX_RUNS) {
				fprintf(stderr, "bpf_bench: --runs: 1 to %d\n", BENCH_MAX_RUNS);
				return 2;
			}
			break;
		case 'o':
			bench.only = optarg;
			break;
		case 'f':
			bench.figure = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (bench.quick && bench.runs > 3)
		bench.runs = 3;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (bench.only && strncmp(sections[i].name, bench.only, strlen(bench.only)))
			continue;
		if (sections[i].fn()) {
			printf("bench: %s: could not run (see above) ERROR\n", sections[i].name);
			failed++;
		}
	}
	if (failed)
		return 2;
	return bench_misses ? 1 : 0;
}
