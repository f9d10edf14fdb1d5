/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_encode.c - fuzz target: random records into the v1/v5/v9/IPFIX encoders, any buffer size. */
#include "fuzz_encode.h"

/*
 * The first input byte picks the encoder and, for v9/IPFIX, the `/ip traffic-flow ipfix` field
 * selection (every field when below N_MODES, as by default; else one of 50 others, the classic
 * and the smallest among them); the rest gives the buffer size, the header fields and
 * records with every field random (families other than 4 and 6 included). Each encoder gets a
 * buffer of exactly the size it is told (ASan sees any write past it) filled with a canary, and
 * is held to its contract:
 * - v1/v5: -EINVAL for 0 or too many records or an IPv6 one, -ENOSPC when the size is short,
 *   else the exact length; the datagram decodes back to the records;
 * - v9/IPFIX: a sequence of templates, options and records, finished and restarted at random:
 *   each call returns 0, -ENOSPC (message unchanged) or -EINVAL (a family other than 4/6);
 *   the length stays within the size (and 65535); nothing is written past it; every finished
 *   message parses, by the templates the encoder itself announces, back to the records added;
 * - record_to_json: snprintf's contract for any size.
 */

#define MAX_RECS 256
#define CANARY 0xa5

enum mode { M_NF1, M_NF5, M_NF9, M_IPFIX, M_JSON, N_MODES };

static void read_record(struct fin *in, struct tflow_record *r)
{
	__u8 f = fin_u8(in);

	memset(r, 0, sizeof(*r));
	r->key.family = f % 8 < 4 ? 4 : f % 8 < 7 ? 6 : fin_u8(in);
	if (r->key.family == 4) {
		r->key.src[10] = r->key.src[11] = r->key.dst[10] = r->key.dst[11] = 0xff;
		fin_bytes(in, r->key.src + 12, 4);
		fin_bytes(in, r->key.dst + 12, 4);
	} else {
		fin_bytes(in, r->key.src, 16);
		fin_bytes(in, r->key.dst, 16);
	}
	r->key.proto = f & 0x80 ? fin_u8(in) : (f & 0x40 ? 1 : 58); /* ICMP often */
	fin_bytes(in, &r->key.sport, 2);
	fin_bytes(in, &r->key.dport, 2);
	r->key.dir = fin_u8(in) & 1;
	r->key.ifindex = fin_u32(in);
	r->packets = fin_u64(in);
	r->bytes = fin_u64(in);
	r->first_ns = fin_u64(in);
	r->last_ns = fin_u64(in);
	r->in_ifindex = fin_u32(in);
	r->out_ifindex = fin_u32(in);
	r->tcp_flags = fin_u8(in);
	r->tos = fin_u8(in);
	r->ttl = fin_u8(in);
	r->end_reason = fin_u8(in);
	/* What the datapath, routing and conntrack add; one record in 8 is a NAT event. */
	fin_bytes(in, &r->ext, sizeof(r->ext));
	r->src_mask = fin_u8(in);
	r->dst_mask = fin_u8(in);
	r->has_nat = fin_u8(in) & 1;
	fin_bytes(in, r->nat_src, 16);
	fin_bytes(in, r->nat_dst, 16);
	fin_bytes(in, &r->nat_sport, 2);
	fin_bytes(in, &r->nat_dport, 2);
	f = fin_u8(in);
	r->nat_event = f % 8 == 7 ? 4 + (f >> 7) : 0;
}

static void check_canary(const __u8 *buf, size_t from, size_t size)
{
	static __u8 canary[4096];

	if (!canary[0])
		memset(canary, CANARY, sizeof(canary));
	for (size_t i = from, n; i < size; i += n) {
		n = size - i < sizeof(canary) ? size - i : sizeof(canary);
		if (!memcmp(buf + i, canary, n))
			continue;
		while (buf[i] == CANARY)
			i++;
		FUZZ_CHECK(0, "byte %zu written, past the %zu reported", i, from);
	}
}

/* ---- NetFlow v1 and v5 ---- */

