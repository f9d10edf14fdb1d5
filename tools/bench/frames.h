/* SPDX-License-Identifier: GPL-2.0-only */
/* frames.h - the bench's crafted frames: Ethernet + IPv4/IPv6 + UDP, sizes as on the wire. */
#ifndef TFLOW_BENCH_FRAMES_H
#define TFLOW_BENCH_FRAMES_H

#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>

#define FRAME_V4_LEN 64 /* the minimum Ethernet frame without FCS: 14 + 20 + 8 + 22 */
#define FRAME_V6_LEN 84 /* 14 + 40 + 8 + 22 */
#define FRAME_MAX_LEN 128

static inline void frame_put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Destination 10.99.0.2 (fd99::2), UDP 1024 -> 9; flow 0 of the bench driver's numbering. */
static inline size_t frame_build(__u8 *f, int family, const __u8 dmac[6], const __u8 smac[6])
{
	size_t len = family == 4 ? FRAME_V4_LEN : FRAME_V6_LEN;
	__u8 *ip = f + 14, *udp;

	memset(f, 0, FRAME_MAX_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	if (family == 4) {
		__u32 sum = 0;

		frame_put16(f + 12, 0x0800);
		ip[0] = 0x45;
		frame_put16(ip + 2, len - 14);
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = 10, ip[13] = 98, ip[14] = 0, ip[15] = 0;
		ip[16] = 10, ip[17] = 99, ip[18] = 0, ip[19] = 2;
		for (int i = 0; i < 20; i += 2)
			sum += (ip[i] << 8) | ip[i + 1];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		frame_put16(ip + 10, ~sum & 0xffff);
		udp = ip + 20;
	} else {
		static const __u8 src[16] = { 0xfd, 0x98 }, dst[16] = { 0xfd, 0x99, [15] = 2 };

		frame_put16(f + 12, 0x86dd);
		ip[0] = 0x60;
		frame_put16(ip + 4, len - 14 - 40);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		udp = ip + 40;
	}
	frame_put16(udp, 0);
	frame_put16(udp + 2, 9);
	frame_put16(udp + 4, len - (udp - f));
	return len;
}

#endif
