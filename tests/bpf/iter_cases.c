/* iter_cases.c - the in-kernel cache scan (bpf/iter.bpf.c) via cache_scan(), and its fallback. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cache.h"
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

struct seen {
	int records;
	struct tflow_record r; /* the last one */
};

struct run {
	struct seen *seen; /* by flow number */
	int total;
	int stray; /* records of no flow of ours */
};

static int *pass_count, *fail_count;
static const char *cur;
static bool cur_failed;

static void begin(const char *name)
{
	cur = name;
	cur_failed = false;
}

static void end(void)
{
	printf("%s - iter: %s\n", cur_failed ? "not ok" : "ok", cur);
	fflush(stdout);
	(*(cur_failed ? fail_count : pass_count))++;
}

#define EXPECT(cond, ...)                                             \
	do {                                                          \
		if (!(cond)) {                                        \
			if (!cur_failed)                              \
				fprintf(stderr, "# iter: %s\n", cur); \
			fprintf(stderr, "  line %d: ", __LINE__);     \
			fprintf(stderr, __VA_ARGS__);                 \
			fputc('\n', stderr);                          \
			cur_failed = true;                            \
		}                                                     \
	} while (0)

static void flow_key(struct tflow_key *k, __u32 i)
{
	memset(k, 0, sizeof(*k));
	k->src[0] = 0xfd;
	k->src[12] = i >> 24, k->src[13] = i >> 16, k->src[14] = i >> 8, k->src[15] = i;
	k->dst[0] = 0xfd, k->dst[15] = 1;
	k->sport = htons(1024 + i % 50000);
	k->dport = htons(443);
	k->ifindex = 2;
	k->proto = i % 3 ? IPPROTO_UDP : IPPROTO_TCP;
	k->family = 6;
}

static long flow_of(const struct tflow_key *k)
{
	struct tflow_key want;
	__u32 i = (__u32)k->src[12] << 24 | k->src[13] << 16 | k->src[14] << 8 | k->src[15];

	if (i >= N_FLOWS)
		return -1;
	flow_key(&want, i);
	return memcmp(&want, k, sizeof(want)) ? -1 : (long)i;
}

static bool has_ext(__u32 i)
{
	return i % 4 == IDLE_EXT || (i % 4 != IDLE && i % 2);
}

static void flow_ext(struct tflow_ext *x, __u32 i)
{
	memset(x, 0, sizeof(*x));
	x->src_mac[5] = i;
	x->dst_mac[4] = i >> 8;
	x->tcp_seq = i * 7;
	x->udp_len = i & 0xffff;
	x->fib_ifindex = 3;
	x->fib_ok = 1;
	x->collected = TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB;
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

static int fill(struct tflow_bpf *skel)
{
	for (__u32 i = 0; i < N_FLOWS; i++) {
		struct tflow_key k;
		struct tflow_value v;
		struct tflow_ext x;

		flow_key(&k, i);
		flow_value(&v, i);
		flow_ext(&x, i);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tflow_flows), &k, &v, BPF_NOEXIST) ||
		    (has_ext(i) &&
		     bpf_map_update_elem(bpf_map__fd(skel->maps.tflow_ext), &k, &x, BPF_NOEXIST)))
			return -errno;
	}
	return 0;
}

static __u32 map_count(int fd)
{
	struct tflow_key k, *prev = NULL;
	__u32 n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		prev = &k;
		n++;
	}
	return n;
}

/* The record of flow i: one, with these counters, the reason and the flow's ext entry. */
static void expect_record(struct run *run, __u32 i, __u8 reason, __u64 packets, __u64 bytes)
{
	const struct seen *s = &run->seen[i];
	struct tflow_ext x;

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
	if (has_ext(i))
		EXPECT(!memcmp(&s->r.ext, &x, sizeof(x)), "flow %u: ext differs", i);
	else
		EXPECT(s->r.ext.collected == 0, "flow %u: an ext it does not have", i);
}

static void run_reset(struct run *run)
{
	memset(run->seen, 0, N_FLOWS * sizeof(*run->seen));
	run->total = 0;
	run->stray = 0;
}

/*
 * The scans of one cache: idle flows removed, long flows exported by the active timeout; a
 * second scan exports nothing; a flush exports the rest (what kept flows got since).
 */