static void fuzz_nf15(struct fin *in, bool v5)
{
	size_t hdr = v5 ? NF5_HDR_LEN : NF1_HDR_LEN, max = v5 ? NF5_MAX_RECS : NF1_MAX_RECS;
	size_t size = fin_u16(in) % 2048, n = fin_u8(in) % (max + 3), want;
	struct tflow_record recs[NF5_MAX_RECS + 3];
	struct nf5_hdr_ctx c5 = {};
	struct nf1_hdr_ctx c1 = {};
	bool v6 = false;
	__u8 *buf;
	int ret;

	c5.sys_uptime_ms = c1.sys_uptime_ms = fin_u32(in);
	c5.unix_secs = c1.unix_secs = fin_u32(in);
	c5.unix_nsecs = c1.unix_nsecs = fin_u32(in);
	c5.flow_sequence = fin_u32(in);
	c5.sampling = nf5_sampling(fin_u32(in), fin_u32(in));
	FUZZ_CHECK(!c5.sampling || (c5.sampling >> 14 == 1 && (c5.sampling & 0x3fff)),
		   "nf5_sampling gave 0x%x", c5.sampling);
	for (size_t i = 0; i < n; i++) {
		read_record(in, &recs[i]);
		v6 |= recs[i].key.family != 4;
	}
	buf = malloc(size);
	FUZZ_CHECK(buf || !size, "out of memory");
	memset(buf, CANARY, size);
	ret = v5 ? nf5_encode(&c5, recs, n, buf, size) : nf1_encode(&c1, recs, n, buf, size);
	want = hdr + n * 48;
	if (n == 0 || n > max || v6) {
		FUZZ_CHECK(ret == -EINVAL, "%zu records%s: returned %d", n, v6 ? " (IPv6)" : "",
			   ret);
		check_canary(buf, 0, size);
	} else if (size < want) {
		FUZZ_CHECK(ret == -ENOSPC, "%zu bytes for %zu: returned %d", size, want, ret);
		check_canary(buf, 0, size);
	} else {
		FUZZ_CHECK(ret == (int)want, "returned %d, want %zu", ret, want);
		check_canary(buf, want, size);
		FUZZ_CHECK(get_uint(buf, 2) == (v5 ? 5u : 1u) && get_uint(buf + 2, 2) == n,
			   "header version/count");
		for (size_t i = 0; i < n; i++) {
			const __u8 *p = buf + hdr + i * 48;
			const struct tflow_record *r = &recs[i];

			FUZZ_CHECK(!memcmp(p, r->key.src + 12, 4) &&
					   !memcmp(p + 4, r->key.dst + 12, 4) &&
					   !memcmp(p + 32, &r->key.sport, 2) &&
					   !memcmp(p + 34, &r->key.dport, 2),
				   "record %zu: addresses or ports", i);
			FUZZ_CHECK(get_uint(p + 16, 4) == sat32(r->packets) &&
					   get_uint(p + 20, 4) == sat32(r->bytes),
				   "record %zu: counters", i);
			/* v5: pad, flags, proto, tos; v1: pad, pad, proto, tos, flags */
			FUZZ_CHECK(p[38] == r->key.proto && p[39] == r->tos &&
					   p[v5 ? 37 : 40] == r->tcp_flags,
				   "record %zu: protocol, tos or flags", i);
		}
	}
	free(buf);
}

static struct proto p9 = { .v9 = true }, p10 = { .v9 = false };

static int m_begin(const struct proto *p, struct tmsg *m, void *buf, size_t size, __u32 seq,
		   __u32 id)
{
	return p->v9 ? nf9_begin(m, buf, size, &clk, seq, id)
		     : ipfix_begin(m, buf, size, &clk, seq, id);
}

static int m_templates(const struct proto *p, struct tmsg *m)
{
	return p->v9 ? nf9_add_templates(m, &p->lay) : ipfix_add_templates(m, &p->lay);
}

static int m_options(const struct proto *p, struct tmsg *m, const struct enc_sampling *s, __u32 id)
{
	return p->v9 ? nf9_add_options(m, s, id) : ipfix_add_options(m, s, &clk, id);
}

static int m_record(const struct proto *p, struct tmsg *m, const struct tflow_record *r)
{
	return p->v9 ? nf9_add_record(m, &p->lay, r, &clk) : ipfix_add_record(m, &p->lay, r, &clk);
}

static size_t m_finish(const struct proto *p, struct tmsg *m)
{
	return p->v9 ? nf9_finish(m) : ipfix_finish(m);
}

