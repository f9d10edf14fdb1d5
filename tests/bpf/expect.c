/* SPDX-License-Identifier: GPL-2.0-only */
/* expect.c - test_bpf's expectations: flow keys and values, tflow_ext records, counters. */
#include "test_bpf.h"

/* ---- expectations ---- */

static void key_addr(__u8 family, const char *s, const char *dflt, __u8 out[16])
{
	memset(out, 0, 16);
	if (family == 4) {
		out[10] = out[11] = 0xff; /* ::ffff:a.b.c.d */
		f_addr(4, s, dflt, out + 12);
	} else {
		f_addr(6, s, dflt, out);
	}
}

void key_build(const struct fx_flow *x, struct tflow_key *k)
{
	memset(k, 0, sizeof(*k));
	key_addr(x->family, x->src, x->family == 4 ? "10.0.0.1" : "2001:db8::1", k->src);
	key_addr(x->family, x->dst, x->family == 4 ? "10.0.0.2" : "2001:db8::2", k->dst);
	k->sport = htons(x->sport);
	k->dport = htons(x->dport);
	k->ifindex = x->ifindex;
	k->proto = x->proto;
	k->dir = x->dir;
	k->family = x->family;
}

void key_print(const char *what, const struct tflow_key *k)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, k->src, s, sizeof(s));
	inet_ntop(AF_INET6, k->dst, d, sizeof(d));
	fprintf(stderr, "    %s key: %s.%u > %s.%u proto %u family %u dir %u ifindex %u pad %u\n",
		what, s, ntohs(k->sport), d, ntohs(k->dport), k->proto, k->family, k->dir,
		k->ifindex, k->pad);
}

bool value_check(const struct fx_flow *x, const struct tflow_value *v, __u64 t0, __u64 t1)
{
	bool ok = true;

	ok &= ASSERT_EQ(v->packets, x->packets, "value.packets");
	ok &= ASSERT_EQ(v->bytes, x->bytes, "value.bytes");
	ok &= ASSERT_EQ(v->flags_tos_ttl, TFLOW_ATTRS(x->tcp_flags, x->tos, x->ttl ? x->ttl : 64),
			"value.flags_tos_ttl (flags | tos << 8 | ttl << 16)");
	/* The key names one interface, peer_ifindex the other. */
	ok &= ASSERT_EQ(v->peer_ifindex, x->dir == TFLOW_DIR_INGRESS ? x->out_if : x->in_if,
			"value.peer_ifindex");
	ok &= ASSERT_EQ(x->dir == TFLOW_DIR_INGRESS ? x->in_if : x->out_if, x->ifindex,
			"fixture: the key's interface");
	ok &= CHECK(t0 <= v->first_ns && v->first_ns <= v->last_ns && v->last_ns <= t1,
		    "value.first_ns/last_ns", "%llu..%llu not inside the run %llu..%llu",
		    (unsigned long long)v->first_ns, (unsigned long long)v->last_ns,
		    (unsigned long long)t0, (unsigned long long)t1);
	return ok;
}

static void ext_print(const char *what, const struct tflow_ext *x)
{
	const __u8 *g = x->gateway;

	fprintf(stderr,
		"    %s ext: src_mac %02x:%02x:%02x:%02x:%02x:%02x dst_mac "
		"%02x:%02x:%02x:%02x:%02x:%02x seq %u ack %u win %u ip_tot_len %u udp_len %u "
		"ip_hdr_len %u igmp_type %u flow_label 0x%x gateway %02x%02x..%02x%02x%02x%02x "
		"fib_ifindex %u fib_ok %u collected %u pad %u %u\n",
		what, x->src_mac[0], x->src_mac[1], x->src_mac[2], x->src_mac[3], x->src_mac[4],
		x->src_mac[5], x->dst_mac[0], x->dst_mac[1], x->dst_mac[2], x->dst_mac[3],
		x->dst_mac[4], x->dst_mac[5], x->tcp_seq, x->tcp_ack, x->tcp_win, x->ip_tot_len,
		x->udp_len, x->ip_hdr_len, x->igmp_type, x->flow_label, g[0], g[1], g[12], g[13],
		g[14], g[15], x->fib_ifindex, x->fib_ok, x->collected, x->pad[0], x->pad[1]);
}

/*
 * tflow_ext_ring holds one record for each flow of x that expects one and none else: the flow's
 * key, its fields byte for byte and its first_ns in tflow_flows. Drains the ring. tflow_ext, which
 * only userspace writes, stays empty.
 */
