/* SPDX-License-Identifier: GPL-2.0-only */
/* scan_bench.c - scan section: one cache scan that removes every flow, with and without export. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tflow.h"
#include "bench.h"
#include "export_bench.h"
#include "cache/cache.h"
#include "cache/extstore.h"
#include "record/fields.h"
#include "export/ipfix.h"
#include "util/log.h"
#include "tflow.skel.h"

static struct ie_layout lay_ipfix; /* the default selection */

/* Fill the map with n flows, all last seen at `t`, with bpf_map_update_batch. */
static int flows_fill(int fd, __u32 n, __u64 t)
{
	struct tflow_key *keys = calloc(n, sizeof(*keys));
	struct tflow_value *vals = calloc(n, sizeof(*vals));
	__u32 count = n;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < n; i++) {
		make_key(&keys[i], i, 6);
		make_value(&vals[i], i, t);
	}
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL) || count != n)
		err = -errno ? -errno : -EIO;
out:
	free(keys);
	free(vals);
	return err;
}

/* Export sink for the end-to-end figure: IPFIX datagrams of mtu 1500 sent on a UDP socket. */
struct sink {
	__u64 records;
	int fd; /* -1: count only */
	struct tmsg m;
	bool open;
	__u32 seq;
	struct enc_clock clk;
	__u8 buf[EXPORT_PAYLOAD];
	__u64 datagrams;
};

static void sink_flush(struct sink *s)
{
	size_t len;

	if (!s->open)
		return;
	len = ipfix_finish(&s->m);
	if (send(s->fd, s->buf, len, MSG_DONTWAIT) >= 0)
		s->datagrams++;
	s->open = false;
}

static void sink_emit(void *arg, const struct tflow_record *r)
{
	struct sink *s = arg;

	s->records++;
	if (s->fd < 0)
		return;
	for (int tries = 0; tries < 2; tries++) {
		if (!s->open) {
			ipfix_begin(&s->m, s->buf, sizeof(s->buf), &s->clk, s->seq, 0);
			s->open = true;
		}
		if (ipfix_add_record(&s->m, &lay_ipfix, r, &s->clk) != -ENOSPC) {
			s->seq++;
			return;
		}
		sink_flush(s);
	}
}

