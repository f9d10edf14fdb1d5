/* fuzz_bpf.c - random and mutated frames through the real XDP and tc programs, counted exactly. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tflow.h"
#include "tflow.skel.h"
#include "frames.h"

/*
 * Every frame runs through BPF_PROG_TEST_RUN and through a reference parser written here from
 * the contract in tflow.h (which counter each kind of frame lands in, what the flow key and
 * value hold). Frames go in batches; after each batch the counters, the flow map and the
 * overflow ring must equal the reference exactly, tflow_ext_ring must hold one record for each
 * flow in the map and no other, and the accounting identities must hold:
 *   seen == frames (wire packets), seen == non_ip + err_* + skipped + accounted,
 *   accounted == sampled == packets in the map + overflow + lost.
 * A batch that differs is replayed frame by frame to name the first frame that disagrees.
 */

#define LO 1		   /* loopback's ifindex in any netns: test_run's default device */
#define BATCH 2000	   /* frames per batch: the flow map is read and emptied after each */
#define BIG_FLOWS 16384	   /* tflow_flows of the main skeleton: a batch never fills it */
#define SMALL_FLOWS 64	   /* tflow_flows of the cache-full skeleton; its ring is one page */
#define LEN_CAP 4000	   /* longest frame generated (test_run's own limit is probed) */
#define MODEL_SLOTS 8192   /* reference flow table: a power of two above 2 * BATCH */
#define MAX_RING_RECS 4096 /* records the reference keeps per batch */
#define DEFAULT_FRAMES 400000
#define DEFAULT_SEED 0x7f10c0deULL
#define MAX_REPORTS 5 /* failing batches described in detail */
/* tflow_ext_ring: a batch's records fit (8 bytes of ring header + 112 each), drained after it. */
#define EXT_RING (1 << 20)
#define EXT_REC_SPACE (8 + sizeof(struct tflow_ext_rec))
_Static_assert(BATCH *EXT_REC_SPACE <= EXT_RING, "tflow_ext_ring holds a batch's new flows");

/* ---- random numbers: splitmix64, reproducible from the printed seed ---- */

static __u64 rng_state;

static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 rn(__u32 n) /* 0..n-1 */
{
	return n ? (__u32)(rnd() % n) : 0;
}

static bool chance(__u32 percent)
{
	return rn(100) < percent;
}

/* ---- results ---- */

static int n_fail;

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	n_fail += !ok;
}

/* clang-format off */
#define STATS_FIELDS(X)								\
	X(seen) X(non_ip) X(err_eth) X(err_vlan_depth) X(err_ip_trunc)		\
	X(err_ip_version) X(err_ip_ihl) X(err_ip_len) X(err_ipv6_ext)		\
	X(sampled) X(skipped) X(accounted) X(flows_created) X(cache_full)	\
	X(overflow) X(lost) X(l4_trunc) X(l4_bad_doff) X(fragments) X(ext_failed)
/* clang-format on */
#define STATS_COUNT_ONE(f) +1
_Static_assert(sizeof(struct tflow_stats) == (0 STATS_FIELDS(STATS_COUNT_ONE)) * sizeof(__u64),
	       "a counter was added to struct tflow_stats: list it in STATS_FIELDS");

static void stats_add(struct tflow_stats *dst, const struct tflow_stats *src)
{
#define STATS_ADD(f) dst->f += src->f;
	STATS_FIELDS(STATS_ADD)
#undef STATS_ADD
}

/* Prints every counter that differs; returns how many do. */
static int stats_diff(const char *what, const struct tflow_stats *got,
		      const struct tflow_stats *want)
{
	int n = 0;

#define STATS_CMP(f)                                                              \
	if (got->f != want->f) {                                                  \
		fprintf(stderr, "    %s." #f ": got %llu, want %llu\n", what,     \
			(unsigned long long)got->f, (unsigned long long)want->f); \
		n++;                                                              \
	}
	STATS_FIELDS(STATS_CMP)
#undef STATS_CMP
	return n;
}

/* ---- the reference parser ---- */

enum verdict {
	V_OK,
	V_NON_IP,
	V_ERR_ETH,
	V_ERR_VLAN_DEPTH,
	V_ERR_IP_TRUNC,
	V_ERR_IP_VERSION,
	V_ERR_IP_IHL,
	V_ERR_IP_LEN,
	V_ERR_IPV6_EXT,
};

static const char *const verdict_name[] = { "flow",	      "non_ip",	      "err_eth",
					    "err_vlan_depth", "err_ip_trunc", "err_ip_version",
					    "err_ip_ihl",     "err_ip_len",   "err_ipv6_ext" };

struct mpkt {
	struct tflow_key key;
	__u32 ip_len;
	__u16 hdr_len, l2_len;
	__u8 tcp_flags, tos, ttl;
	bool l4_trunc, l4_bad_doff, fragment;
};

static __u16 be16(const __u8 *b)
{
	return (__u16)(b[0] << 8 | b[1]);
}

