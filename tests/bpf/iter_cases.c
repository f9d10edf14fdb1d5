/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iter_cases.c - the cache scans via cache_scan(): in the kernel (the syscall program, the map
 * iterator) and the batched fallback, with the first-packet fields of the flows in an ext_store
 * (user/cache/extstore.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cache/cache.h"
#include "cache/extstore.h"
#include "cache/iter.h"
#include "datapath/kernel.h"
#include "cases.h"
#include "iter_cases.h"
#include "tflow.skel.h"

/*
 * A full map: 16384 flows in 16384 entries (as many hash buckets), so many buckets hold several
 * flows and the iterator's read() boundaries fall inside some of them.
 */
#define N_FLOWS 16384
#define S_NS 1000000000ULL
#define NOW (1000000 * S_NS) /* the scan's clock; the datapath does not run here */
#define INACTIVE (15 * S_NS)
#define ACTIVE (1800 * S_NS)
#define MORE 5 /* packets a kept flow gets before the flush */

/* What flow i is: its class is i % 4. */
enum { IDLE, IDLE_EXT, YOUNG, LONG };

/*
 * What the store holds for flow i: the fields of its own first packet (the flow's first_ns), an
 * earlier flow's of the same key (older first_ns: never paired, dropped when this flow goes), a
 * later flow's (newer first_ns: never paired, kept when this one goes), or nothing.
 */
enum { NONE, OWN, EARLIER, LATER };

struct seen {
	int records;
	struct tflow_record r; /* the last one */
};

struct run {
	struct seen *seen; /* by flow number */
	int total;
	int stray; /* records of no flow of ours */
};

static long flow_of(const struct tflow_key *k)
{
	struct tflow_key want;
	__u32 i = (__u32)k->src[12] << 24 | k->src[13] << 16 | k->src[14] << 8 | k->src[15];

	if (i >= N_FLOWS)
		return -1;
	flow_key(&want, i);
	return memcmp(&want, k, sizeof(want)) ? -1 : (long)i;
}

static int fields_of(__u32 i)
{
	switch (i % 8) {
	case IDLE_EXT:
	case IDLE_EXT + 4:
	case LONG:
		return OWN;
	case IDLE:
	case YOUNG:
	case LONG + 4:
		return EARLIER;
	case YOUNG + 4:
		return LATER;
	default:
		return NONE;
	}
}

static void flow_value(struct tflow_value *v, __u32 i)
{
	memset(v, 0, sizeof(*v));
	v->packets = i + 1;
	v->bytes = 100ULL * (i + 1) + i % 7;
	v->peer_ifindex = 9;
	/* Some TCP flows ended with a FIN: their idle records say so (EOF). */
	v->flags_tos_ttl = TFLOW_ATTRS(i % 6 == 0 ? 0x11 : 0x10, 0, 64);
	switch (i % 4) {
	case IDLE:
	case IDLE_EXT:
		v->first_ns = NOW - 70 * S_NS;
		v->last_ns = NOW - 60 * S_NS;
		break;
	case YOUNG:
		v->first_ns = NOW - 10 * S_NS;
		v->last_ns = NOW - S_NS;
		break;
	case LONG:
		v->first_ns = NOW - 3600 * S_NS;
		v->last_ns = NOW - S_NS;
		break;
	}
}

static void on_record(void *arg, const struct tflow_record *r)
{
	struct run *run = arg;
	long i = flow_of(&r->key);

	run->total++;
	if (i < 0) {
		run->stray++;
		return;
	}
	run->seen[i].records++;
	run->seen[i].r = *r;
}

/* Flow i's store entry, when it has one (fields_of): its fields, with whose first_ns. */
static bool flow_entry(struct tflow_ext_entry *e, __u32 i)
{
	static const __s64 offset[] = { [OWN] = 0, [EARLIER] = -100 * (__s64)S_NS, [LATER] = 1 };
	struct tflow_value v;

	if (fields_of(i) == NONE)
		return false;
	flow_value(&v, i);
	e->first_ns = v.first_ns + offset[fields_of(i)];
	flow_ext(&e->ext, i);
	return true;
}

/* The flows into tflow_flows, their store entries into tflow_ext (for ext_store_load). */
static int fill(struct tflow_bpf *skel)
{
	for (__u32 i = 0; i < N_FLOWS; i++) {
		struct tflow_key k;
		struct tflow_value v;
		struct tflow_ext_entry e;

		flow_key(&k, i);
		flow_value(&v, i);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tflow_flows), &k, &v, BPF_NOEXIST) ||
		    (flow_entry(&e, i) &&
		     bpf_map_update_elem(bpf_map__fd(skel->maps.tflow_ext), &k, &e, BPF_NOEXIST)))
			return -errno;
	}
	return 0;
}

