/* SPDX-License-Identifier: GPL-2.0-only */
/* cache_full.c - test_bpf's cache-full cases: a tiny flow map, one-page rings, taken flows. */
#include "test_bpf.h"

/* ---- cache full: a second skeleton with a tiny flow map and a one-page ring ---- */

static struct fspec small_flow(int i, uint8_t prog)
{
	return (struct fspec){ .family = 4,
			       .proto = F_UDP,
			       .sport = 1000 + i,
			       .dport = 53,
			       .payload = 20,
			       .tos = 0x20,
			       .ttl = 33,
			       .prog = prog };
}

static void rec_check(const struct tflow_overflow_rec *r, int flow, const struct fx_flow *x,
		      __u64 t0, __u64 t1)
{
	struct tflow_key want;
	char ctx[64];

	snprintf(ctx, sizeof(ctx), "ring record of flow %d", flow);
	case_ctx = ctx;
	key_build(x, &want);
	if (!CHECK(!memcmp(&r->key, &want, sizeof(want)), "key", "differs")) {
		key_print("want", &want);
		key_print("got", &r->key);
	}
	ASSERT_EQ(r->packets, x->packets, "packets");
	ASSERT_EQ(r->bytes, x->bytes, "bytes");
	ASSERT_EQ(r->tcp_flags, x->tcp_flags, "tcp_flags");
	ASSERT_EQ(r->tos, x->tos, "tos");
	ASSERT_EQ(r->ttl, x->ttl, "ttl");
	ASSERT_EQ(r->in_ifindex, x->in_if, "in_ifindex");
	ASSERT_EQ(r->out_ifindex, x->out_if, "out_ifindex");
	CHECK(t0 <= r->ts_ns && r->ts_ns <= t1, "ts_ns", "%llu outside %llu..%llu",
	      (unsigned long long)r->ts_ns, (unsigned long long)t0, (unsigned long long)t1);
	ASSERT_TRUE(!memcmp(r->pad, "\0\0\0\0\0", sizeof(r->pad)), "pad zero");
	case_ctx = "";
}

static struct fx_flow small_expect(int i, bool tc, __u64 packets)
{
	struct fx_flow x = { 4,
			     .proto = F_UDP,
			     .sport = 1000 + i,
			     .dport = 53,
			     .dir = TFLOW_DIR_INGRESS,
			     .ifindex = LO,
			     .in_if = LO,
			     .packets = packets,
			     .bytes = 48 * packets,
			     .tos = 0x20,
			     .ttl = 33 };

	if (tc) {
		x.dir = TFLOW_DIR_EGRESS;
		x.in_if = SKB_IIF;
		x.out_if = LO;
	}
	return x;
}

/* Sends flows 0..n-1 (UDP sport 1000 + i) through XDP: the first SMALL_FLOWS fill the map. */
static bool send_flows(struct env *e, int n)
{
	for (int i = 0; i < n; i++) {
		struct fspec s = small_flow(i, RUN_XDP);

		if (run_frame(e, &s, 1) != RUN_DONE)
			return false;
	}
	return true;
}

/* collect: the flows in the map have their fields on tflow_ext_ring, the others none. */
void test_cache_full(struct env *e, bool collect)
{
	static const struct tflow_config cfg = { .collect = TFLOW_COLLECT_EXT };
	struct fx_flow want[SMALL_FLOWS];
	struct tflow_stats st = { .seen = 10,
				  .sampled = 10,
				  .accounted = 10,
				  .flows_created = SMALL_FLOWS,
				  .cache_full = 6,
				  .overflow = 6 };
	__u64 t0, t1, map_packets;

	case_begin(collect ? "cache full, collect: fields of the 4 flows in the map only"
			   : "cache full: 10 flows, 4 in the map, 6 on tflow_overflow");
	if (!ASSERT_OK(env_reset(e), "reset maps"))
		goto out;
	if (collect && !ASSERT_OK(config_set(e, &cfg), "write tflow_config"))
		goto out;
	t0 = now_ns();
	if (!send_flows(e, 10))
		goto out;
	t1 = now_ns();
	for (int i = 0; i < SMALL_FLOWS; i++) {
		want[i] = small_expect(i, false, 1);
		want[i].ext = collect ? &fx_ext_udp4 : NULL;
	}
	map_packets = flows_check(e, want, SMALL_FLOWS, t0, t1);
	ext_check(e, want, SMALL_FLOWS);
	stats_check(e, &st, map_packets);
	if (ring_expect(e, 6))
		for (int i = 0; i < 6; i++) {
			struct fx_flow x = small_expect(SMALL_FLOWS + i, false, 1);

			rec_check(&e->recs[i], SMALL_FLOWS + i, &x, t0, t1);
		}
out:
	case_end();
}