/* Ports (or ICMP type/code) at l4; a short or bogus transport header leaves them 0. */
static void model_l4(const __u8 *b, size_t len, size_t l4, struct mpkt *p)
{
	size_t avail = len - l4, need;

	switch (p->key.proto) {
	case F_TCP:
		if (avail < 20) {
			p->l4_trunc = true;
			return;
		}
		if (b[l4 + 12] >> 4 < 5) {
			p->l4_bad_doff = true;
			return;
		}
		memcpy(&p->key.sport, b + l4, 2);
		memcpy(&p->key.dport, b + l4 + 2, 2);
		p->tcp_flags = b[l4 + 13];
		p->hdr_len += (b[l4 + 12] >> 4) * 4;
		return;
	case F_UDP:
	case F_UDPLITE:
	case F_SCTP:
		need = p->key.proto == F_SCTP ? 12 : 8;
		if (avail < need) {
			p->l4_trunc = true;
			return;
		}
		memcpy(&p->key.sport, b + l4, 2);
		memcpy(&p->key.dport, b + l4 + 2, 2);
		p->hdr_len += need;
		return;
	case F_ICMP:
	case F_ICMPV6: /* type * 256 + code in dport, whichever IP version carries it */
		if (avail < 4) {
			p->l4_trunc = true;
			return;
		}
		memcpy(&p->key.dport, b + l4, 2);
		return;
	}
}

static enum verdict model_ipv4(const __u8 *b, size_t len, size_t pos, struct mpkt *p)
{
	size_t hl;
	__u16 tot;

	if (pos + 20 > len)
		return V_ERR_IP_TRUNC;
	if (b[pos] >> 4 != 4)
		return V_ERR_IP_VERSION;
	hl = (b[pos] & 15) * 4u;
	if (hl < 20 || pos + hl > len)
		return V_ERR_IP_IHL;
	tot = be16(b + pos + 2);
	if (tot && tot < hl)
		return V_ERR_IP_LEN;
	p->key.family = 4;
	p->key.proto = b[pos + 9];
	p->key.src[10] = p->key.src[11] = p->key.dst[10] = p->key.dst[11] = 0xff;
	memcpy(p->key.src + 12, b + pos + 12, 4);
	memcpy(p->key.dst + 12, b + pos + 16, 4);
	p->ip_len = tot;
	p->hdr_len = hl;
	p->tos = b[pos + 1];
	p->ttl = b[pos + 8];
	if (be16(b + pos + 6) & 0x1fff)
		p->fragment = true; /* no transport header: ports 0 */
	else
		model_l4(b, len, pos + hl, p);
	return V_OK;
}

static enum verdict model_ipv6(const __u8 *b, size_t len, size_t pos, struct mpkt *p)
{
	size_t elen;
	__u8 nh;

	if (pos + 40 > len)
		return V_ERR_IP_TRUNC;
	if (b[pos] >> 4 != 6)
		return V_ERR_IP_VERSION;
	p->key.family = 6;
	memcpy(p->key.src, b + pos + 8, 16);
	memcpy(p->key.dst, b + pos + 24, 16);
	p->ip_len = be16(b + pos + 4) ? be16(b + pos + 4) + 40u : 0;
	p->tos = (__u8)((b[pos] & 0xf) << 4 | b[pos + 1] >> 4);
	p->ttl = b[pos + 7];
	p->hdr_len = 40;
	nh = b[pos + 6];
	pos += 40;
	/* Up to TFLOW_MAX_IPV6_EXT extension headers, then the transport header. */
	for (int i = 0; i <= TFLOW_MAX_IPV6_EXT; i++) {
		switch (nh) {
		case F_HOPOPTS:
		case F_ROUTING:
		case F_DSTOPTS:
		case 135: /* mobility */
			if (pos + 2 > len)
				return V_ERR_IPV6_EXT;
			elen = (b[pos + 1] + 1u) * 8;
			break;
		case F_AH:
			if (pos + 2 > len)
				return V_ERR_IPV6_EXT;
			elen = (b[pos + 1] + 2u) * 4;
			break;
		case F_FRAGMENT:
			if (pos + 8 > len)
				return V_ERR_IPV6_EXT;
			if (be16(b + pos + 2) & 0xfff8) {
				p->key.proto = b[pos];
				p->fragment = true;
				return V_OK;
			}
			elen = 8;
			break;
		default:
			p->key.proto = nh;
			model_l4(b, len, pos, p);
			return V_OK;
		}
		if (pos + elen > len)
			return V_ERR_IPV6_EXT;
		nh = b[pos];
		pos += elen;
		p->hdr_len += elen;
	}
	return V_ERR_IPV6_EXT;
}

static enum verdict model_parse(const __u8 *b, size_t len, struct mpkt *p)
{
	size_t pos = 14;
	__u16 proto;

	memset(p, 0, sizeof(*p));
	if (len < 14)
		return V_ERR_ETH;
	proto = be16(b + 12);
	for (int i = 0; i < TFLOW_MAX_VLAN_DEPTH; i++) {
		if (proto != F_ETH_P_8021Q && proto != F_ETH_P_8021AD)
			break;
		if (pos + 4 > len)
			return V_ERR_ETH;
		proto = be16(b + pos + 2);
		pos += 4;
	}
	if (proto == F_ETH_P_8021Q || proto == F_ETH_P_8021AD)
		return V_ERR_VLAN_DEPTH;
	p->l2_len = (__u16)pos;
	if (proto == F_ETH_P_IP)
		return model_ipv4(b, len, pos, p);
	if (proto == F_ETH_P_IPV6)
		return model_ipv6(b, len, pos, p);
	return V_NON_IP;
}

/* ---- the reference datapath: counters, sampler, flow table, overflow ring ---- */

struct frame {
	__u8 *b;
	__u16 len;
	__u8 prog;	   /* RUN_XDP or RUN_TC */
	__u16 gso_segs;	   /* tc only */
	__u16 gso_size;	   /* tc only */
	__u32 ingress_if;  /* tc only: __sk_buff ingress_ifindex */
	enum verdict want; /* filled by the reference */
};

struct mslot {
	bool used;
	struct tflow_key key;
	struct tflow_value val; /* first_ns/last_ns unused */
};

