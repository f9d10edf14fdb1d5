/* SPDX-License-Identifier: GPL-2.0-only */
/* ext_cases.c - the store of first-packet fields (user/cache/extstore.c): a restart, the ring. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cache/cache.h"
#include "cases.h"
#include "util/clock.h"
#include "cache/extstore.h"
#include "fixtures.h"
#include "tflow.skel.h"

#define S_NS 1000000000ULL
#define SAVED 1000 /* entries a restart carries over: more than the store's limit */
#define RING_FLOWS 4

/* Test flow i's entry as a restart leaves it. */
static void saved_entry(struct tflow_ext_entry *e, __u32 i)
{
	e->first_ns = 1000 + i;
	flow_ext(&e->ext, i);
}

/* A restart: save writes every entry into tflow_ext, load moves them into a fresh store. */
static void save_load(void)
{
	struct tflow_bpf *skel = tflow_bpf__open_and_load();
	struct ext_store a, b;
	long saved, loaded;
	int efd, err;

	case_start("ext_store: save into tflow_ext, load into a new store: the same entries, the "
		   "map left empty");
	err = skel ? 0 : -errno;
	if (!err)
		err = ext_store_init(&a, -1, 64);
	if (!err && (err = ext_store_init(&b, -1, 64)))
		ext_store_free(&a);
	EXPECT(!err, "setup: %s", strerror(-err));
	if (err)
		goto out;
	efd = bpf_map__fd(skel->maps.tflow_ext);
	for (__u32 i = 0; i < SAVED; i++) {
		struct tflow_ext_entry *e;
		struct tflow_key k;

		flow_key(&k, i);
		e = ftable_get(&a.t, &k, true, NULL);
		if (e)
			saved_entry(e, i);
	}
	saved = ext_store_save(&a, efd);
	EXPECT(saved == SAVED && a.t.count == SAVED && map_count(efd) == SAVED,
	       "saved %ld, %zu left in the store, %u in the map", saved, a.t.count, map_count(efd));
	loaded = ext_store_load(&b, efd);
	EXPECT(loaded == SAVED && b.t.count == SAVED && map_count(efd) == 0,
	       "loaded %ld, %zu in the new store, %u left in the map", loaded, b.t.count,
	       map_count(efd));
	for (__u32 i = 0; i < SAVED; i++) {
		struct tflow_ext_entry w, *e;
		struct tflow_key k;

		flow_key(&k, i);
		saved_entry(&w, i);
		e = ftable_get(&b.t, &k, false, NULL);
		EXPECT(e && !memcmp(e, &w, sizeof(w)), "flow %u: entry %s", i,
		       e ? "differs" : "missing");
	}
	ext_store_free(&b);
	ext_store_free(&a);
out:
	case_stop();
	tflow_bpf__destroy(skel);
}

struct ring_run {
	int n;
	struct tflow_record r[RING_FLOWS + 1];
};

static void on_record(void *arg, const struct tflow_record *r)
{
	struct ring_run *run = arg;

	if (run->n < RING_FLOWS + 1)
		run->r[run->n] = *r;
	run->n++;
}

/* UDP from source port sport through XDP on lo (test_run's device when given no context). */
static int xdp_udp(struct tflow_bpf *skel, __u16 sport)
{
	struct fspec f = {
		.family = 4, .proto = F_UDP, .sport = sport, .dport = 53, .payload = 20
	};
	static uint8_t frame[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame);

	o.data_size_in = frame_build(&f, frame, sizeof(frame));
	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.tflow_xdp), &o) ? -errno : 0;
}

/*
 * From the datapath to the records: new flows' fields come on tflow_ext_ring into the store; a
 * lookup drains what no drain took yet, a scan drains first and pairs each flow with its own.
 */
static void ring_fields(void)
{
	static const struct tflow_config cfg = { .collect = TFLOW_COLLECT_EXT };
	struct tflow_bpf *skel = tflow_bpf__open_and_load();
	struct ring_run run = {};
	struct tflow_value v;
	struct tflow_ext x;
	struct tflow_key k;
	struct ext_store s;
	struct cache c;
	__u32 zero = 0, ports = 0;
	int ffd, err;

	case_start("ext_store: the datapath's ring reaches the store, a lookup and the records");
	err = skel ? 0 : -errno;
	if (!err && bpf_map_update_elem(bpf_map__fd(skel->maps.tflow_config), &zero, &cfg, 0))
		err = -errno;
	if (!err)
		err = ext_store_init(&s, bpf_map__fd(skel->maps.tflow_flows), 16);
	if (!err && (err = ext_store_attach(&s, bpf_map__fd(skel->maps.tflow_ext_ring))))
		ext_store_free(&s);
	EXPECT(!err && ext_store_fd(&s) >= 0, "setup: %s", strerror(-err));
	if (err)
		goto out_skel;
	ffd = bpf_map__fd(skel->maps.tflow_flows);
	err = cache_init(&c, ffd, -1, 16, 1800 * S_NS, 15 * S_NS, on_record, &run);
	EXPECT(!err, "cache_init: %s", strerror(-err));
	if (err)
		goto out_store;
	c.ext = &s;
	for (int i = 0; i < RING_FLOWS - 1 && !err; i++)
		err = xdp_udp(skel, 1000 + i);
	EXPECT(!err, "test_run: %s", strerror(-err));
	/* Not drained yet: the lookup drains the ring when the flow's fields are not there. */
	EXPECT(s.t.count == 0, "%zu entries before a drain", s.t.count);
	if (!bpf_map_get_next_key(ffd, NULL, &k) && !bpf_map_lookup_elem(ffd, &k, &v)) {
		EXPECT(ext_store_get(&s, &k, v.first_ns, &x, false), "no fields for a new flow");
		EXPECT(!memcmp(&x, &fx_ext_udp4, sizeof(x)), "the fields differ");
	} else {
		EXPECT(false, "no flow in tflow_flows: %s", strerror(errno));
	}
	EXPECT(s.received == RING_FLOWS - 1 && s.t.count == RING_FLOWS - 1,
	       "%llu received, %zu entries", (unsigned long long)s.received, s.t.count);
	/* One more, drained by the scan, which removes them all: idle a minute from now. */
	err = xdp_udp(skel, 1000 + RING_FLOWS - 1);
	EXPECT(!err, "test_run: %s", strerror(-err));
	err = cache_scan(&c, mono_ns() + 60 * S_NS, CACHE_SCAN);
	EXPECT(!err && run.n == RING_FLOWS, "scan: %s, %d records", strerror(-err), run.n);
	for (int i = 0; i < run.n && i < RING_FLOWS; i++) {
		unsigned int port = ntohs(run.r[i].key.sport);

		EXPECT(port >= 1000 && port < 1000 + RING_FLOWS && !(ports & 1u << (port - 1000)),
		       "record %d: port %u", i, port);
		ports |= 1u << (port - 1000) % 32;
		EXPECT(!memcmp(&run.r[i].ext, &fx_ext_udp4, sizeof(x)),
		       "record %d (port %u): fields", i, port);
	}
	EXPECT(s.received == RING_FLOWS && s.paired == RING_FLOWS + 1 && s.t.count == 0,
	       "%llu received, %llu paired, %zu entries left", (unsigned long long)s.received,
	       (unsigned long long)s.paired, s.t.count);
	cache_free(&c);
out_store:
	ext_store_free(&s);
out_skel:
	case_stop();
	tflow_bpf__destroy(skel);
}

void ext_cases(void)
{
	save_load();
	ring_fields();
}