void test_cache_full_known_flow(struct env *e)
{
	struct fx_flow want[SMALL_FLOWS];
	struct tflow_stats st = { .seen = SMALL_FLOWS + 2,
				  .sampled = SMALL_FLOWS + 2,
				  .accounted = SMALL_FLOWS + 2,
				  .flows_created = SMALL_FLOWS };
	struct fspec again = small_flow(2, RUN_XDP);
	__u64 t0, t1, map_packets;

	case_begin("cache full: a known flow is still counted in the map");
	if (!ASSERT_OK(env_reset(e), "reset maps"))
		goto out;
	t0 = now_ns();
	if (!send_flows(e, SMALL_FLOWS) || run_frame(e, &again, 1) != RUN_DONE ||
	    run_frame(e, &again, 1) != RUN_DONE)
		goto out;
	t1 = now_ns();
	for (int i = 0; i < SMALL_FLOWS; i++)
		want[i] = small_expect(i, false, i == 2 ? 3 : 1);
	map_packets = flows_check(e, want, SMALL_FLOWS, t0, t1);
	stats_check(e, &st, map_packets);
	ring_expect(e, 0);
out:
	case_end();
}

/* A record takes 8 bytes of ring header + 80: a 4 KiB ring holds 46 of them. */
static int ring_recs(void)
{
	return getpagesize() / (8 + sizeof(struct tflow_overflow_rec));
}

void test_ring_full(struct env *e)
{
	const int ring_cap = ring_recs(), n = SMALL_FLOWS + ring_cap + 14;
	struct tflow_stats st = { .seen = n,
				  .sampled = n,
				  .accounted = n,
				  .flows_created = SMALL_FLOWS,
				  .cache_full = n - SMALL_FLOWS,
				  .overflow = ring_cap,
				  .lost = 14 };
	struct fx_flow want[SMALL_FLOWS];
	__u64 t0, t1, map_packets;

	case_begin("cache and ring full: 4 in the map, a page of records on the ring, 14 lost");
	if (!ASSERT_OK(env_reset(e), "reset maps"))
		goto out;
	t0 = now_ns();
	if (!send_flows(e, n))
		goto out;
	t1 = now_ns();
	for (int i = 0; i < SMALL_FLOWS; i++)
		want[i] = small_expect(i, false, 1);
	map_packets = flows_check(e, want, SMALL_FLOWS, t0, t1);
	stats_check(e, &st, map_packets);
	if (ring_expect(e, ring_cap)) {
		int last = (ring_cap < MAX_RECS ? ring_cap : MAX_RECS) - 1; /* the last one kept */
		struct fx_flow x0 = small_expect(SMALL_FLOWS, false, 1);
		struct fx_flow xn = small_expect(SMALL_FLOWS + last, false, 1);

		rec_check(&e->recs[0], SMALL_FLOWS, &x0, t0, t1);
		rec_check(&e->recs[last], SMALL_FLOWS + last, &xn, t0, t1);
	}
out:
	case_end();
}

/* A GSO super-packet that finds the cache full: its segments are the packets counted. */
void test_cache_full_gso(struct env *e, bool ring_full)
{
	const int ring_cap = ring_recs();
	int fill = ring_full ? SMALL_FLOWS + ring_cap : SMALL_FLOWS;
	struct fspec gso = small_flow(fill, RUN_TC);
	struct tflow_stats st = { .seen = fill + 3,
				  .sampled = fill + 3,
				  .accounted = fill + 3,
				  .flows_created = SMALL_FLOWS,
				  .cache_full = fill + 1 - SMALL_FLOWS,
				  .overflow = ring_full ? ring_cap : 3,
				  .lost = ring_full ? 3 : 0 };
	struct fx_flow want[SMALL_FLOWS];
	__u64 t0, t1, map_packets;

	gso.payload = 300;
	gso.gso_segs = 3;
	gso.gso_size = 100;
	case_begin(ring_full ? "cache and ring full: a tc gso super-packet lost counts 3 packets"
			     : "cache full: a tc gso super-packet on the ring counts 3 packets");
	if (!ASSERT_OK(env_reset(e), "reset maps"))
		goto out;
	t0 = now_ns();
	if (!send_flows(e, fill) || run_frame(e, &gso, 1) != RUN_DONE)
		goto out;
	t1 = now_ns();
	for (int i = 0; i < SMALL_FLOWS; i++)
		want[i] = small_expect(i, false, 1);
	map_packets = flows_check(e, want, SMALL_FLOWS, t0, t1);
	stats_check(e, &st, map_packets);
	if (ring_full) {
		ring_expect(e, ring_cap);
	} else if (ring_expect(e, 1)) {
		struct fx_flow x = small_expect(fill, true, 3);

		x.bytes = 328 + 2 * (20 + 8); /* 3 segments, each with the IP and UDP headers */
		rec_check(&e->recs[0], fill, &x, t0, t1);
	}
out:
	case_end();
}

