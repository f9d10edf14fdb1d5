/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_bpf_gen.c - fuzz_bpf's frames: valid ones from the builder, then mutated, at random. */
#include "fuzz_bpf.h"

/* ---- random numbers: splitmix64, reproducible from the printed seed ---- */

__u64 rng_state;

static __u64 rnd(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

__u32 rn(__u32 n) /* 0..n-1 */
{
	return n ? (__u32)(rnd() % n) : 0;
}

bool chance(__u32 percent)
{
	return rn(100) < percent;
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

void gen_frame(struct frame *f, size_t max)
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
