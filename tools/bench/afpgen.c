/* SPDX-License-Identifier: GPL-2.0-only */
/* afpgen.c - UDP into a veth as skbs: AF_PACKET, qdisc bypassed, sendmmsg (xdpgen's frames). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include "frames.h"
#include "gen.h"

/*
 * The frames are xdpgen's (frames.h, ports as driver.bpf.c's retag() writes them: flow i has UDP
 * source port i & 0xffff and destination port (i >> 16) & 0xffff), optionally padded to --size
 * with a zero UDP payload. Each goes out of the interface through the driver directly
 * (PACKET_QDISC_BYPASS), so on a veth it is an skb handed to the peer, the path the stack's own
 * traffic takes. The peer's receive path runs on our CPU: after each frame the kernel re-enables
 * bottom halves and runs the softirq that the veth raised.
 */
#define SIZE_MAX_LEN 1514
#define BATCH_MAX 1024
#define STUCK_CALLS 100000 /* consecutive calls that sent nothing: the device takes no frames */

/* xdpgen's 64-byte UDP/IPv4 frame, grown to len bytes: IPv4 and UDP lengths, IPv4 checksum. */
static void frame_make(__u8 *out, size_t len, const __u8 dmac[6], const __u8 smac[6])
{
	__u8 f[SIZE_MAX_LEN] = { 0 }, *ip = f + 14, *udp = ip + 20;
	__u32 sum = 0;

	frame_build(f, 4, dmac, smac); /* writes FRAME_MAX_LEN bytes, more than len may be */
	frame_put16(ip + 2, len - 14);
	frame_put16(ip + 10, 0);
	for (int i = 0; i < 20; i += 2)
		sum += (ip[i] << 8) | ip[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	frame_put16(ip + 10, ~sum & 0xffff);
	frame_put16(udp + 4, len - 14 - 20);
	memcpy(out, f, len);
}

static void usage(FILE *f)
{
	fputs("usage: afpgen --dev IF --dst-mac MAC [--flows N] [--first N]\n"
	      "              [--count N | --seconds S] [--size B] [--batch N] [--cpu N]\n"
	      "  UDP/IPv4 10.98.0.0 -> 10.99.0.2, flow i in the ports (source i & 0xffff,\n"
	      "  destination i >> 16); --flows 0: a new flow every frame.\n"
	      "  --size: frame bytes, 64 (default) to 1514; --batch: frames per sendmmsg,\n"
	      "  1 to 1024 (default 256); --cpu: pin to that CPU.\n"
	      "Prints `sent N frames in S s: P pps, cpu C s` (C: this thread's CPU time).\n",
	      f);
}

struct gen {
	__u64 next, first;
	__u32 flows;
};

/* The next flow's ports into frame f, as retag() in driver.bpf.c numbers them. */
static void gen_retag(struct gen *g, __u8 *f)
{
	__u64 i = g->next + g->first;

	g->next++;
	if (g->flows && g->next >= g->flows)
		g->next = 0;
	frame_put16(f + 14 + 20, i & 0xffff);
	frame_put16(f + 14 + 20 + 2, (i >> 16) & 0xffff);
}

/* What the options ask for; g counts the flows off as the frames go. */
struct opts {
	const char *dev;
	__u8 dmac[6];
	struct gen g;
	double seconds;
	__u64 count;
	unsigned long size, batch;
	int cpu;
};

/* The options into o; -1 when they are good, else the exit status (0 after --help). */
static int opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "flows", required_argument, NULL, 'f' },
		{ "first", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'S' },
		{ "batch", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:m:f:F:c:s:S:b:C:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'm':
			if (gen_parse_mac(optarg, o->dmac)) {
				fprintf(stderr, "afpgen: --dst-mac: aa:bb:cc:dd:ee:ff\n");
				return 2;
			}
			break;
		case 'f':
			o->g.flows = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			o->g.first = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			o->count = strtoull(optarg, NULL, 0);
			break;
		case 's':
			o->seconds = atof(optarg);
			break;
		case 'S':
			o->size = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			o->batch = strtoul(optarg, NULL, 0);
			break;
		case 'C':
			o->cpu = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o->dev || (!o->count && o->seconds <= 0)) {
		usage(stderr);
		return 2;
	}
	if (o->size < FRAME_V4_LEN || o->size > SIZE_MAX_LEN) {
		fprintf(stderr, "afpgen: --size %lu: 64 to %d bytes\n", o->size, SIZE_MAX_LEN);
		return 2;
	}
	if (o->batch < 1 || o->batch > BATCH_MAX) {
		fprintf(stderr, "afpgen: --batch %lu: 1 to %d frames\n", o->batch, BATCH_MAX);
		return 2;
	}
	return -1;
}