struct model {
	struct tflow_stats st;
	__u32 interval, space; /* tflow_config */
	__u64 pos;	       /* tflow_sampler of CPU 0 */
	struct mslot slot[MODEL_SLOTS];
	int nflows, cap;
	struct tflow_overflow_rec ring[MAX_RING_RECS];
	int nring, ring_cap;
};

static __u32 key_hash(const struct tflow_key *k)
{
	const __u8 *b = (const __u8 *)k;
	__u32 h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static struct mslot *model_find(struct model *m, const struct tflow_key *k, bool *found)
{
	__u32 i = key_hash(k) & (MODEL_SLOTS - 1);

	while (m->slot[i].used && memcmp(&m->slot[i].key, k, sizeof(*k)))
		i = (i + 1) & (MODEL_SLOTS - 1);
	*found = m->slot[i].used;
	return &m->slot[i];
}

static void model_reset(struct model *m, int cap, int ring_cap, __u32 interval, __u32 space)
{
	memset(m, 0, sizeof(*m));
	m->cap = cap;
	m->ring_cap = ring_cap;
	m->interval = interval;
	m->space = space;
}

static bool model_sample(struct model *m, __u32 weight)
{
	bool take;

	if (!m->interval || !m->space) {
		m->st.sampled += weight;
		return true;
	}
	take = m->pos < m->interval;
	if (++m->pos >= (__u64)m->interval + m->space)
		m->pos = 0;
	if (take)
		m->st.sampled += weight;
	else
		m->st.skipped += weight;
	return take;
}

static void model_run(struct model *m, struct frame *f)
{
	__u32 weight = f->prog == RUN_TC && f->gso_segs > 1 ? f->gso_segs : 1;
	__u64 *reason[] = { NULL,
			    &m->st.non_ip,
			    &m->st.err_eth,
			    &m->st.err_vlan_depth,
			    &m->st.err_ip_trunc,
			    &m->st.err_ip_version,
			    &m->st.err_ip_ihl,
			    &m->st.err_ip_len,
			    &m->st.err_ipv6_ext };
	__u32 peer_if, in_if, out_if;
	struct mslot *s;
	struct mpkt p;
	__u64 bytes;
	bool found;

	m->st.seen += weight;
	f->want = model_parse(f->b, f->len, &p);
	if (f->want != V_OK) {
		*reason[f->want] += weight;
		return;
	}
	m->st.l4_trunc += p.l4_trunc ? weight : 0;
	m->st.l4_bad_doff += p.l4_bad_doff ? weight : 0;
	m->st.fragments += p.fragment ? weight : 0;
	if (!model_sample(m, weight))
		return;
	bytes = p.ip_len ? p.ip_len : (__u32)(f->len - p.l2_len);
	if (f->prog == RUN_TC) {
		bytes += (__u64)(weight - 1) * p.hdr_len;
		p.key.dir = TFLOW_DIR_EGRESS;
		peer_if = in_if = f->ingress_if;
		out_if = LO;
	} else {
		p.key.dir = TFLOW_DIR_INGRESS;
		in_if = LO;
		peer_if = out_if = 0;
	}
	p.key.ifindex = LO;
	m->st.accounted += weight;
	s = model_find(m, &p.key, &found);
	if (found) {
		s->val.packets += weight;
		s->val.bytes += bytes;
		s->val.flags_tos_ttl |= p.tcp_flags;
		return;
	}
	if (m->nflows < m->cap) {
		s->used = true;
		s->key = p.key;
		s->val = (struct tflow_value){ .packets = weight,
					       .bytes = bytes,
					       .peer_ifindex = peer_if,
					       .flags_tos_ttl =
						       TFLOW_ATTRS(p.tcp_flags, p.tos, p.ttl) };
		m->nflows++;
		m->st.flows_created++;
		return;
	}
	m->st.cache_full++;
	if (m->nring >= m->ring_cap) {
		m->st.lost += weight;
		return;
	}
	m->st.overflow += weight;
	if (m->nring < MAX_RING_RECS)
		m->ring[m->nring] = (struct tflow_overflow_rec){ .key = p.key,
								 .bytes = (__u32)bytes,
								 .in_ifindex = in_if,
								 .out_ifindex = out_if,
								 .tcp_flags = p.tcp_flags,
								 .tos = p.tos,
								 .ttl = p.ttl,
								 .packets = weight };
	m->nring++;
}

/* ---- frame generation: valid frames from the builder, then mutated ---- */

static const char *const addr4[] = { "10.0.0.1",   "10.0.0.2",	      "192.0.2.1", "198.51.100.7",
				     "224.0.0.22", "255.255.255.255", "0.0.0.0" };
static const char *const addr6[] = { "2001:db8::1", "2001:db8::2", "fe80::1",
				     "ff02::16",    "::",	   "::ffff:10.0.0.1" };
static const __u16 ports[] = { 0, 53, 80, 443, 1000, 1001, 2055, 65535 };
static const __u8 ext_types[] = { F_HOPOPTS, F_ROUTING, F_DSTOPTS, F_FRAGMENT, F_AH, 135 };
static const __u8 protos4[] = { F_TCP, F_UDP, F_ICMP, F_SCTP, F_UDPLITE, F_GRE, F_IGMP, F_ICMPV6 };
static const __u8 protos6[] = { F_TCP, F_UDP, F_ICMPV6, F_SCTP, F_UDPLITE, F_GRE, F_ICMP, 59 };
static const __u16 ethertypes[] = { F_ETH_P_IP,	 F_ETH_P_IPV6, F_ETH_P_8021Q, F_ETH_P_8021AD,
				    F_ETH_P_ARP, 0x0000,       0xffff,	      0x88cc };
static const __u8 bytes8[] = { 0x00, 0xff, 0x80, 0x7f, 0x01, 0x05, 0x06, 0x0f,
			       0x11, 0x2c, 0x3a, 0x40, 0x45, 0x4f, 0x60, 0x86 };

#define PICK(a) ((a)[rn(sizeof(a) / sizeof((a)[0]))])

static __u16 rand_port(void)
{
	return chance(70) ? PICK(ports) : (__u16)rnd();
}

/* A frame the builder makes: mostly well formed, sometimes with odd but legal-looking fields. */
static size_t gen_valid(__u8 *out)
{
	struct fspec s = {};
	int ntags = chance(70) ? 0 : chance(50) ? 1 : chance(70) ? 2 : 3 + (int)rn(2);
	__u32 r = rn(100);

	for (int i = 0; i < ntags; i++)
		s.tpid[i] = chance(50) ? F_ETH_P_8021Q : F_ETH_P_8021AD;
	s.family = r < 45 ? 4 : r < 85 ? 6 : 0;
	if (chance(3))
		s.ethertype = PICK(ethertypes);
	s.tos = (__u8)rnd();
	s.ttl = (__u8)rn(256);
	s.sport = rand_port();
	s.dport = rand_port();
	s.tcp_flags = (__u8)rnd();
	s.doff = chance(85) ? 5 : (__u8)rn(16);
	s.icmp_type = chance(50) ? 8 : (__u8)rnd();
	s.icmp_code = chance(70) ? 0 : (__u8)rnd();
	s.payload = (__u16)(chance(60) ? rn(64) : rn(300));
	if (s.family == 4) {
		s.src = PICK(addr4);
		s.dst = PICK(addr4);
		s.proto = chance(90) ? PICK(protos4) : (__u8)rnd();
		s.ihl = chance(85) ? 5 : (__u8)(5 + rn(11));
		s.frag = chance(85) ? 0 : chance(50) ? F_IP_MF : (__u16)rnd();
	} else if (s.family == 6) {
		s.src = PICK(addr6);
		s.dst = PICK(addr6);
		s.proto = chance(90) ? PICK(protos6) : (__u8)rnd();
		s.next = chance(70) ? 0 : 1 + (int)rn(10); /* up to 10: beyond the limit of 8 */
		for (int i = 0; i < s.next; i++) {
			s.ext[i].type = PICK(ext_types);
			s.ext[i].hdrlen = (__u8)(chance(80) ? rn(2) : rn(5));
		}
		s.frag6 = chance(60) ? 0 : chance(50) ? 1 : (__u16)rnd();
	}
	if (chance(10)) {
		s.len_set = true;
		s.ip_len = chance(30) ? 0 : chance(50) ? (__u16)rn(64) : (__u16)rnd();
	}
	/* The builder asserts on FRAME_MAX: 14 + 16 + 40 + 10 * 40 + 60 + 300 stays below it. */
	return frame_build(&s, out, FRAME_MAX);
}

/* Where a mutation lands: mostly in the headers, sometimes anywhere. */
static size_t rand_pos(size_t len)
{
	if (!len)
		return 0;
	return chance(75) ? rn(len < 96 ? (__u32)len : 96) : rn((__u32)len);
}

static size_t mutate(__u8 *b, size_t len, size_t max)
{
	int n = chance(30) ? 0 : 1 + (int)rn(chance(80) ? 3 : 12);
	size_t pos, k;
	__u16 v;

	for (int i = 0; i < n; i++) {
		switch (rn(10)) {
		case 0: /* flip a bit */
			if (len)
				b[rand_pos(len)] ^= (__u8)(1u << rn(8));
			break;
		case 1: /* a random byte */
			if (len)
				b[rand_pos(len)] = (__u8)rnd();
			break;
		case 2: /* an interesting byte: versions, IHLs, protocol numbers, extremes */
			if (len)
				b[rand_pos(len)] = PICK(bytes8);
			break;
		case 3: /* an interesting 16-bit word: ethertypes, lengths */
			if (len >= 2) {
				pos = rand_pos(len - 1);
				v = chance(60) ? PICK(ethertypes) : (__u16)rn(80);
				b[pos] = (__u8)(v >> 8);
				b[pos + 1] = (__u8)v;
			}
			break;
		case 4: /* rewrite the version/IHL byte where an IP header may start */
			pos = 14 + 4 * rn(4);
			if (pos < len)
				b[pos] = (__u8)((chance(50) ? 0x40 : 0x60) | rn(16));
			break;
		case 5: /* truncate */
			len = chance(90) && len > 14 ? 14 + rn((__u32)(len - 14))
						     : rn((__u32)len + 1);
			break;
		case 6: /* extend with random bytes */
			k = chance(80) ? 1 + rn(64) : rn((__u32)(max - len + 1));
			if (len + k > max)
				k = max - len;
			for (size_t j = 0; j < k; j++)
				b[len + j] = (__u8)rnd();
			len += k;
			break;
		case 7: /* insert bytes */
			k = 1 + rn(8);
			pos = rand_pos(len);
			if (len + k <= max) {
				memmove(b + pos + k, b + pos, len - pos);
				for (size_t j = 0; j < k; j++)
					b[pos + j] = (__u8)rnd();
				len += k;
			}
			break;
		case 8: /* delete bytes */
			k = 1 + rn(8);
			pos = rand_pos(len);
			if (pos + k <= len) {
				memmove(b + pos, b + pos + k, len - pos - k);
				len -= k;
			}
			break;
		case 9: /* duplicate a header-sized chunk over another place (splice) */
			if (len > 16) {
				size_t from = rn((__u32)len - 8), to = rn((__u32)len - 8);

				k = 1 + rn(8);
				memmove(b + to, b + from, k);
			}
			break;
		}
	}
	return len;
}

static void gen_frame(struct frame *f, size_t max)
{
	bool noise = chance(4);
	size_t len;

	if (noise) { /* random bytes, mostly short */
		len = chance(80) ? 14 + rn(200) : 14 + rn((__u32)(max - 14 + 1));
		for (size_t i = 0; i < len; i++)
			f->b[i] = (__u8)rnd();
	} else {
		len = gen_valid(f->b);
		if (len > max)
			len = max;
		len = mutate(f->b, len, max);
	}
	/* Noise mostly, sometimes a mutated frame, behind an ethertype the parser acts on. */
	if (len >= 14 && (noise ? chance(70) : chance(2))) {
		__u16 v = PICK(ethertypes);

		f->b[12] = (__u8)(v >> 8);
		f->b[13] = (__u8)v;
	}
	/* test_run refuses frames under 14 bytes: keep a few to check they count nothing. */
	if (len < 14 && !chance(10))
		len = 14;
	f->len = (__u16)len;
	f->prog = chance(50) ? RUN_XDP : RUN_TC;
	f->gso_segs = 0;
	f->gso_size = 0;
	f->ingress_if = 0;
	if (f->prog == RUN_TC) {
		f->ingress_if = chance(50) ? 0 : chance(50) ? 42 : (__u32)rnd();
		if (chance(12)) {
			f->gso_segs = (__u16)(chance(80)   ? 2 + rn(8)
					      : chance(90) ? rn(2000)
							   : 65535);
			f->gso_size = (__u16)rn(1500);
		}
	}
}

/* ---- the real datapath ---- */

struct env {
	const char *name;
	struct tflow_bpf *skel;
	struct ring_buffer *rb;
	int ncpus, flows_cap, ring_cap;
	struct tflow_overflow_rec *recs;
	int nrecs, bad_sizes;
	struct ring_buffer *ext_rb; /* tflow_ext_ring */
	struct tflow_ext_rec *ext_recs;
	int n_ext, ext_bad_sizes;
	struct tflow_stats total; /* summed over every batch */
	int refused;		  /* short frames the kernel refused (refusable()) */
};

static int ring_collect(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct tflow_overflow_rec))
		e->bad_sizes++;
	else if (e->nrecs < MAX_RING_RECS)
		memcpy(&e->recs[e->nrecs], data, size);
	e->nrecs++;
	return 0;
}