/* Reads a template record at q (room: end); returns its length. */
static size_t parse_template(struct proto *p, const __u8 *q, const __u8 *end, bool options)
{
	struct tmpl t = {};
	size_t hl = options ? 6 : 4, nscope = 0;

	FUZZ_CHECK(q + hl <= end, "template header past its set");
	t.id = (__u16)get_uint(q, 2);
	FUZZ_CHECK(t.id >= 256 && t.id < 256 + N_TMPL, "template id %u", t.id);
	if (p->v9 && options) { /* v9: scope and option lengths in bytes */
		t.n = (__u16)((get_uint(q + 2, 2) + get_uint(q + 4, 2)) / 4);
		nscope = get_uint(q + 2, 2) / 4;
	} else {
		t.n = (__u16)get_uint(q + 2, 2);
		nscope = options ? get_uint(q + 4, 2) : 0;
	}
	t.scope = (__u16)nscope;
	FUZZ_CHECK(t.n <= MAX_FIELDS && q + hl + 4u * t.n <= end, "template %u: %u fields", t.id,
		   t.n);
	for (int i = 0; i < t.n; i++) {
		t.ids[i] = (__u16)get_uint(q + hl + 4 * i, 2);
		t.lens[i] = (__u16)get_uint(q + hl + 4 * i + 2, 2);
		FUZZ_CHECK(t.lens[i] >= 1 && t.lens[i] <= 16, "field %u length %u", t.ids[i],
			   t.lens[i]);
		t.reclen += t.lens[i];
	}
	if (p->known)
		FUZZ_CHECK(!memcmp(&p->t[t.id - 256], &t, sizeof(t)), "template %u changed", t.id);
	p->t[t.id - 256] = t;
	return hl + 4u * t.n;
}

struct expect {
	const struct tflow_record *recs[MAX_RECS];
	int nrecs, ntemplates, noptions;
	__u32 seq, id;
	struct enc_sampling samp;
};

/* The finished message of len bytes holds exactly what was added, in order. */
static void check_message(struct proto *p, const __u8 *buf, size_t len, const struct expect *x)
{
	size_t off = p->v9 ? NF9_HDR_LEN : IPFIX_HDR_LEN;
	int nrec = 0, ntmpl = 0, nopt = 0, count = 0;

	FUZZ_CHECK(len >= off && len <= 0xffff, "length %zu", len);
	FUZZ_CHECK(get_uint(buf, 2) == (p->v9 ? 9u : 10u), "version");
	if (p->v9)
		FUZZ_CHECK(get_uint(buf + 4, 4) == (__u32)(clk.mono_ns / NS_MS) &&
				   get_uint(buf + 8, 4) == clk.real_ns / 1000000000ULL &&
				   get_uint(buf + 12, 4) == x->seq &&
				   get_uint(buf + 16, 4) == x->id,
			   "v9 header");
	else
		FUZZ_CHECK(get_uint(buf + 2, 2) == len &&
				   get_uint(buf + 4, 4) == clk.real_ns / 1000000000ULL &&
				   get_uint(buf + 8, 4) == x->seq && get_uint(buf + 12, 4) == x->id,
			   "IPFIX header");
	while (off < len) {
		const __u8 *q = buf + off, *end;
		__u16 sid = (__u16)get_uint(q, 2), slen;

		FUZZ_CHECK(off + 4 <= len, "set header past the message");
		slen = (__u16)get_uint(q + 2, 2);
		FUZZ_CHECK(slen > 4 && off + slen <= len,
			   "set %u of length %u at %zu (message %zu)", sid, slen, off, len);
		if (p->v9)
			FUZZ_CHECK(slen % 4 == 0, "v9 FlowSet length %u not padded to 4", slen);
		end = q + slen;
		q += 4;
		if (sid == (p->v9 ? 0 : 2) || sid == (p->v9 ? 1 : 3)) {
			while (end - q >= 4 + (sid & 1 ? 2 : 0)) {
				q += parse_template(p, q, end, sid == (p->v9 ? 1 : 3));
				count++;
			}
			ntmpl++;
		} else {
			const struct tmpl *t;

			FUZZ_CHECK(sid >= 256 && sid < 256 + N_TMPL, "set id %u", sid);
			t = &p->t[sid - 256];
			FUZZ_CHECK(p->known && t->reclen, "data set %u before its template", sid);
			for (; (size_t)(end - q) >= t->reclen; q += t->reclen, count++) {
				if (sid == 258) {
					check_options_record(p, t, q, &x->samp, x->id);
					nopt++;
					continue;
				}
				FUZZ_CHECK(nrec < x->nrecs, "more data records than added");
				const struct tflow_record *r = x->recs[nrec++];
				const __u8 *v = q;

				FUZZ_CHECK(sid == (r->key.family == 4 ? 256 : 257) +
							  (r->nat_event ? 3 : 0),
					   "record %d in set %u", nrec - 1, sid);
				for (int i = 0; i < t->n; v += t->lens[i++])
					FUZZ_CHECK(field_ok(r, t->ids[i], v, t->lens[i]),
						   "record %d field %u", nrec - 1, t->ids[i]);
			}
		}
		/* What is left in a set is padding: v9 pads to 4 with zeros, IPFIX does not pad. */
		FUZZ_CHECK(p->v9 ? end - q < 4 : q == end, "%td bytes left in set %u", end - q,
			   sid);
		for (; q < end; q++)
			FUZZ_CHECK(!*q, "non-zero padding in set %u", sid);
		off += slen;
	}
	FUZZ_CHECK(off == len, "sets end at %zu, message at %zu", off, len);
	FUZZ_CHECK(nrec == x->nrecs && nopt == x->noptions && ntmpl == 2 * x->ntemplates,
		   "%d records, %d options, %d template sets; added %d, %d, %d", nrec, nopt, ntmpl,
		   x->nrecs, x->noptions, x->ntemplates);
	if (p->v9)
		FUZZ_CHECK(get_uint(buf + 2, 2) == (__u64)count, "v9 count %llu, records %d",
			   (unsigned long long)get_uint(buf + 2, 2), count);
}