/* Whether epoll reports tflow_ext_ring readable within timeout_ms (1 or 0); takes nothing. */
static int ext_ring_readable(struct env *e, int timeout_ms)
{
	struct epoll_event ev;

	return epoll_wait(ring_buffer__epoll_fd(e->ext_rb), &ev, 1, timeout_ms);
}

/*
 * New flows' records on a one-page tflow_ext_ring, never drained: userspace is woken once it is
 * half full, not before; once full, a new flow is still made and counted in ext_failed. Flow 0
 * is removed after each packet so that every packet makes a new flow.
 */
void test_ext_ring(struct env *e)
{
	static const struct tflow_config cfg = { .collect = TFLOW_COLLECT_EXT };
	const int cap = getpagesize() / EXT_REC_SPACE,
		  quiet = (getpagesize() / 2 - 1) / EXT_REC_SPACE;
	const int n = cap + 3;
	struct tflow_stats st;
	struct fx_flow want[2] = { small_expect(0, false, 1), small_expect(1, false, 1) };
	struct fspec s = small_flow(0, RUN_XDP);
	int ffd = bpf_map__fd(e->skel->maps.tflow_flows), kept;
	__u64 t0, t1, prev;
	struct tflow_key k;

	case_begin("tflow_ext_ring: a wake-up at half full; when full, the flow made, ext_failed");
	if (!ASSERT_OK(env_reset(e), "reset maps") ||
	    !ASSERT_OK(config_set(e, &cfg), "write tflow_config"))
		goto out;
	ext_ring_readable(e, 0); /* forget a readiness of earlier cases */
	key_build(&want[0], &k);
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		if (run_frame(e, &s, 1) != RUN_DONE)
			goto out;
		if (i + 1 == quiet)
			CHECK(ext_ring_readable(e, 0) == 0, "epoll", "woken by %d records", quiet);
		if (i == quiet)
			CHECK(ext_ring_readable(e, 1000) == 1, "epoll",
			      "not woken by %d records of %d bytes in %d", quiet + 1,
			      (int)EXT_REC_SPACE, getpagesize());
		if (i + 1 < n && !ASSERT_OK(bpf_map_delete_elem(ffd, &k) ? -errno : 0, "delete"))
			goto out;
	}
	t1 = now_ns();
	prev = t0;
	if (!ASSERT_OK(stats_read(e, &st), "read tflow_stats"))
		goto out;
	ASSERT_EQ(st.flows_created, n, "stats.flows_created");
	ASSERT_EQ(st.ext_failed, n - cap, "stats.ext_failed");
	ASSERT_EQ(st.accounted, n, "stats.accounted");
	ASSERT_EQ(st.cache_full + st.overflow + st.lost, 0, "stats.cache_full + overflow + lost");
	flows_check(e, want, 1, t0, t1);
	if (!ASSERT_OK(ext_drain(e), "drain tflow_ext_ring"))
		goto out;
	ASSERT_EQ(e->ext_bad_sizes, 0, "tflow_ext_ring records of a wrong size");
	ASSERT_EQ(e->n_ext, cap, "tflow_ext_ring records");
	kept = e->n_ext < MAX_EXT_RECS ? e->n_ext : MAX_EXT_RECS;
	for (int j = 0; j < kept; j++) {
		const struct tflow_ext_rec *r = &e->ext_recs[j];

		CHECK(!memcmp(&r->key, &k, sizeof(k)) && !r->pad, "tflow_ext_ring",
		      "record %d: not flow 0's", j);
		CHECK(!memcmp(&r->e.ext, &fx_ext_udp4, sizeof(r->e.ext)), "tflow_ext_ring",
		      "record %d: the fields differ", j);
		/* In order: each flow began no earlier than the one before it. */
		CHECK(prev <= r->e.first_ns && r->e.first_ns <= t1, "tflow_ext_rec.e.first_ns",
		      "record %d: %llu not in %llu..%llu", j, (unsigned long long)r->e.first_ns,
		      (unsigned long long)prev, (unsigned long long)t1);
		prev = r->e.first_ns;
	}
	/* Drained, it takes records again: the next new flow's. */
	s = small_flow(1, RUN_XDP);
	if (run_frame(e, &s, 1) != RUN_DONE)
		goto out;
	want[1].ext = &fx_ext_udp4;
	ext_check(e, &want[1], 1);
	if (ASSERT_OK(stats_read(e, &st), "read tflow_stats"))
		ASSERT_EQ(st.ext_failed, n - cap, "stats.ext_failed after the drain");