static int ext_collect(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct tflow_ext_rec))
		e->ext_bad_sizes++;
	else if (e->n_ext < BATCH + 1)
		memcpy(&e->ext_recs[e->n_ext], data, size);
	e->n_ext++;
	return 0;
}

static int stats_read(struct env *e, struct tflow_stats *sum)
{
	struct tflow_stats *percpu = calloc(e->ncpus, sizeof(*percpu));
	__u32 zero = 0;
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.tflow_stats), &zero, percpu))
		err = -errno;
	for (int c = 0; !err && c < e->ncpus; c++)
		stats_add(sum, &percpu[c]);
	free(percpu);
	return err;
}

struct flow_entry {
	struct tflow_key key;
	struct tflow_value val;
};

/* Reads every entry of tflow_flows into out (room for max); returns how many, or -errno. */
static int flows_read(struct env *e, struct flow_entry *out, int max)
{
	int fd = bpf_map__fd(e->skel->maps.tflow_flows), n = 0;
	struct tflow_key key, *prev = NULL;

	while (n < max && !bpf_map_get_next_key(fd, prev, &out[n].key)) {
		if (bpf_map_lookup_elem(fd, &out[n].key, &out[n].val))
			return -errno;
		key = out[n++].key;
		prev = &key;
	}
	return n;
}

