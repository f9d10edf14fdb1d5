/* export_bench.c - export path and memory: encoder records/s, cache scan+evict, bytes per flow. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
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
#include "cache/cache.h"
#include "cache/extstore.h"
#include "record/fields.h"
#include "export/ipfix.h"
#include "datapath/loader.h"
#include "util/log.h"
#include "export/nf5.h"
#include "export/nf9.h"
#include "tflow.skel.h"

#define NS_PER_S 1000000000.0
#define EXPORT_PAYLOAD 1472 /* mtu 1500 less IPv4 and UDP headers, tflow's default */
#define NREC 4096

/* Flow i: 10.98.x.y:i -> 10.99.0.2:443 (IPv4) or fd98::x:y -> fd99::2 (IPv6), UDP or TCP. */
static void make_key(struct tflow_key *k, __u32 i, int family)
{
	memset(k, 0, sizeof(*k));
	if (family == 4) {
		k->src[10] = k->src[11] = k->dst[10] = k->dst[11] = 0xff;
		k->src[12] = 10, k->src[13] = 98, k->src[14] = i >> 8, k->src[15] = i;
		k->dst[12] = 10, k->dst[13] = 99, k->dst[15] = 2;
	} else {
		k->src[0] = 0xfd, k->src[1] = 0x98, k->src[12] = i >> 24, k->src[13] = i >> 16;
		k->src[14] = i >> 8, k->src[15] = i;
		k->dst[0] = 0xfd, k->dst[1] = 0x99, k->dst[15] = 2;
	}
	k->sport = htons(1024 + (i & 0x7fff));
	k->dport = htons(443);
	k->ifindex = 2;
	k->proto = i & 1 ? 6 : 17;
	k->family = family;
}

static void make_value(struct tflow_value *v, __u32 i, __u64 t)
{
	memset(v, 0, sizeof(*v));
	v->packets = 1 + i % 1000;
	v->bytes = v->packets * 700;
	v->first_ns = t;
	v->last_ns = t + 1000000;
	/* flags, ToS, TTL and interfaces stay 0: the bench does not depend on their layout */
}

static struct tflow_record *make_records(int family)
{
	struct tflow_record *r = calloc(NREC, sizeof(*r));
	__u64 t = bench_now_ns();

	for (__u32 i = 0; r && i < NREC; i++) {
		struct tflow_key k;
		struct tflow_value v;

		make_key(&k, i, family);
		make_value(&v, i, t - 5000000000ULL);
		record_from_value(&r[i], &k, &v);
		r[i].end_reason = TFLOW_END_IDLE;
	}
	return r;
}

/* ------------------------------------------------------------------ encoders */

enum enc_kind { ENC_V5, ENC_V9, ENC_IPFIX };

static struct ie_layout lay_v9, lay_ipfix; /* of the selection being measured */

/* Fill one datagram from recs[*pos...]; returns records encoded. */
static int encode_one(enum enc_kind kind, const struct tflow_record *recs, __u32 *pos, __u8 *buf,
		      __u32 seq, const struct enc_clock *clk)
{
	struct tmsg m;
	int n = 0;

	if (kind == ENC_V5) {
		struct nf5_hdr_ctx ctx = { .sys_uptime_ms = 1000, .flow_sequence = seq };

		if (*pos + NF5_MAX_RECS > NREC)
			*pos = 0;
		if (nf5_encode(&ctx, recs + *pos, NF5_MAX_RECS, buf, EXPORT_PAYLOAD) < 0)
			return -1;
		*pos += NF5_MAX_RECS;
		return NF5_MAX_RECS;
	}
	if (kind == ENC_V9)
		nf9_begin(&m, buf, EXPORT_PAYLOAD, clk, seq, 0);
	else
		ipfix_begin(&m, buf, EXPORT_PAYLOAD, clk, seq, 0);
	for (;;) {
		int err = kind == ENC_V9 ? nf9_add_record(&m, &lay_v9, &recs[*pos], clk)
					 : ipfix_add_record(&m, &lay_ipfix, &recs[*pos], clk);

		if (err == -ENOSPC)
			break;
		if (err < 0)
			return -1;
		n++;
		if (++*pos == NREC)
			*pos = 0;
	}
	if (kind == ENC_V9)
		nf9_finish(&m);
	else
		ipfix_finish(&m);
	return n;
}