/*
 * Pin to --cpu, then open the AF_PACKET socket that sends on --dev past the qdisc (sll: its
 * address). The socket, or -1 after saying why not.
 */
static int afp_open(const struct opts *o, struct sockaddr_ll *sll)
{
	int fd, one = 1;

	if (o->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "afpgen: --cpu %d: %s\n", o->cpu, strerror(errno));
			return -1;
		}
	}
	sll->sll_ifindex = if_nametoindex(o->dev);
	if (!sll->sll_ifindex) {
		fprintf(stderr, "afpgen: %s: no such interface\n", o->dev);
		return -1;
	}
	/* Protocol 0: the socket receives nothing, so it adds no tap to any receive path. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "afpgen: socket(AF_PACKET, SOCK_RAW): %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		fprintf(stderr, "afpgen: PACKET_QDISC_BYPASS: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Send --count frames or for --seconds, a batch of them per sendmmsg, then print what was sent.
 * 0, or -errno when the device would not take them.
 */
static int send_frames(int fd, struct opts *o, __u8 *frames, struct mmsghdr *msgs)
{
	__u64 count = o->count, sent = 0, t0, t1, c0, stuck = 0;
	unsigned long size = o->size, batch = o->batch;
	__u32 pending = 0, done = 0;
	int err = 0;

	c0 = gen_cpu_ns();
	t0 = gen_now_ns();
	t1 = t0;
	while (count ? sent < count : (t1 - t0) < o->seconds * 1e9) {
		int n;

		/* A new batch once the last one is all out: frames the device refused go again. */
		if (done == pending) {
			pending = count && count - sent < batch ? count - sent : batch;
			done = 0;
			for (__u32 i = 0; i < pending; i++)
				gen_retag(&o->g, frames + i * size);
		}
		n = sendmmsg(fd, msgs + done, pending - done, 0);
		t1 = gen_now_ns();
		if (n > 0) {
			done += n;
			sent += n;
			stuck = 0;
			continue;
		}
		/* ENOBUFS: the driver dropped a frame (veth: the peer's ring was full). */
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			err = -errno;
			fprintf(stderr, "afpgen: sendmmsg: %s\n", strerror(errno));
			break;
		}
		if (++stuck == STUCK_CALLS) {
			err = -ENOBUFS;
			fprintf(stderr, "afpgen: %s takes no frames (%d calls)\n", o->dev,
				STUCK_CALLS);
			break;
		}
	}
	printf("sent %llu frames in %.3f s: %.0f pps, cpu %.3f s\n", (unsigned long long)sent,
	       (t1 - t0) / 1e9, t1 > t0 ? sent / ((t1 - t0) / 1e9) : 0, (gen_cpu_ns() - c0) / 1e9);
	return err;
}

int main(int argc, char **argv)
{
	struct opts o = { .g = { .flows = 1 }, .size = FRAME_V4_LEN, .batch = 256, .cpu = -1 };
	__u8 smac[6] = { 0x02, 0, 0, 0, 0, 1 }, *frames;
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	int err, fd;

	err = opts_parse(argc, argv, &o);
	if (err >= 0)
		return err;
	fd = afp_open(&o, &sll);
	if (fd < 0)
		return 1;
	frames = calloc(o.batch, o.size);
	msgs = calloc(o.batch, sizeof(*msgs));
	iov = calloc(o.batch, sizeof(*iov));
	if (!frames || !msgs || !iov) {
		fprintf(stderr, "afpgen: out of memory\n");
		close(fd);
		return 1;
	}
	for (__u32 i = 0; i < o.batch; i++) {
		frame_make(frames + i * o.size, o.size, o.dmac, smac);
		iov[i].iov_base = frames + i * o.size;
		iov[i].iov_len = o.size;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	err = send_frames(fd, &o, frames, msgs);
	free(iov);
	free(msgs);
	free(frames);
	close(fd);
	return err ? 1 : 0;
}