static void scans(const char *path, bool iter)
{
	char name[160];
	struct tflow_bpf *skel = tflow_bpf__open();
	struct run run = { .seen = calloc(N_FLOWS, sizeof(struct seen)) };
	int ffd, efd, err, want;
	struct cache c;

	snprintf(name, sizeof(name), "%s: idle flows removed with exact counters and their ext",
		 path);
	begin(name);
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
		end();
		goto out_skel;
	}
	ffd = bpf_map__fd(skel->maps.tflow_flows);
	efd = bpf_map__fd(skel->maps.tflow_ext);
	err = cache_init(&c, ffd, -1, N_FLOWS, ACTIVE, INACTIVE, on_record, &run);
	EXPECT(!err, "cache_init: %s", strerror(-err));
	if (err) {
		end();
		goto out_skel;
	}
	c.ext_fd = efd;
	if (iter) {
		unsetenv("TFLOW_NO_ITER");
		err = cache_iter_open(&c, efd);
		EXPECT(!err && c.iter, "cache_iter_open: %s", strerror(-err));
	} else {
		setenv("TFLOW_NO_ITER", "1", 1);
		err = cache_iter_open(&c, efd);
		unsetenv("TFLOW_NO_ITER");
		EXPECT(!err && !c.iter, "TFLOW_NO_ITER=1 leaves the batched path");
	}
	if (cur_failed) {
		end();
		goto out;
	}

	err = cache_scan(&c, NOW, CACHE_SCAN);
	EXPECT(!err, "scan: %s", strerror(-err));
	for (__u32 i = 0; i < N_FLOWS; i++) {
		struct tflow_value v;

		flow_value(&v, i);
		if (i % 4 == IDLE || i % 4 == IDLE_EXT)
			expect_record(&run, i, TFLOW_END_IDLE, v.packets, v.bytes);
		else if (i % 4 == LONG)
			expect_record(&run, i, TFLOW_END_ACTIVE, v.packets, v.bytes);
		else
			EXPECT(!run.seen[i].records, "young flow %u: %d records", i,
			       run.seen[i].records);
	}
	want = N_FLOWS / 4 * 3;
	EXPECT(run.total == want && !run.stray, "%d records (%d stray), want %d", run.total,
	       run.stray, want);
	EXPECT(map_count(ffd) == N_FLOWS / 2, "%u flows left in the map, want %u", map_count(ffd),
	       N_FLOWS / 2);
	/* The kept flows keep their entries; the removed flows' entries went with them. */
	EXPECT(map_count(efd) == N_FLOWS / 4, "%u tflow_ext entries left, want %u", map_count(efd),
	       N_FLOWS / 4);
	EXPECT(c.last_entries == N_FLOWS, "the scan found %u flows", c.last_entries);
	end();

	snprintf(name, sizeof(name), "%s: a second scan exports nothing", path);
	begin(name);
	run_reset(&run);
	err = cache_scan(&c, NOW + S_NS, CACHE_SCAN);
	EXPECT(!err && run.total == 0, "%d records (%s)", run.total, strerror(-err));
	end();

	snprintf(name, sizeof(name), "%s: a flush exports every kept flow's remainder", path);
	begin(name);
	run_reset(&run);
	for (__u32 i = LONG; i < N_FLOWS; i += 4) {
		struct tflow_key k;
		struct tflow_value v;

		flow_key(&k, i);
		flow_value(&v, i);
		v.packets += MORE;
		v.bytes += MORE * 100;
		bpf_map_update_elem(ffd, &k, &v, BPF_EXIST);
	}
	err = cache_scan(&c, NOW + 2 * S_NS, CACHE_FLUSH);
	EXPECT(!err, "flush: %s", strerror(-err));
	for (__u32 i = 0; i < N_FLOWS; i++) {
		struct tflow_value v;

		flow_value(&v, i);
		if (i % 4 == YOUNG)
			expect_record(&run, i, TFLOW_END_FORCED, v.packets, v.bytes);
		else if (i % 4 == LONG) /* the active export took the rest */
			expect_record(&run, i, TFLOW_END_FORCED, MORE, MORE * 100);
	}
	EXPECT(run.total == N_FLOWS / 2, "%d records, want %d", run.total, N_FLOWS / 2);
	EXPECT(map_count(ffd) == 0 && map_count(efd) == 0, "%u flows, %u ext entries left",
	       map_count(ffd), map_count(efd));
	end();
out:
	cache_free(&c);
out_skel:
	tflow_bpf__destroy(skel);
	free(run.seen);
}

void iter_cases(int *n_pass, int *n_fail)
{
	pass_count = n_pass;
	fail_count = n_fail;
	scans("in-kernel scan", true);
	scans("batched fallback (TFLOW_NO_ITER=1)", false);
}