/* The encoder's templates for selection sel, learnt once from a message that holds only them. */
static void learn_templates(struct proto *p, __u64 sel)
{
	static __u8 buf[2048];
	struct expect x = { .ntemplates = 1 };
	struct tmsg m;

	if (p->known && p->sel == sel)
		return;
	memset(p->t, 0, sizeof(p->t));
	p->known = false;
	p->sel = sel;
	fields_layout(&p->lay, sel, p->v9 ? IE_FMT_V9 : IE_FMT_IPFIX);
	FUZZ_CHECK(!m_begin(p, &m, buf, sizeof(buf), 0, 0) && !m_templates(p, &m), "templates");
	check_message(p, buf, m_finish(p, &m), &x); /* not known yet: parse_template() learns */
	FUZZ_CHECK(p->t[0].reclen && p->t[1].reclen && p->t[2].reclen, "three templates");
	FUZZ_CHECK(!!(p->sel & TF_BIT(TF_NAT_EVENTS)) == (p->t[3].reclen && p->t[4].reclen),
		   "NAT event templates when nat-events is selected");
	p->known = true; /* from here on parse_template() compares with what it learnt */
}

static void fuzz_tmsg(struct fin *in, struct proto *p, __u64 sel)
{
	/* Mostly datagram sizes; sometimes above the 16-bit length fields, which cap the message.
	 */
	size_t size = fin_u8(in) % 8 ? fin_u16(in) % 1600 : 0x10000 - 64 + fin_u8(in);
	struct tflow_record *recs = calloc(MAX_RECS, sizeof(*recs));
	__u8 *buf = malloc(size), *before = malloc(size);
	struct expect x = {};
	struct tmsg m, m0;
	int ret, nrecs = 0;

	learn_templates(p, sel);
	FUZZ_CHECK(recs && buf && before, "out of memory");
	memset(buf, CANARY, size);
	x.seq = fin_u32(in);
	x.id = fin_u32(in);
	x.samp.interval = fin_u8(in) & 1 ? fin_u32(in) : fin_u8(in) % 4;
	x.samp.space = fin_u8(in) & 1 ? fin_u32(in) : fin_u8(in) % 4;
	ret = m_begin(p, &m, buf, size, x.seq, x.id);
	if (size < (p->v9 ? NF9_HDR_LEN : IPFIX_HDR_LEN)) {
		FUZZ_CHECK(ret == -ENOSPC, "begin with %zu bytes: %d", size, ret);
		goto out;
	}
	FUZZ_CHECK(!ret, "begin: %d", ret);
	for (int op = 0; in->n && op < 4 * MAX_RECS; op++) {
		__u8 what = fin_u8(in) % 10;

		m0 = m;
		memcpy(before, buf, m.len);
		if (what == 0) {
			ret = m_templates(p, &m);
			x.ntemplates += !ret;
		} else if (what == 1) {
			ret = m_options(p, &m, &x.samp, x.id);
			x.noptions += !ret;
		} else if (what == 2 || nrecs == MAX_RECS) {
			/* Finished: check it, start the next message in the same buffer. */
			size_t len = m_finish(p, &m);

			check_canary(buf, len, size);
			check_message(p, buf, len, &x);
			memset(buf, CANARY, size);
			x = (struct expect){ .seq = x.seq + 1, .id = x.id, .samp = x.samp };
			FUZZ_CHECK(!m_begin(p, &m, buf, size, x.seq, x.id), "begin again");
			nrecs = 0;
			continue;
		} else {
			read_record(in, &recs[nrecs]);
			ret = m_record(p, &m, &recs[nrecs]);
			if ((recs[nrecs].key.family != 4 && recs[nrecs].key.family != 6) ||
			    (recs[nrecs].nat_event && !(sel & TF_BIT(TF_NAT_EVENTS)))) {
				FUZZ_CHECK(ret == -EINVAL, "family %u, NAT event %u: %d",
					   recs[nrecs].key.family, recs[nrecs].nat_event, ret);
				ret = -ENOSPC; /* and unchanged, checked below */
			} else if (!ret) {
				x.recs[x.nrecs++] = &recs[nrecs++];
			}
		}
		FUZZ_CHECK(!ret || ret == -ENOSPC, "op %u returned %d", what, ret);
		if (ret)
			FUZZ_CHECK(!memcmp(&m, &m0, sizeof(m)) && !memcmp(buf, before, m.len),
				   "op %u: -ENOSPC changed the message", what);
		FUZZ_CHECK(m.len <= m.size && m.size <= size && m.size <= 0xffff,
			   "len %zu size %zu buffer %zu", m.len, m.size, size);
	}
	check_canary(buf, m_finish(p, &m), size);
	check_message(p, buf, m.len, &x);
out:
	free(before);
	free(buf);
	free(recs);
}