/*
 * Empties tflow_flows and both rings, zeroes counters and sampler, writes the config: sampling
 * as given, and the first-packet fields collected (one record on tflow_ext_ring a new flow).
 */
static int env_reset(struct env *e, struct flow_entry *scratch, __u32 interval, __u32 space)
{
	int fd = bpf_map__fd(e->skel->maps.tflow_flows), n, err = 0;
	void *zeros = calloc(e->ncpus, sizeof(struct tflow_stats));
	struct tflow_config cfg = { .sampling_interval = interval,
				    .sampling_space = space,
				    .collect = TFLOW_COLLECT_EXT };
	__u32 zero = 0;

	if (!zeros)
		return -ENOMEM;
	do {
		n = flows_read(e, scratch, BATCH);
		for (int i = 0; i < n && !err; i++)
			if (bpf_map_delete_elem(fd, &scratch[i].key))
				err = -errno;
	} while (n > 0 && !err);
	if (!err && n < 0)
		err = n;
	if (!err &&
	    (bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_stats), &zero, zeros, 0) ||
	     bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_sampler), &zero, zeros, 0) ||
	     bpf_map_update_elem(bpf_map__fd(e->skel->maps.tflow_config), &zero, &cfg, 0)))
		err = -errno;
	if (!err && (ring_buffer__consume(e->rb) < 0 || ring_buffer__consume(e->ext_rb) < 0))
		err = -errno;
	e->nrecs = 0;
	e->bad_sizes = 0;
	e->n_ext = 0;
	e->ext_bad_sizes = 0;
	free(zeros);
	return err;
}

/*
 * Frames test_run refuses that a real interface would never deliver: anything under 14 bytes,
 * and at tc (6.18) an skb whose ethertype says IPv4/IPv6 but which is shorter than that header.
 */