out:
	ASSERT_OK(env_reset(e), "reset maps");
	case_end();
}

/*
 * A packet that lands on a flow its remover has taken (TFLOW_TAKEN, written here as the remover's
 * swap would) is accounted again. The flow stays in the map, as between a remover's swap and
 * its delete: the retry lands on it too, and the packet goes to the ring. taken_bytes: the
 * remover swapped the bytes too; else only the packets, and the bytes it took are not sent again.
 */
void test_taken(struct env *e, bool taken_bytes)
{
	struct tflow_stats st = {
		.seen = 2, .sampled = 2, .accounted = 2, .flows_created = 1, .overflow = 1
	};
	struct fx_flow x = small_expect(0, false, 1);
	int fd = bpf_map__fd(e->skel->maps.tflow_flows);
	struct fspec s = small_flow(0, RUN_XDP);
	struct tflow_value v, got;
	struct tflow_key k;
	__u64 t0, t1;

	case_begin(taken_bytes ? "taken flow: a packet on it goes to the ring, counted once"
			       : "taken packets, not bytes: the packet again on the ring, 0 bytes");
	if (!ASSERT_OK(env_reset(e), "reset maps"))
		goto out;
	key_build(&x, &k);
	t0 = now_ns();
	if (run_frame(e, &s, 1) != RUN_DONE ||
	    !ASSERT_OK(bpf_map_lookup_elem(fd, &k, &v), "lookup"))
		goto out;
	v.packets = TFLOW_TAKEN;
	if (taken_bytes)
		v.bytes = TFLOW_TAKEN;
	if (!ASSERT_OK(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), "mark taken") ||
	    run_frame(e, &s, 1) != RUN_DONE)
		goto out;
	t1 = now_ns();
	/* Both tries added to the marked element: what its remover never exports. */
	if (ASSERT_OK(bpf_map_lookup_elem(fd, &k, &got), "lookup")) {
		ASSERT_EQ(got.packets, TFLOW_TAKEN + 2, "packets on the taken flow");
		/* Bytes not taken: the first try's count, the retry adds none. */
		ASSERT_EQ(got.bytes, taken_bytes ? TFLOW_TAKEN + 96 : 48 + 48, "bytes");
	}
	stats_check(e, &st, 1); /* the remover took the first packet */
	if (ring_expect(e, 1)) {
		x.bytes = taken_bytes ? 48 : 0;
		rec_check(&e->recs[0], 0, &x, t0, t1);
	}
out:
	case_end();
}

/* tflow_take (the batched scan's removals): the final counters, the flow gone. */
void test_take_prog(struct env *e)
{
	struct fx_flow x = small_expect(0, false, 3);
	int fd = bpf_map__fd(e->skel->maps.tflow_flows);
	struct fspec s = small_flow(0, RUN_XDP);
	struct flow_entry left[1];
	struct flow_take *t = NULL;
	struct tflow_value v;
	struct tflow_key k;
	__u64 t0, t1;

	case_begin("tflow_take: a flow's final counters, the flow removed");
	if (!ASSERT_OK(env_reset(e), "reset maps"))
		goto out;
	t = take_open(fd);
	if (!CHECK(t, "take_open", "%s", strerror(errno)))
		goto out;
	key_build(&x, &k);
	t0 = now_ns();
	if (run_frame(e, &s, 3) != RUN_DONE)
		goto out;
	t1 = now_ns();
	if (ASSERT_OK(take_flow(t, &k, &v), "take_flow"))
		value_check(&x, &v, t0, t1);
	ASSERT_EQ(flows_read(e, left, 1), 0, "flows left");
	ASSERT_EQ(take_flow(t, &k, &v), -ENOENT, "take_flow of a flow not there");
	/* The key comes back as a new flow, unmarked. */
	x.packets = 1;
	x.bytes = 48;
	t0 = now_ns();
	if (run_frame(e, &s, 1) != RUN_DONE)
		goto out;
	t1 = now_ns();
	flows_check(e, &x, 1, t0, t1);
out:
	take_close(t);
	case_end();
}