/* ---- JSON lines ---- */

static void fuzz_json(struct fin *in)
{
	size_t size = fin_u16(in) % 512;
	char *buf = malloc(size ? size : 1);
	struct tflow_record r;
	int ret;

	read_record(in, &r);
	FUZZ_CHECK(buf, "out of memory");
	ret = record_to_json(&r, size ? buf : NULL, size);
	FUZZ_CHECK(ret > 0 && ret < 1024, "returned %d", ret);
	if (size) {
		FUZZ_CHECK(strlen(buf) == ((size_t)ret < size ? (size_t)ret : size - 1),
			   "%zu bytes written of %d, size %zu", strlen(buf), ret, size);
		if ((size_t)ret < size)
			FUZZ_CHECK(buf[0] == '{' && buf[ret - 1] == '}', "%s", buf);
	}
	free(buf);
}

/* The field selection the first input byte picks: v9 and IPFIX templates follow it. */
static __u64 selection(uint8_t b)
{
	__u64 x = b / N_MODES * 0x9e3779b97f4a7c15ULL; /* splitmix64 of the choice */

	if (b < N_MODES)
		return TF_ALL; /* the default */
	if (b < 2 * N_MODES)
		return TF_CLASSIC;
	if (b < 3 * N_MODES)
		return TF_BIT(TF_BYTES); /* about the least there is: counters, version, direction */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (x ^ (x >> 31)) & TF_ALL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data + (size ? 1 : 0), size ? size - 1 : 0 };

	if (!size)
		return 0;
	switch (data[0] % N_MODES) {
	case M_NF1:
		fuzz_nf15(&in, false);
		break;
	case M_NF5:
		fuzz_nf15(&in, true);
		break;
	case M_NF9:
		fuzz_tmsg(&in, &p9, selection(data[0]));
		break;
	case M_IPFIX:
		fuzz_tmsg(&in, &p10, selection(data[0]));
		break;
	case M_JSON:
		fuzz_json(&in);
		break;
	}
	return 0;
}
