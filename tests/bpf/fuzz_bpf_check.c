/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_bpf_check.c - fuzz_bpf's checks of a batch: the flow map and rings against the reference. */
#include "fuzz_bpf.h"

/* ---- checking a batch ---- */

static void hexdump(const __u8 *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x%s", i % 32 ? "" : "      ", b[i],
			i % 32 == 31 || i + 1 == len ? "\n" : "");
}

void frame_print(const struct frame *f, int idx)
{
	fprintf(stderr, "    frame %d: %s, %u bytes%s, reference: %s\n", idx,
		f->prog == RUN_TC ? "tc" : "xdp", f->len, f->gso_segs > 1 ? " (gso)" : "",
		verdict_name[f->want]);
	if (f->prog == RUN_TC)
		fprintf(stderr, "      __sk_buff ingress_ifindex %u gso_segs %u gso_size %u\n",
			f->ingress_if, f->gso_segs, f->gso_size);
	hexdump(f->b, f->len);
}

static void key_print(const char *what, const struct tflow_key *k, const struct tflow_value *v)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, k->src, s, sizeof(s));
	inet_ntop(AF_INET6, k->dst, d, sizeof(d));
	fprintf(stderr,
		"    %s: %s.%u > %s.%u proto %u family %u dir %u ifindex %u pad %u: packets %llu "
		"bytes %llu flags 0x%x tos %u ttl %u peer %u\n",
		what, s, ntohs(k->sport), d, ntohs(k->dport), k->proto, k->family, k->dir,
		k->ifindex, k->pad, (unsigned long long)v->packets, (unsigned long long)v->bytes,
		TFLOW_ATTR_TCP_FLAGS(v->flags_tos_ttl), TFLOW_ATTR_TOS(v->flags_tos_ttl),
		TFLOW_ATTR_TTL(v->flags_tos_ttl), v->peer_ifindex);
}

static int rec_by_key(const void *a, const void *b)
{
	return memcmp(&((const struct tflow_ext_rec *)a)->key,
		      &((const struct tflow_ext_rec *)b)->key, sizeof(struct tflow_key));
}

/*
 * tflow_ext_ring holds one record for each flow of got[0..n) and nothing else: its key, its
 * first_ns, the fields collected (TFLOW_COLLECT_EXT) and a zero pad. Drains the ring.
 */
static int ext_compare(struct env *e, const struct flow_entry *got, int n)
{
	int dup = 0, missing = 0, wrong = 0, kept;

	if (ring_buffer__consume(e->ext_rb) < 0) {
		fprintf(stderr, "    draining tflow_ext_ring: %s\n", strerror(errno));
		return 1;
	}
	kept = e->n_ext < BATCH + 1 ? e->n_ext : BATCH + 1;
	qsort(e->ext_recs, kept, sizeof(*e->ext_recs), rec_by_key);
	for (int i = 1; i < kept; i++)
		dup += !rec_by_key(&e->ext_recs[i - 1], &e->ext_recs[i]);
	for (int i = 0; i < n; i++) {
		struct tflow_ext_rec want = { .key = got[i].key }, *r;

		r = bsearch(&want, e->ext_recs, kept, sizeof(*r), rec_by_key);
		if (!r)
			missing++;
		else if (r->e.first_ns != got[i].val.first_ns || r->pad ||
			 r->e.ext.collected != TFLOW_COLLECT_EXT)
			wrong++;
	}
	if (!e->ext_bad_sizes && e->n_ext == n && !dup && !missing && !wrong)
		return 0;
	fprintf(stderr,
		"    tflow_ext_ring: %d records (%d of a wrong size, %d keys twice) for %d flows, "
		"%d flows without one, %d with a wrong first_ns, pad or collect\n",
		e->n_ext, e->ext_bad_sizes, dup, n, missing, wrong);
	return 1;
}

/*
 * The flow map equals the reference table; tflow_ext_ring holds a record for each flow and no
 * other (none for the flows that found the cache full); tflow_overflow holds the reference's
 * records.
 */
int flows_compare(struct env *e, struct model *m, struct flow_entry *got, __u64 t0, __u64 t1,
		  __u64 *map_packets)
{
	int n = flows_read(e, got, BATCH + 1), bad = 0, nring = m->nring;

	*map_packets = 0;
	if (n < 0) {
		fprintf(stderr, "    reading tflow_flows: %s\n", strerror(-n));
		return 1;
	}
	if (n != m->nflows) {
		fprintf(stderr, "    tflow_flows holds %d entries, the reference %d\n", n,
			m->nflows);
		bad++;
	}
	bad += ext_compare(e, got, n);
	for (int i = 0; i < n; i++) {
		struct tflow_value *v = &got[i].val, w;
		struct mslot *s;
		bool found;

		*map_packets += v->packets;
		s = model_find(m, &got[i].key, &found);
		if (!found) {
			if (bad++ < 3)
				key_print("unexpected flow", &got[i].key, v);
			continue;
		}
		w = s->val;
		w.first_ns = v->first_ns;
		w.last_ns = v->last_ns;
		if (memcmp(v, &w, sizeof(w)) || v->first_ns < t0 || v->first_ns > v->last_ns ||
		    v->last_ns > t1) {
			if (bad++ < 3) {
				key_print("map      ", &got[i].key, v);
				key_print("reference", &s->key, &w);
			}
		}
	}
	if (ring_buffer__consume(e->rb) < 0) {
		fprintf(stderr, "    draining tflow_overflow: %s\n", strerror(errno));
		return bad + 1;
	}
	if (e->bad_sizes || e->nrecs != nring) {
		fprintf(stderr,
			"    tflow_overflow: %d records (%d of a wrong size), reference %d\n",
			e->nrecs, e->bad_sizes, nring);
		bad++;
	}
	for (int i = 0; i < e->nrecs && i < nring && i < MAX_RING_RECS; i++) {
		struct tflow_overflow_rec r = e->recs[i];

		if (r.ts_ns < t0 || r.ts_ns > t1) {
			fprintf(stderr, "    ring record %d: ts_ns outside the batch\n", i);
			bad++;
		}
		/* Field by field: the record's tail padding is whatever the ring held before. */
		if ((memcmp(&r.key, &m->ring[i].key, sizeof(r.key)) ||
		     r.bytes != m->ring[i].bytes || r.packets != m->ring[i].packets ||
		     r.in_ifindex != m->ring[i].in_ifindex ||
		     r.out_ifindex != m->ring[i].out_ifindex ||
		     r.tcp_flags != m->ring[i].tcp_flags || r.tos != m->ring[i].tos ||
		     r.ttl != m->ring[i].ttl || memcmp(r.pad, "\0\0\0\0\0", sizeof(r.pad))) &&
		    bad++ < 3)
			fprintf(stderr, "    ring record %d differs from the reference\n", i);
	}
	return bad;
}

/* The datapath's clock (bpf_ktime_get_coarse_ns): the same clock bounds its timestamps exactly. */
__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