static bool refusable(const struct frame *f)
{
	__u16 proto = f->len >= 14 ? be16(f->b + 12) : 0;

	if (f->len < 14)
		return true;
	return f->prog == RUN_TC && ((proto == F_ETH_P_IP && f->len < 14 + 20) ||
				     (proto == F_ETH_P_IPV6 && f->len < 14 + 40));
}

/* Runs one frame; returns 0, 1 when the kernel refused a refusable frame, or -errno. */
static int run_frame(struct env *e, const struct frame *f, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b, .data_size_in = f->len);
	struct __sk_buff skb = { .ifindex = LO,
				 .ingress_ifindex = f->ingress_if,
				 .gso_segs = f->gso_segs,
				 .gso_size = f->gso_size };
	struct xdp_md xdp = { .data = 0, .data_end = f->len, .ingress_ifindex = LO };
	int fd, err;

	if (f->prog == RUN_TC) {
		fd = bpf_program__fd(e->skel->progs.tflow_tc_egress);
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		fd = bpf_program__fd(e->skel->progs.tflow_xdp);
		opts.ctx_in = &xdp;
		opts.ctx_size_in = sizeof(xdp);
	}
	err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
	if (err == -EINVAL && refusable(f))
		return 1;
	*retval = opts.retval;
	return err;
}

static int env_open(struct env *e, const char *name, bool small, char *why, size_t why_size)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->name = name;
	e->ncpus = libbpf_num_possible_cpus();
	e->recs = calloc(MAX_RING_RECS, sizeof(*e->recs));
	e->ext_recs = calloc(BATCH + 1, sizeof(*e->ext_recs));
	if (e->ncpus <= 0 || !e->recs || !e->ext_recs) {
		snprintf(why, why_size, "libbpf_num_possible_cpus %d or calloc", e->ncpus);
		return -EINVAL;
	}
	e->skel = tflow_bpf__open();
	if (!e->skel) {
		err = -errno;
		snprintf(why, why_size, "tflow_bpf__open: %s", strerror(-err));
		return err;
	}
	e->flows_cap = small ? SMALL_FLOWS : BIG_FLOWS;
	/* A record takes 8 bytes of ring header + 80; the default ring never fills in a batch. */
	e->ring_cap =
		small ? getpagesize() / (8 + (int)sizeof(struct tflow_overflow_rec)) : 1 << 30;
	err = bpf_map__set_max_entries(e->skel->maps.tflow_flows, e->flows_cap);
	if (!err)
		err = bpf_map__set_max_entries(e->skel->maps.tflow_ext_ring, EXT_RING);
	if (!err && small)
		err = bpf_map__set_max_entries(e->skel->maps.tflow_overflow, getpagesize());
	if (!err)
		err = tflow_bpf__load(e->skel);
	if (err) {
		snprintf(why, why_size, "load %s skeleton: %s", name, strerror(-err));
		return err;
	}
	e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.tflow_overflow), ring_collect, e, NULL);
	if (!e->rb) {
		err = -errno;
		snprintf(why, why_size, "ring_buffer__new: %s", strerror(-err));
		return err;
	}
	e->ext_rb =
		ring_buffer__new(bpf_map__fd(e->skel->maps.tflow_ext_ring), ext_collect, e, NULL);
	if (!e->ext_rb) {
		err = -errno;
		snprintf(why, why_size, "ring_buffer__new tflow_ext_ring: %s", strerror(-err));
		return err;
	}
	return 0;
}

static void env_close(struct env *e)
{
	ring_buffer__free(e->ext_rb);
	ring_buffer__free(e->rb);
	tflow_bpf__destroy(e->skel);
	free(e->ext_recs);
	free(e->recs);
}