void ext_check(struct env *e, const struct fx_flow *x, int nx)
{
	int ffd = bpf_map__fd(e->skel->maps.tflow_flows), want = 0, kept;
	bool used[MAX_EXT_RECS] = {};
	struct tflow_value v;
	struct tflow_key k;

	if (!ASSERT_OK(ext_drain(e), "drain tflow_ext_ring"))
		return;
	kept = e->n_ext < MAX_EXT_RECS ? e->n_ext : MAX_EXT_RECS;
	ASSERT_EQ(e->ext_bad_sizes, 0, "tflow_ext_ring records of a wrong size");
	CHECK(bpf_map_get_next_key(bpf_map__fd(e->skel->maps.tflow_ext), NULL, &k), "tflow_ext",
	      "the datapath wrote an entry");
	for (int i = 0; i < nx && x[i].family; i++) {
		const struct tflow_ext_rec *r = NULL;
		int found = 0;

		key_build(&x[i], &k);
		for (int j = 0; j < kept; j++)
			if (!memcmp(&e->ext_recs[j].key, &k, sizeof(k))) {
				used[j] = true;
				r = &e->ext_recs[j];
				found++;
			}
		if (!x[i].ext) {
			CHECK(!found, "tflow_ext_ring", "flow %d: %d records, want none", i, found);
			continue;
		}
		want++;
		if (!CHECK(found == 1, "tflow_ext_ring", "flow %d: %d records, want 1", i, found))
			continue;
		if (!CHECK(!memcmp(&r->e.ext, x[i].ext, sizeof(r->e.ext)), "tflow_ext_ring",
			   "flow %d: the fields differ", i)) {
			ext_print("want", x[i].ext);
			ext_print("got ", &r->e.ext);
		}
		ASSERT_EQ(r->pad, 0, "tflow_ext_rec.pad");
		if (CHECK(!bpf_map_lookup_elem(ffd, &k, &v), "tflow_flows",
			  "flow %d: not in the map", i))
			CHECK(r->e.first_ns == v.first_ns, "tflow_ext_rec.e.first_ns",
			      "flow %d: %llu, the flow's %llu", i,
			      (unsigned long long)r->e.first_ns, (unsigned long long)v.first_ns);
	}
	for (int j = 0; j < kept; j++)
		if (!used[j]) {
			test_fail(__LINE__, "tflow_ext_ring", "a record of no flow expecting one");
			key_print("extra", &e->ext_recs[j].key);
		}
	ASSERT_EQ(e->n_ext, want, "tflow_ext_ring records");
}

/* The map holds exactly the flows of x (ended by family 0); returns the packets it holds. */
__u64 flows_check(struct env *e, const struct fx_flow *x, int nx, __u64 t0, __u64 t1)
{
	struct flow_entry got[64];
	bool used[64] = {};
	__u64 packets = 0;
	int n = flows_read(e, got, 64);

	if (!CHECK(n >= 0 && n <= 64, "tflow_flows", "read failed or %d entries", n))
		return 0;
	for (int i = 0; i < n; i++)
		packets += got[i].val.packets;
	for (int i = 0; i < nx && x[i].family; i++) {
		struct tflow_key want;
		int j;

		key_build(&x[i], &want);
		for (j = 0; j < n; j++)
			if (!used[j] && !memcmp(&got[j].key, &want, sizeof(want)))
				break;
		if (j == n) {
			test_fail(__LINE__, "tflow_flows", "expected flow %d missing", i);
			key_print("want", &want);
			for (j = 0; j < n; j++)
				key_print("have", &got[j].key);
			continue;
		}
		used[j] = true;
		value_check(&x[i], &got[j].val, t0, t1);
	}
	for (int j = 0; j < n; j++)
		if (!used[j]) {
			test_fail(__LINE__, "tflow_flows", "unexpected entry (%llu packets)",
				  (unsigned long long)got[j].val.packets);
			key_print("extra", &got[j].key);
		}
	return packets;
}

/* Drains tflow_overflow: it must have held exactly n records, each a whole tflow_overflow_rec. */
bool ring_expect(struct env *e, int n)
{
	if (!ASSERT_OK(ring_drain(e), "drain tflow_overflow"))
		return false;
	ASSERT_EQ(e->bad_sizes, 0, "tflow_overflow records of a wrong size");
	return ASSERT_EQ(e->nrecs, n, "tflow_overflow records") && !e->bad_sizes;
}

/*
 * Exact counters, then the contract of struct tflow_stats:
 *   seen == non_ip + err_* + skipped + accounted,  accounted == map + overflow + lost,
 *   accounted == sampled (every packet sampling takes is accounted).
 * All of them count wire packets: a GSO super-packet counts as its segments everywhere.
 */
void stats_check(struct env *e, const struct tflow_stats *want, __u64 map_packets)
{
	struct tflow_stats s;
	__u64 parsed_out;

	if (!ASSERT_OK(stats_read(e, &s), "read tflow_stats"))
		return;
#define STATS_CMP(f) ASSERT_EQ(s.f, want->f, "stats." #f);
	STATS_FIELDS(STATS_CMP)
#undef STATS_CMP
	parsed_out = s.non_ip + s.err_eth + s.err_vlan_depth + s.err_ip_trunc + s.err_ip_version +
		     s.err_ip_ihl + s.err_ip_len + s.err_ipv6_ext;
	CHECK(s.seen == parsed_out + s.skipped + s.accounted, "stats invariant",
	      "seen %llu != non_ip+err %llu + skipped %llu + accounted %llu",
	      (unsigned long long)s.seen, (unsigned long long)parsed_out,
	      (unsigned long long)s.skipped, (unsigned long long)s.accounted);
	CHECK(s.accounted == s.sampled, "stats invariant", "accounted %llu != sampled %llu",
	      (unsigned long long)s.accounted, (unsigned long long)s.sampled);
	CHECK(s.accounted == map_packets + s.overflow + s.lost, "stats invariant",
	      "accounted %llu != map packets %llu + overflow %llu + lost %llu",
	      (unsigned long long)s.accounted, (unsigned long long)map_packets,
	      (unsigned long long)s.overflow, (unsigned long long)s.lost);
}