/* Records per second of one encoder over about `secs` seconds of data datagrams. */
static double encoder_rate(enum enc_kind kind, const struct tflow_record *recs, double secs)
{
	static __u8 buf[EXPORT_PAYLOAD];
	struct enc_clock clk = { .mono_ns = bench_now_ns(), .real_ns = 1700000000ULL * 1000000000 };
	__u64 t0 = bench_now_ns(), t1, n = 0, sink = 0;
	__u32 pos = 0, seq = 0;

	do {
		for (int i = 0; i < 256; i++) {
			int r = encode_one(kind, recs, &pos, buf, seq++, &clk);

			if (r < 0)
				return -1;
			n += r;
			sink += buf[EXPORT_PAYLOAD / 2];
		}
		t1 = bench_now_ns();
	} while (t1 - t0 < secs * NS_PER_S);
	__asm__ volatile("" : : "r"(sink));
	return n / ((t1 - t0) / NS_PER_S);
}

int bench_encoders(void)
{
	static const char *const name[] = { "v5", "v9", "IPFIX" };
	static const struct {
		const char *name;
		__u64 sel;
	} sels[] = { { "", TF_ALL }, { " classic fields", TF_CLASSIC } };
	struct tflow_record *v4 = make_records(4), *v6 = make_records(6);
	double secs = bench.quick ? 0.1 : 0.5, rate[BENCH_MAX_RUNS];
	char fig[64], text[128];

	if (!v4 || !v6) {
		free(v4);
		free(v6);
		return -ENOMEM;
	}
	/* Every field (the default, as RouterOS), then the elements of tflow before the selection. */
	for (size_t s = 0; s < sizeof(sels) / sizeof(sels[0]); s++) {
		fields_layout(&lay_v9, sels[s].sel, IE_FMT_V9);
		fields_layout(&lay_ipfix, sels[s].sel, IE_FMT_IPFIX);
		for (int k = s ? ENC_V9 : ENC_V5; k <= ENC_IPFIX; k++) {
			for (int fam = 4; fam <= 6; fam += 2) {
				if (k == ENC_V5 && fam == 6)
					continue; /* v5 carries IPv4 only */
				for (int r = 0; r < bench.runs; r++)
					rate[r] = encoder_rate(k, fam == 4 ? v4 : v6, secs);
				double m = bench_median(rate, bench.runs);

				snprintf(fig, sizeof(fig), "encoder %s ipv%d%s", name[k], fam,
					 sels[s].name);
				snprintf(text, sizeof(text),
					 "%.1f M records/s (%.0f ns/record), mtu 1500", m / 1e6,
					 1e9 / m);
				if (fam == 4 && !s)
					bench_target_ge(fig, text, m / 1e6, 5.0);
				else
					bench_info(fig, "%s", text);
			}
		}
	}
	free(v4);
	free(v6);
	return 0;
}

/* ------------------------------------------------------------------ scan and evict */

static struct tflow_bpf *flows_map_load(__u32 max_entries, int *fd)
{
	struct tflow_bpf *skel = tflow_bpf__open();

	if (!skel)
		return NULL;
	/* As the loader sizes them. */
	bpf_map__set_max_entries(skel->maps.tflow_flows, max_entries);
	bpf_map__set_max_entries(skel->maps.tflow_ext, max_entries);
	bpf_map__set_max_entries(skel->maps.tflow_ext_ring, loader_ext_ring_size(max_entries));
	if (tflow_bpf__load(skel)) {
		tflow_bpf__destroy(skel);
		return NULL;
	}
	*fd = bpf_map__fd(skel->maps.tflow_flows);
	return skel;
}

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

/*
 * The first-packet fields of each of the n flows flows_fill(.., t) makes, as with every field
 * selected, in s as tflow's event loop leaves them once it has drained the ring.
 */
static int ext_fill(struct ext_store *s, __u32 n, __u64 t)
{
	for (__u32 i = 0; i < n; i++) {
		struct tflow_ext_entry *e;
		struct tflow_key k;

		make_key(&k, i, 6);
		e = ftable_get(&s->t, &k, true, NULL);
		if (!e)
			return -ENOMEM;
		e->first_ns = t; /* the flow's: fields pair with their own flow only */
		e->ext.ip_hdr_len = 40;
		e->ext.ip_tot_len = 1280;
		e->ext.fib_ok = 1;
		e->ext.fib_ifindex = 3;
		e->ext.collected = TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB;
	}
	return 0;
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
			snprintf(text, sizeof(text),
				 "%.1f ms CPU (%.0f ns/flow: user %.0f, system %.0f), %.1f ms wall%s",
				 cpu, cpu * 1e6 / n, m.user_ms * 1e6 / n, m.sys_ms * 1e6 / n, m.ms,
				 sc->send_ipfix ? " (remove, encode, send())" : "");
			/* CPU time, as the datapath figures: on a shared VM, wall time is others'. */
			if (j == 0 && n == 256 * 1024)
				bench_target_le(fig, text, cpu, 100);
			else
				bench_info(fig, "%s", text);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ memory */

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