/* The record of flow i: one, with these counters, the reason and its own fields or none. */
static void expect_record(struct run *run, __u32 i, __u8 reason, __u64 packets, __u64 bytes)
{
	const struct seen *s = &run->seen[i];
	struct tflow_ext x;

	memset(&x, 0, sizeof(x));
	if (fields_of(i) == OWN)
		flow_ext(&x, i);
	if (reason == TFLOW_END_IDLE && i % 6 == 0)
		reason = TFLOW_END_EOF;
	EXPECT(s->records == 1, "flow %u: %d records, want 1", i, s->records);
	if (s->records != 1)
		return;
	EXPECT(s->r.packets == packets && s->r.bytes == bytes,
	       "flow %u: %llu packets %llu bytes, want %llu %llu", i,
	       (unsigned long long)s->r.packets, (unsigned long long)s->r.bytes,
	       (unsigned long long)packets, (unsigned long long)bytes);
	EXPECT(s->r.end_reason == reason, "flow %u: end reason %u, want %u", i, s->r.end_reason,
	       reason);
	EXPECT(s->r.out_ifindex == 9 && s->r.ttl == 64, "flow %u: out_if %u ttl %u", i,
	       s->r.out_ifindex, s->r.ttl);
	EXPECT(!memcmp(&s->r.ext, &x, sizeof(x)), "flow %u: fields differ (store entry: %d)", i,
	       fields_of(i));
}

/*
 * The store after the scan (some flows removed, the long ones exported and kept) or after the
 * flush (every flow removed): an entry stays, unchanged, while its flow is in the map, and the
 * entry of a later flow of the key stays after this one left; every other one is gone.
 */
static void expect_store(struct ext_store *s, bool flushed)
{
	size_t want = 0;

	for (__u32 i = 0; i < N_FLOWS; i++) {
		bool gone = flushed || i % 4 == IDLE || i % 4 == IDLE_EXT;
		struct tflow_ext_entry w, *e;
		struct tflow_key k;

		flow_key(&k, i);
		e = ftable_get(&s->t, &k, false, NULL);
		if (flow_entry(&w, i) && (!gone || fields_of(i) == LATER)) {
			want++;
			EXPECT(e && !memcmp(e, &w, sizeof(w)), "flow %u: its store entry %s", i,
			       e ? "changed" : "is gone");
		} else {
			EXPECT(!e, "flow %u: a store entry left (first_ns %llu)", i,
			       (unsigned long long)e->first_ns);
		}
	}
	/* Kept by the scan: the young and long flows' (4 in 8); by the flush: the later ones. */
	EXPECT(want == (flushed ? N_FLOWS / 8 : N_FLOWS / 2), "the test expects %zu entries", want);
	EXPECT(s->t.count == want, "%zu store entries, want %zu", s->t.count, want);
}

static void run_reset(struct run *run)
{
	memset(run->seen, 0, N_FLOWS * sizeof(*run->seen));
	run->total = 0;
	run->stray = 0;
}

/*
 * Force scan mode m for cache_iter_open (TFLOW_SCAN). Returns false, with the refusal in why,
 * when this kernel refuses the program of m.
 */
static bool scan_force(enum scan_mode m, int ffd, char *why, size_t len)
{
	static const char *const env[] = {
		[SCAN_BATCHED] = "batched", [SCAN_SYSCALL] = "syscall", [SCAN_ITERATOR] = "iterator"
	};
	struct flow_iter *it;

	setenv("TFLOW_SCAN", env[m], 1);
	if (m == SCAN_BATCHED)
		return true;
	it = iter_open(ffd, N_FLOWS, m);
	if (!it) {
		kernel_refusal(errno, m == SCAN_SYSCALL ? "Linux 5.14" : "Linux 5.9 with BTF", why,
			       len);
		return false;
	}
	iter_close(it);
	return true;
}