/* A UDP socket connected to a receiver of ours on 127.0.0.1 that never reads (drops are fine). */
static int sink_socket(int *rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd;

	*rx = socket(AF_INET, SOCK_DGRAM, 0);
	if (*rx < 0 || bind(*rx, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(*rx, (struct sockaddr *)&a, &alen))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/* What one scan_once() measures. */
struct scan_case {
	bool send_ipfix; /* encode IPFIX and send() each datagram */
	bool none_idle;	 /* every flow recent: the full map's LRU quarter only */
	bool ext;	 /* every flow has first-packet fields (every field selected) */
	bool batched;	 /* the fallback: no iterator, a syscall per removed flow */
};

/* One scan's wall time, and the process's CPU time (the kernel's iterator runs in read()). */
struct scan_time {
	double ms;
	double user_ms;
	double sys_ms;
};

static double tv_ms(const struct timeval *a, const struct timeval *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_usec - a->tv_usec) / 1e3;
}

/*
 * One cache_scan() that finds every one of n flows idle and removes it (or, with none_idle,
 * finds every flow recent and evicts the least recent quarter). Returns 0 or -errno.
 */
static int scan_once(__u32 n, const struct scan_case *sc, struct sink *s, struct scan_time *t)
{
	struct cache c;
	struct ext_store ext = { 0 };
	struct tflow_bpf *skel;
	struct rusage ru0, ru1;
	__u64 t0, t1, now = bench_now_ns(), seen = sc->none_idle ? now : now - 60 * 1000000000ULL;
	int fd, err, rx = -1;

	skel = flows_map_load(n, &fd);
	if (!skel)
		return -EIO;
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->clk.mono_ns = now;
	s->clk.real_ns = 1700000000ULL * 1000000000;
	err = -EIO;
	if (sc->send_ipfix && (s->fd = sink_socket(&rx)) < 0)
		goto out;
	err = flows_fill(fd, n, seen);
	if (!err && sc->ext && !(err = ext_store_init(&ext, fd, n)))
		err = ext_fill(&ext, n, seen);
	if (err)
		goto out;
	/* inactive 15 s, active 30 m: the defaults; every flow was last seen a minute ago */
	err = cache_init(&c, fd, -1, n, 1800 * 1000000000ULL, 15 * 1000000000ULL, sink_emit, s);
	if (err)
		goto out;
	if (sc->ext)
		c.ext = &ext;
	if (!sc->batched && (err = cache_iter_open(&c))) {
		cache_free(&c);
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = bench_now_ns();
	err = cache_scan(&c, bench_now_ns(), CACHE_SCAN);
	if (sc->send_ipfix)
		sink_flush(s);
	t1 = bench_now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	cache_free(&c);
	t->ms = (t1 - t0) / 1e6;
	t->user_ms = tv_ms(&ru0.ru_utime, &ru1.ru_utime);
	t->sys_ms = tv_ms(&ru0.ru_stime, &ru1.ru_stime);
	/* A full map with nothing idle still loses its least recent quarter (down to 3/4). */
	if (!err && s->records != (sc->none_idle ? n - n / 4 * 3 : n)) {
		fprintf(stderr, "bench: scan exported %llu of %u flows\n",
			(unsigned long long)s->records, n);
		err = -EIO;
	}
	/* Every record carried its flow's fields. */
	if (!err && sc->ext && ext.paired != s->records) {
		fprintf(stderr, "bench: %llu of %llu records had their first-packet fields\n",
			(unsigned long long)ext.paired, (unsigned long long)s->records);
		err = -EIO;
	}
out:
	if (sc->ext)
		ext_store_free(&ext);
	if (s->fd >= 0)
		close(s->fd);
	if (rx >= 0)
		close(rx);
	tflow_bpf__destroy(skel);
	return err;
}

/* The medians of `runs` scans of one case; 0 or -errno. */
static int scan_median(__u32 n, const struct scan_case *sc, struct scan_time *med)
{
	static struct sink s;
	double ms[BENCH_MAX_RUNS], user[BENCH_MAX_RUNS], sys[BENCH_MAX_RUNS];
	enum log_level was = log_level;
	struct scan_time t;
	int err;

	for (int r = 0; r < bench.runs; r++) {
		log_level = LOG_LVL_WARN; /* not "cache scan: ..." once a run */
		err = scan_once(n, sc, &s, &t);
		log_level = was;
		if (err)
			return err;
		ms[r] = t.ms;
		user[r] = t.user_ms;
		sys[r] = t.sys_ms;
	}
	med->ms = bench_median(ms, bench.runs);
	med->user_ms = bench_median(user, bench.runs);
	med->sys_ms = bench_median(sys, bench.runs);
	return 0;
}

int bench_scan(void)
{
	static const __u32 sizes[] = { 256 * 1024, 1024 * 1024 };
	/* The in-kernel scan (the default), then the batched fallback for comparison. */
	static const struct {
		const char *name;
		struct scan_case sc;
	} cases[] = {
		{ "", { 0 } },
		{ " + IPFIX export", { .send_ipfix = true } },
		{ " with first-packet fields", { .ext = true } },
		{ ", batched fallback", { .batched = true } },
		{ " + IPFIX export, batched fallback", { .send_ipfix = true, .batched = true } },
		{ " with first-packet fields, batched fallback", { .ext = true, .batched = true } },
	};
	struct scan_case idle_none = { .none_idle = true };
	struct scan_time m;
	char fig[96], text[200];
	int err;

	fields_layout(&lay_ipfix, TF_ALL, IE_FMT_IPFIX); /* the default selection */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		__u32 n = sizes[i];

		if (bench.quick && n > 256 * 1024)
			continue;
		err = scan_median(n, &idle_none, &m);
		if (err)
			return err;
		snprintf(fig, sizeof(fig), "scan %uk flows, none idle", n / 1024);
		bench_info(fig,
			   "%.1f ms CPU, %.1f ms wall: in-kernel pass, then the batched LRU "
			   "eviction of 1/4 (full map)",
			   m.user_ms + m.sys_ms, m.ms);
		for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
			const struct scan_case *sc = &cases[j].sc;
			double cpu;

			err = scan_median(n, sc, &m);
			if (err)
				return err;
			cpu = m.user_ms + m.sys_ms;
			snprintf(fig, sizeof(fig), "scan+evict %uk flows%s", n / 1024,
				 cases[j].name);
			snprintf(
				text, sizeof(text),
				"%.1f ms CPU (%.0f ns/flow: user %.0f, system %.0f), %.1f ms wall%s",
				cpu, cpu * 1e6 / n, m.user_ms * 1e6 / n, m.sys_ms * 1e6 / n, m.ms,
				sc->send_ipfix ? " (remove, encode, send())" : "");
			/*
			 * CPU time, as the datapath figures: on a shared VM, wall time is others'.
			 */
			if (j == 0 && n == 256 * 1024)
				bench_target_le(fig, text, cpu, 100);
			else
				bench_info(fig, "%s", text);
		}
	}
	return 0;
}
