/* SPDX-License-Identifier: GPL-2.0-only */
/* datapath_bench.c - datapath section: tflow against an empty program and a naive counter. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tflow.h"
#include "bench.h"
#include "frames.h"
#include "puts.h"
#include "driver.skel.h"

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	return lvl == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
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

/* Whether any figure of this scenario is wanted (--figure). */
static bool scenario_wanted(const struct scenario *sc)
{
	return !(bench.figure && !strstr(sc->name, bench.figure) &&
		 !figure_wanted("xdp", 4, sc->name, " sampling 1/10") &&
		 !figure_wanted("xdp", 4, sc->name, " all fields") &&
		 !figure_wanted("xdp", 4, sc->name, " after churn") &&
		 !figure_wanted("xdp", 6, sc->name, " all fields") &&
		 !figure_wanted("tc", 4, sc->name, " all fields") &&
		 !figure_wanted("xdp", 4, sc->name, "") && !figure_wanted("xdp", 6, sc->name, "") &&
		 !figure_wanted("tc", 4, sc->name, "") && !figure_wanted("tc", 6, sc->name, ""));
}

/* XDP and tc, IPv4 and IPv6, with the default fields; the target on XDP IPv4 only. */
static int figures_default(struct puts *p, struct driver_bpf *drv, const struct scenario *sc,
			   double xdp_target)
{
	double ns[PUT_N];
	int err = 0;

	for (int tc = 0; tc <= 1 && !err; tc++) {
		for (int fam = 4; fam <= 6 && !err; fam += 2) {
			if (!figure_wanted(tc ? "tc" : "xdp", fam, sc->name, ""))
				continue;
			err = measure_three(p, drv, sc, tc, fam, ns);
			if (!err)
				report(tc ? "tc" : "xdp", fam, sc, "", ns,
				       !tc && fam == 4 ? xdp_target : 0);
		}
	}
	return err;
}

/* Sampling 1 in 10 (interval 1, space 9): most packets skip the map. */
static int figure_sampling(struct puts *p, struct driver_bpf *drv, const struct scenario *sc)
{
	double ns[PUT_N];
	int err;

	err = tflow_set_config(p, 1, 9, 0);
	if (!err) {
		struct scenario smp = *sc;

		smp.sample_1_in = 10;
		err = measure_three(p, drv, &smp, false, 4, ns);
		if (!err)
			report("xdp", 4, sc, " sampling 1/10", ns, 0);
	}
	tflow_set_config(p, 0, 0, 0);
	return err;
}

/* Every field selected: first-packet fields and a FIB lookup on each insert. */
static int figures_all_fields(struct puts *p, struct driver_bpf *drv, const struct scenario *sc,
			      double xdp_target)
{
	/* Every field: what the datapath collects for the default configuration (TF_ALL, v9). */
	const __u32 all = TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB;
	double ns[PUT_N];
	int err = 0;

	for (int f = 0; f < 3 && !err; f++) {
		int tc = f == 2, fam = f == 1 ? 6 : 4;

		if (!figure_wanted(tc ? "tc" : "xdp", fam, sc->name, " all fields") ||
		    (bench.quick && f))
			continue;
		err = tflow_set_config(p, 0, 0, all);
		if (!err)
			err = measure_three(p, drv, sc, tc, fam, ns);
		if (!err)
			err = fib_found(p);
		if (!err)
			report(tc ? "tc" : "xdp", fam, sc, " all fields", ns,
			       !tc && fam == 4 ? xdp_target : 0);
		tflow_set_config(p, 0, 0, 0);
	}
	return err;
}

/* The maps as the figures before left them: elements scattered. */
static int figure_churn(struct puts *p, struct driver_bpf *drv, const struct scenario *sc)
{
	struct scenario churn = *sc;
	double ns[PUT_N];
	int err;

	churn.keep_maps = true;
	err = measure_three(p, drv, &churn, false, 4, ns);
	if (!err)
		report("xdp", 4, sc, " after churn", ns, 0);
	return err;
}

/*
 * Stay on one CPU: the sampler's position is per CPU, so a run that migrates between
 * measurements would account one packet more or less than the pattern says.
 */
static void cpu_pin(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
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
		{ "100k flows", 131072, 100000, true, bench.quick ? 300000 : 1000000, false, 0,
		  false },
		{ "insert", big, 0, true, inserts, true, 0, false },
	};
	/* Targets on XDP with the default fields: 1.25x for 1 and 100k flows, 2x for inserts. */
	const double xdp_target[] = { 1.25, 1.25, 2.0 };
	struct driver_bpf *drv;
	struct puts p;
	int err = 0;

	libbpf_set_print(libbpf_quiet);
	cpu_pin();
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

		if (!scenario_wanted(sc))
			continue;
		err = puts_load(&p, sc->max_entries, ext_ring_size(sc));
		if (err)
			break;
		err = figures_default(&p, drv, sc, xdp_target[s]);
		if (!err && s == 0 && figure_wanted("xdp", 4, sc->name, " sampling 1/10"))
			err = figure_sampling(&p, drv, sc);
		if (!err)
			err = figures_all_fields(&p, drv, sc, xdp_target[s]);
		if (!err && sc->nflows && figure_wanted("xdp", 4, sc->name, " after churn"))
			err = figure_churn(&p, drv, sc);
		puts_unload(&p);
	}
	driver_bpf__destroy(drv);
	return err;
}
