/* SPDX-License-Identifier: GPL-2.0-only */
/* export_bench.c - encoders section: records/s; the synthetic flows the scan and memory use too. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include "tflow.h"
#include "bench.h"
#include "export_bench.h"
#include "record/fields.h"
#include "export/ipfix.h"
#include "datapath/loader.h"
#include "export/nf5.h"
#include "export/nf9.h"
#include "tflow.skel.h"

#define NS_PER_S 1000000000.0
#define NREC 4096

/* Flow i: 10.98.x.y:i -> 10.99.0.2:443 (IPv4) or fd98::x:y -> fd99::2 (IPv6), UDP or TCP. */
void make_key(struct tflow_key *k, __u32 i, int family)
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

void make_value(struct tflow_value *v, __u32 i, __u64 t)
{
	memset(v, 0, sizeof(*v));
	v->packets = 1 + i % 1000;
	v->bytes = v->packets * 700;
	v->first_ns = t;
	v->last_ns = t + 1000000;
	/* flags, ToS, TTL and interfaces stay 0: the bench does not depend on their layout */
}

struct tflow_bpf *flows_map_load(__u32 max_entries, int *fd)
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

/*
 * The first-packet fields of each of the n flows flows_fill(.., t) makes, as with every field
 * selected, in s as tflow's event loop leaves them once it has drained the ring.
 */
int ext_fill(struct ext_store *s, __u32 n, __u64 t)
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
	/*
	 * Every field (the default, as RouterOS), then the elements of tflow before the selection.
	 */
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