/* The first scan (its case begun by scans()): idle flows' records, exact, with their own fields. */
static void scan_first(struct cache *c, struct run *run, struct ext_store *store, int ffd, int efd)
{
	int err, want;

	err = cache_scan(c, NOW, CACHE_SCAN);
	EXPECT(!err, "scan: %s", strerror(-err));
	for (__u32 i = 0; i < N_FLOWS; i++) {
		struct tflow_value v;

		flow_value(&v, i);
		if (i % 4 == IDLE || i % 4 == IDLE_EXT)
			expect_record(run, i, TFLOW_END_IDLE, v.packets, v.bytes);
		else if (i % 4 == LONG)
			expect_record(run, i, TFLOW_END_ACTIVE, v.packets, v.bytes);
		else
			EXPECT(!run->seen[i].records, "young flow %u: %d records", i,
			       run->seen[i].records);
	}
	want = N_FLOWS / 4 * 3;
	EXPECT(run->total == want && !run->stray, "%d records (%d stray), want %d", run->total,
	       run->stray, want);
	EXPECT(map_count(ffd) == N_FLOWS / 2, "%u flows left in the map, want %u", map_count(ffd),
	       N_FLOWS / 2);
	EXPECT(c->last_entries == N_FLOWS, "the scan found %u flows", c->last_entries);
	/* The removed idle flows' own fields (2 in 8), the active exports' (1 in 8). */
	EXPECT(store->paired == N_FLOWS / 8 * 3, "%llu records paired with fields, want %u",
	       (unsigned long long)store->paired, N_FLOWS / 8 * 3);
	expect_store(store, false);
	/* The datapath wrote none, and load left none. */
	EXPECT(map_count(efd) == 0, "%u tflow_ext entries", map_count(efd));
	case_stop();
}

static void scan_second(const char *path, struct cache *c, struct run *run, struct ext_store *store)
{
	char name[160];
	int err;

	snprintf(name, sizeof(name), "iter: %s: a second scan exports nothing", path);
	case_start(name);
	run_reset(run);
	err = cache_scan(c, NOW + S_NS, CACHE_SCAN);
	EXPECT(!err && run->total == 0, "%d records (%s)", run->total, strerror(-err));
	expect_store(store, false);
	case_stop();
}

static void scan_flush(const char *path, struct cache *c, struct run *run, struct ext_store *store,
		       int ffd)
{
	char name[160];
	int err;

	snprintf(name, sizeof(name),
		 "iter: %s: a flush exports every kept flow's remainder, fields of their own only",
		 path);
	case_start(name);
	run_reset(run);
	store->paired = 0;
	for (__u32 i = LONG; i < N_FLOWS; i += 4) {
		struct tflow_key k;
		struct tflow_value v;

		flow_key(&k, i);
		flow_value(&v, i);
		v.packets += MORE;
		v.bytes += MORE * 100;
		bpf_map_update_elem(ffd, &k, &v, BPF_EXIST);
	}
	err = cache_scan(c, NOW + 2 * S_NS, CACHE_FLUSH);
	EXPECT(!err, "flush: %s", strerror(-err));
	for (__u32 i = 0; i < N_FLOWS; i++) {
		struct tflow_value v;

		flow_value(&v, i);
		if (i % 4 == YOUNG)
			expect_record(run, i, TFLOW_END_FORCED, v.packets, v.bytes);
		else if (i % 4 == LONG) /* the active export took the rest */
			expect_record(run, i, TFLOW_END_FORCED, MORE, MORE * 100);
	}
	EXPECT(run->total == N_FLOWS / 2, "%d records, want %d", run->total, N_FLOWS / 2);
	EXPECT(store->paired == N_FLOWS / 8, "%llu records paired with fields, want %u",
	       (unsigned long long)store->paired, N_FLOWS / 8);
	EXPECT(map_count(ffd) == 0, "%u flows left", map_count(ffd));
	expect_store(store, true);
	case_stop();
}

/*
 * The scans of one cache: idle flows removed, long flows exported by the active timeout; a
 * second scan exports nothing; a flush exports the rest (what kept flows got since). The
 * fields come from a store loaded from tflow_ext: no ring, so no other fields arrive.
 */
static void scans(const char *path, enum scan_mode mode)
{
	char refused[200];
	char name[160];
	struct tflow_bpf *skel = tflow_bpf__open();
	struct run run = { .seen = calloc(N_FLOWS, sizeof(struct seen)) };
	int ffd, efd, err;
	struct ext_store store;
	struct cache c;
	long loaded;

	snprintf(name, sizeof(name),
		 "iter: %s: idle flows removed with exact counters and their own fields", path);
	case_start(name);
	err = !skel || !run.seen ? -ENOMEM : 0;
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.tflow_flows, N_FLOWS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.tflow_ext, N_FLOWS);
	if (!err)
		err = tflow_bpf__load(skel);
	if (!err)
		err = fill(skel);
	EXPECT(!err, "setup: %s", strerror(-err));
	if (err) {
		case_stop();
		goto out_skel;
	}
	ffd = bpf_map__fd(skel->maps.tflow_flows);
	efd = bpf_map__fd(skel->maps.tflow_ext);
	err = cache_init(&c, ffd, -1, N_FLOWS, ACTIVE, INACTIVE, on_record, &run);
	EXPECT(!err, "cache_init: %s", strerror(-err));
	if (err) {
		case_stop();
		goto out_skel;
	}
	err = ext_store_init(&store, ffd, N_FLOWS);
	EXPECT(!err, "ext_store_init: %s", strerror(-err));
	if (err) {
		case_stop();
		goto out_cache;
	}
	loaded = ext_store_load(&store, efd);
	EXPECT(loaded == N_FLOWS / 8 * 7 && store.t.count == N_FLOWS / 8 * 7,
	       "ext_store_load: %ld, %zu entries", loaded, store.t.count);
	c.ext = &store;
	if (!scan_force(mode, ffd, refused, sizeof(refused))) {
		unsetenv("TFLOW_SCAN");
		case_skip(refused);
		goto out;
	}
	err = cache_iter_open(&c);
	unsetenv("TFLOW_SCAN");
	EXPECT(!err && iter_mode(c.iter) == mode, "cache_iter_open: %s, mode %s, want %s",
	       strerror(-err), scan_mode_name(iter_mode(c.iter)), scan_mode_name(mode));
	if (case_bad) {
		case_stop();
		goto out;
	}

	scan_first(&c, &run, &store, ffd, efd);
	scan_second(path, &c, &run, &store);
	scan_flush(path, &c, &run, &store, ffd);