/* The longest frame test_run takes for prog. */
static size_t probe_max_len(struct env *e, __u8 prog)
{
	static __u8 buf[8192];
	struct frame f = { .b = buf, .prog = prog };
	size_t lo = 14, hi = sizeof(buf);
	__u32 rv;

	memset(buf, 0, sizeof(buf));
	buf[12] = 0x08;
	buf[13] = 0x06; /* ARP: counts as non_ip and nothing else */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		f.len = (__u16)mid;
		if (run_frame(e, &f, &rv) == 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * The longest frame XDP sees whole. test_run hands a longer one over as multi-buffer, and a
 * program without xdp.frags sees only its linear part; on an interface the kernel never gives
 * such a program a frame longer than that. Measured with an IPv4 frame whose tot_len is 0: the
 * flow's bytes are then what the program saw.
 */
static size_t probe_xdp_linear(struct env *e, size_t max, struct flow_entry *scratch)
{
	static __u8 buf[8192];
	struct frame f = { .b = buf, .prog = RUN_XDP };
	size_t lo = 64, hi = max;
	__u32 rv;

	memset(buf, 0, sizeof(buf));
	buf[12] = 0x08;
	buf[14] = 0x45;
	buf[23] = F_GRE;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		bool whole;

		f.len = (__u16)mid;
		if (env_reset(e, scratch, 0, 0) || run_frame(e, &f, &rv) ||
		    flows_read(e, scratch, 2) != 1)
			return 0;
		whole = scratch[0].val.bytes == mid - 14;
		if (whole)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* ---- checking a batch ---- */

static void hexdump(const __u8 *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x%s", i % 32 ? "" : "      ", b[i],
			i % 32 == 31 || i + 1 == len ? "\n" : "");
}

static void frame_print(const struct frame *f, int idx)
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
static int flows_compare(struct env *e, struct model *m, struct flow_entry *got, __u64 t0, __u64 t1,
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
static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct tally {
	long runs, errors, verdicts;
	long batches, identity_bad, stats_bad, flows_bad;
	int reports;
};

/* Replays a failing batch frame by frame and names the first frame the counters disagree on. */
static void batch_bisect(struct env *e, struct frame *fr, int n, __u32 interval, __u32 space,
			 struct model *m, struct flow_entry *scratch)
{
	struct tflow_stats got;
	__u32 rv;

	if (env_reset(e, scratch, interval, space))
		return;
	model_reset(m, e->flows_cap, e->ring_cap, interval, space);
	for (int i = 0; i < n; i++) {
		int r = run_frame(e, &fr[i], &rv);

		if (r != 1)
			model_run(m, &fr[i]);
		if (stats_read(e, &got))
			return;
		if (memcmp(&got, &m->st, sizeof(got))) {
			fprintf(stderr, "    first frame whose counters differ:\n");
			frame_print(&fr[i], i);
			stats_diff("after it", &got, &m->st);
			return;
		}
	}
	fprintf(stderr,
		"    the replay's counters agree frame by frame (flow map or ring differ)\n");
}

static void batch_run(struct env *e, struct frame *fr, int n, struct model *m,
		      struct flow_entry *scratch, struct tally *t)
{
	__u32 interval = 0, space = 0, rv;
	struct tflow_stats got;
	__u64 t0, t1, map_packets = 0, parsed_out;
	int bad_stats, bad_flows;
	bool identity;

	/* Sampling on in a third of the batches, so `skipped` is exercised too. */
	if (chance(33)) {
		interval = 1 + rn(5);
		space = rn(6);
	}
	if (env_reset(e, scratch, interval, space)) {
		fprintf(stderr, "# %s: reset failed: %s\n", e->name, strerror(errno));
		t->stats_bad++;
		return;
	}
	model_reset(m, e->flows_cap, e->ring_cap, interval, space);
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		int r = run_frame(e, &fr[i], &rv);

		t->runs++;
		if (r < 0) {
			if (t->errors++ < MAX_REPORTS) {
				fprintf(stderr, "# %s: bpf_prog_test_run_opts: %s\n", e->name,
					strerror(-r));
				frame_print(&fr[i], i);
			}
			continue;
		}
		if (r == 1) {
			e->refused++;
			continue;
		}
		model_run(m, &fr[i]);
		if (rv != (fr[i].prog == RUN_TC ? 0 /* TC_ACT_OK */ : XDP_PASS) &&
		    t->verdicts++ < MAX_REPORTS) {
			fprintf(stderr, "# %s: verdict %u\n", e->name, rv);
			frame_print(&fr[i], i);
		}
	}
	t1 = now_ns();
	t->batches++;
	if (stats_read(e, &got)) {
		t->stats_bad++;
		return;
	}
	stats_add(&e->total, &got);
	bad_flows = flows_compare(e, m, scratch, t0, t1, &map_packets);
	parsed_out = got.non_ip + got.err_eth + got.err_vlan_depth + got.err_ip_trunc +
		     got.err_ip_version + got.err_ip_ihl + got.err_ip_len + got.err_ipv6_ext;
	identity = got.seen == m->st.seen && got.seen == parsed_out + got.skipped + got.accounted &&
		   got.accounted == got.sampled &&
		   got.accounted == map_packets + got.overflow + got.lost;
	if (!identity) {
		t->identity_bad++;
		fprintf(stderr,
			"# %s: identities broken: frames %llu seen %llu = non_ip+err %llu + "
			"skipped %llu + accounted %llu; sampled %llu; map %llu + overflow %llu + "
			"lost %llu\n",
			e->name, (unsigned long long)m->st.seen, (unsigned long long)got.seen,
			(unsigned long long)parsed_out, (unsigned long long)got.skipped,
			(unsigned long long)got.accounted, (unsigned long long)got.sampled,
			(unsigned long long)map_packets, (unsigned long long)got.overflow,
			(unsigned long long)got.lost);
	}
	bad_stats = memcmp(&got, &m->st, sizeof(got)) != 0;
	t->stats_bad += bad_stats;
	t->flows_bad += bad_flows != 0;
	if ((bad_stats || bad_flows || !identity) && t->reports++ < MAX_REPORTS) {
		fprintf(stderr, "# %s: batch %ld (sampling %u/%u) differs from the reference\n",
			e->name, t->batches, interval, space);
		stats_diff("stats", &got, &m->st);
		batch_bisect(e, fr, n, interval, space, m, scratch);
	}
}

static bool pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_bpf [--seed N] [--frames N]\n"
			"  environment: FUZZ_SEED (a number, or 'random'), FUZZ_FRAMES\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *seed_s = getenv("FUZZ_SEED"), *frames_s = getenv("FUZZ_FRAMES");
	struct env big = {}, small = {};
	struct frame *fr = calloc(BATCH, sizeof(*fr));
	struct flow_entry *scratch = calloc(BATCH + 1, sizeof(*scratch));
	struct model *m = calloc(1, sizeof(*m));
	__u8 *pool = calloc(BATCH, LEN_CAP);
	struct tally tb = {}, ts = {};
	size_t max_xdp, max_tc, max;
	long frames = DEFAULT_FRAMES;
	__u64 seed = DEFAULT_SEED;
	char why[160] = "";
	time_t start = time(NULL);

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--seed"))
			seed_s = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--frames"))
			frames_s = argv[++i];
		else
			usage();
	}
	if (seed_s && !strcmp(seed_s, "random"))
		seed = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	else if (seed_s)
		seed = strtoull(seed_s, NULL, 0);
	if (frames_s)
		frames = strtol(frames_s, NULL, 0);
	rng_state = seed;
	printf("# fuzz_bpf: seed %llu, %ld frames (override: --seed N / FUZZ_SEED, --frames N)\n",
	       (unsigned long long)seed, frames);
	libbpf_set_print(libbpf_print);
	if (!fr || !scratch || !m || !pool || frames <= 0) {
		printf("not ok - fuzz_bpf: setup (out of memory or bad --frames)\n");
		return 1;
	}
	if (geteuid() != 0) {
		printf("not ok - fuzz_bpf: setup (needs root for BPF_PROG_TEST_RUN)\n");
		return 1;
	}
	/* The sampler and the counters are per CPU: one CPU makes the sequence the reference's. */
	if (!pin_cpu(0)) {
		printf("not ok - fuzz_bpf: setup (sched_setaffinity cpu 0: %s)\n", strerror(errno));
		return 1;
	}
	if (env_open(&big, "xdp+tc", false, why, sizeof(why)) ||
	    env_open(&small, "xdp+tc, cache full", true, why, sizeof(why))) {
		printf("not ok - fuzz_bpf: setup (%s)\n", why);
		return 1;
	}
	max_xdp = probe_max_len(&big, RUN_XDP);
	max_tc = probe_max_len(&big, RUN_TC);
	max = probe_xdp_linear(&big, max_xdp, scratch);
	printf("# test_run takes frames up to %zu bytes (xdp; %zu seen whole) and %zu (tc)\n",
	       max_xdp, max, max_tc);
	max = max < max_tc ? max : max_tc;
	max = max < LEN_CAP ? max : LEN_CAP;
	if (max < 1518) {
		/* The XDP probe counts on an IPv4 frame with tot_len 0 making one flow of its size.
		 */
		printf("not ok - fuzz_bpf: setup (frames of %zu bytes at most: the XDP length probe "
		       "failed, or the datapath miscounts tot_len 0)\n",
		       max);
		return 1;
	}
	for (int i = 0; i < BATCH; i++)
		fr[i].b = pool + (size_t)i * LEN_CAP;

	/* Four batches in five through the roomy cache, one through the tiny one. */
	for (long done = 0, b = 0; done < frames; b++) {
		int n = frames - done < BATCH ? (int)(frames - done) : BATCH;
		bool tiny = b % 5 == 4;

		for (int i = 0; i < n; i++)
			gen_frame(&fr[i], max);
		batch_run(tiny ? &small : &big, fr, n, m, scratch, tiny ? &ts : &tb);
		done += n;
	}

	struct tflow_stats all = big.total;
	long runs = tb.runs + ts.runs, refused = big.refused + small.refused;

	stats_add(&all, &small.total);
	printf("# %ld runs (%ld refused by test_run: short frames), %llu wire packets, %ld s\n",
	       runs, refused, (unsigned long long)all.seen, (long)(time(NULL) - start));
	fprintf(stderr,
		"# totals: non_ip %llu err_eth %llu err_vlan_depth %llu err_ip_trunc %llu "
		"err_ip_version %llu err_ip_ihl %llu err_ip_len %llu err_ipv6_ext %llu skipped %llu "
		"accounted %llu l4_trunc %llu l4_bad_doff %llu fragments %llu\n",
		(unsigned long long)all.non_ip, (unsigned long long)all.err_eth,
		(unsigned long long)all.err_vlan_depth, (unsigned long long)all.err_ip_trunc,
		(unsigned long long)all.err_ip_version, (unsigned long long)all.err_ip_ihl,
		(unsigned long long)all.err_ip_len, (unsigned long long)all.err_ipv6_ext,
		(unsigned long long)all.skipped, (unsigned long long)all.accounted,
		(unsigned long long)all.l4_trunc, (unsigned long long)all.l4_bad_doff,
		(unsigned long long)all.fragments);
	result(!tb.errors && !ts.errors,
	       "fuzz_bpf: %ld frames through XDP and tc, no test_run error", runs);
	result(!tb.verdicts && !ts.verdicts,
	       "fuzz_bpf: every verdict is XDP_PASS / TC_ACT_OK (seed %llu)",
	       (unsigned long long)seed);
	result(!tb.identity_bad && !ts.identity_bad,
	       "fuzz_bpf: seen == frames == non_ip + err_* + skipped + accounted, accounted == "
	       "map + overflow + lost, in each of %ld batches",
	       tb.batches + ts.batches);
	result(!tb.stats_bad && !ts.stats_bad,
	       "fuzz_bpf: every counter equals the reference parser's, batch by batch");
	result(!tb.flows_bad && !ts.flows_bad,
	       "fuzz_bpf: flow map and overflow ring equal the reference's, entry by entry; one "
	       "tflow_ext_ring record for each flow, none else");
	result(all.non_ip && all.err_eth && all.err_vlan_depth && all.err_ip_trunc &&
		       all.err_ip_version && all.err_ip_ihl && all.err_ip_len && all.err_ipv6_ext &&
		       all.skipped && all.l4_trunc && all.l4_bad_doff && all.fragments &&
		       all.flows_created,
	       "fuzz_bpf: the frames reached every counter (each reason, skipped, l4, fragments)");
	result(small.total.cache_full && small.total.overflow && small.total.lost,
	       "fuzz_bpf: the tiny cache took the overflow ring and lost paths (%llu, %llu, %llu)",
	       (unsigned long long)small.total.cache_full, (unsigned long long)small.total.overflow,
	       (unsigned long long)small.total.lost);
	env_close(&small);
	env_close(&big);
	free(pool);
	free(m);
	free(scratch);
	free(fr);
	return n_fail ? 1 : 0;
}