out:
	ext_store_free(&store);
out_cache:
	cache_free(&c);
out_skel:
	tflow_bpf__destroy(skel);
	free(run.seen);
}

/*
 * Flows whose first packet came after the scan's clock was read (a clock tick later: the datapath
 * reads a coarse clock, the scan another) are neither idle nor past the active timeout, on every
 * path: not exported, left in the map.
 */
static void future(const char *path, enum scan_mode mode)
{
	struct tflow_bpf *skel = tflow_bpf__open();
	struct run run = { .seen = calloc(N_FLOWS, sizeof(struct seen)) };
	char name[160], refused[200];
	int ffd = -1, err;
	struct cache c = {};
	bool inited = false;

	snprintf(name, sizeof(name), "iter: %s: flows begun after the scan's now are left alone",
		 path);
	case_start(name);
	err = !skel || !run.seen ? -ENOMEM : 0;
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.tflow_flows, N_FLOWS);
	if (!err)
		err = tflow_bpf__load(skel);
	for (__u32 i = 0; !err && i < 256; i++) {
		struct tflow_key k;
		struct tflow_value v = { .packets = 1, .bytes = 100 };

		flow_key(&k, i);
		v.first_ns = v.last_ns = NOW + 1 + i * 1000; /* up to a quarter of a ms after now */
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tflow_flows), &k, &v, BPF_NOEXIST))
			err = -errno;
	}
	if (!err) {
		ffd = bpf_map__fd(skel->maps.tflow_flows);
		err = cache_init(&c, ffd, -1, N_FLOWS, ACTIVE, INACTIVE, on_record, &run);
		inited = !err;
	}
	EXPECT(!err, "setup: %s", strerror(-err));
	if (err)
		goto out;
	if (!scan_force(mode, ffd, refused, sizeof(refused))) {
		unsetenv("TFLOW_SCAN");
		case_skip(refused);
		goto out_cache;
	}
	cache_iter_open(&c);
	unsetenv("TFLOW_SCAN");
	EXPECT(iter_mode(c.iter) == mode, "mode %s", scan_mode_name(iter_mode(c.iter)));
	err = cache_scan(&c, NOW, CACHE_SCAN);
	EXPECT(!err && run.total == 0, "%d records (%s), want 0", run.total, strerror(-err));
	if (run.total)
		EXPECT(false, "first one: end reason %u, %llu packets", run.seen[0].r.end_reason,
		       (unsigned long long)run.seen[0].r.packets);
	EXPECT(map_count(ffd) == 256, "%u flows left, want 256", map_count(ffd));
	case_stop();
out_cache:
	if (inited)
		cache_free(&c);
	goto done;
out:
	case_stop();
done:
	tflow_bpf__destroy(skel);
	free(run.seen);
}

void iter_cases(int *n_pass, int *n_fail, int *n_skip)
{
	static const struct {
		const char *path;
		enum scan_mode mode;
	} paths[] = {
		{ "in-kernel scan, syscall program (TFLOW_SCAN=syscall)", SCAN_SYSCALL },
		{ "in-kernel scan, map iterator (TFLOW_SCAN=iterator)", SCAN_ITERATOR },
		{ "batched fallback (TFLOW_SCAN=batched)", SCAN_BATCHED },
	};

	case_counts(n_pass, n_fail, n_skip);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		scans(paths[i].path, paths[i].mode);
		future(paths[i].path, paths[i].mode);
	}
	/* The syscall program's output holds 1000 records: the 12288 of the scan take 13 runs. */
	iter_sweep_cap = 1000;
	scans("in-kernel scan, syscall program, output of 1000 records", SCAN_SYSCALL);
	iter_sweep_cap = ITER_SWEEP_CAP;
	ext_cases();
}
