/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen.c - a fast, deterministic flow generator for the exactness e2e tests (test_exact_*.sh).
 *
 * Compiled by the test into its work directory (gcc -O2); run inside a namespace. It sends
 * prebuilt Ethernet/IPv4 frames on a raw AF_PACKET socket with sendmmsg, many times faster than
 * scapy. A send the kernel refuses (ENOBUFS: the veth's peer ring was full) is retried, so every
 * packet counted as sent left the socket once.
 *
 *   gen IFACE DSTMAC DSTIP [options]
 *	--proto udp|syn    UDP datagrams (default) or TCP SYNs (no options, window 64240)
 *	--dport N          destination port (default 7000)
 *	--payload N        UDP payload bytes (default 18: IP length 46, a 60-byte frame)
 *	--flows N          N distinct flows (0: every packet a new flow, up to 2^24, for a storm)
 *	--second K         after one packet of each of the N flows, a second packet of every K-th
 *			   flow (i % K == 0); 0: none
 *	--loop             cycle over the N flows until --duration or SIGTERM/SIGINT
 *	--bypass           PACKET_QDISC_BYPASS: a little faster, but packet sockets on the sending
 *			   interface (tcpdump) no longer see the frames
 *	--duration S       stop after S seconds (fractions allowed)
 *	--rate PPS         pace to PPS packets a second (0: as fast as possible)
 *	--batch N          frames per sendmmsg (default 64)
 *	--seed N           varies which addresses and ports the flows get (default 1)
 *
 * Flow i gets source address 10.78.a.b and a source port from a bijection of i on 24 bits, so
 * the first 2^24 flows are distinct (source addresses and ports look random). 10.78.0.0/16 is
 * routed nowhere in the receiving namespace: nothing is sent back (no ICMP, no RST).
 *
 * Output (stdout, one line at the end): sent=N bytes=B retries=R flows=F elapsed=S pps=P
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH 256
#define FRAME_MAX 1514

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Flow i -> source address (host order) and source port: injective for i < 2^24. */
static void flow_of(uint32_t i, uint32_t seed, uint32_t *saddr, uint16_t *sport)
{
	uint32_t j = (i * 2654435761u + seed * 40503u) & 0xffffff; /* odd multiplier: a bijection */

	*saddr = (10u << 24) | (78u << 16) | (j >> 8);			 /* 10.78.a.b: bits 8..23 */
	*sport = (uint16_t)((j & 0xff) << 8 | (((j >> 16) ^ 0xa5) | 1)); /* bits 0..7 (+ noise) */
}

struct opts {
	const char *ifname;
	uint8_t dmac[6], smac[6];
	uint32_t daddr; /* host order */
	int syn;
	uint16_t dport;
	int payload;
	uint32_t flows, second, seed;
	int loop, batch, bypass;
	double duration, rate;
};

/* Build the frame of packet number n; returns its length and sets *flow (-1: no more packets). */
static int build(const struct opts *o, uint64_t n, uint8_t *f, int64_t *flow)
{
	uint64_t i;
	uint32_t saddr;
	uint16_t sport;
	int l4len, iplen;

	if (o->flows == 0) {
		if (n >= (1u << 24)) {
			*flow = -1;
			return 0;
		}
		i = n;
	} else if (o->loop) {
		i = n % o->flows;
	} else if (n < o->flows) {
		i = n;
	} else if (o->second && (n - o->flows) * o->second < o->flows) {
		i = (n - o->flows) * o->second;
	} else {
		*flow = -1;
		return 0;
	}
	*flow = (int64_t)i;
	flow_of((uint32_t)i, o->seed, &saddr, &sport);
	memcpy(f, o->dmac, 6);
	memcpy(f + 6, o->smac, 6);
	put16(f + 12, ETH_P_IP);
	uint8_t *ip = f + 14, *l4 = ip + 20;

	l4len = o->syn ? 20 : 8 + o->payload;
	iplen = 20 + l4len;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, iplen);
	put16(ip + 4, (uint16_t)n);
	ip[8] = 64;
	ip[9] = o->syn ? 6 : 17;
	uint32_t sa = htonl(saddr), da = htonl(o->daddr);

	memcpy(ip + 12, &sa, 4);
	memcpy(ip + 16, &da, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	memset(l4, 0, l4len);
	put16(l4, sport);
	put16(l4 + 2, o->dport);
	if (o->syn) {
		uint32_t seq = (uint32_t)(n * 2246822519u + 7);

		l4[4] = seq >> 24;
		l4[5] = seq >> 16;
		l4[6] = seq >> 8;
		l4[7] = seq;
		l4[12] = 5 << 4;
		l4[13] = 0x02; /* SYN */
		put16(l4 + 14, 64240);
	} else {
		put16(l4 + 4, l4len);
		for (int k = 0; k < o->payload; k++)
			l4[8 + k] = (uint8_t)(k + n);
		/* UDP checksum 0: none (IPv4) */
	}
	if (o->syn) {
		uint32_t s = 0;

		s = csum_add(s, ip + 12, 8);
		s += 6 + l4len;
		s = csum_add(s, l4, l4len);
		put16(l4 + 16, csum_fold(s));
	}
	return 14 + iplen;
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6
		       ? 0
		       : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen IFACE DSTMAC DSTIP [--proto udp|syn] [--dport N] [--payload N]"
		" [--flows N] [--second K] [--loop] [--bypass] [--duration S] [--rate PPS] [--batch N]"
		" [--seed N]\n");
	exit(2);
}

/* The command line into *o (the defaults set by the caller); usage() on anything wrong. */
static void parse_args(int argc, char **argv, struct opts *o)
{
	struct in_addr a;

	if (argc < 4)
		usage();
	o->ifname = argv[1];
	if (parse_mac(argv[2], o->dmac) || inet_pton(AF_INET, argv[3], &a) != 1)
		usage();
	o->daddr = ntohl(a.s_addr);
	for (int k = 4; k < argc; k++) {
		const char *opt = argv[k];
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (!strcmp(opt, "--loop")) {
			o->loop = 1;
			continue;
		}
		if (!strcmp(opt, "--bypass")) {
			o->bypass = 1;
			continue;
		}
		if (!v)
			usage();
		k++;
		if (!strcmp(opt, "--proto"))
			o->syn = !strcmp(v, "syn");
		else if (!strcmp(opt, "--dport"))
			o->dport = atoi(v);
		else if (!strcmp(opt, "--payload"))
			o->payload = atoi(v);
		else if (!strcmp(opt, "--flows"))
			o->flows = strtoul(v, NULL, 0);
		else if (!strcmp(opt, "--second"))
			o->second = strtoul(v, NULL, 0);
		else if (!strcmp(opt, "--duration"))
			o->duration = atof(v);
		else if (!strcmp(opt, "--rate"))
			o->rate = atof(v);
		else if (!strcmp(opt, "--batch"))
			o->batch = atoi(v);
		else if (!strcmp(opt, "--seed"))
			o->seed = strtoul(v, NULL, 0);
		else
			usage();
	}
	if (o->batch < 1 || o->batch > MAXBATCH || o->payload < 0 || o->payload > 1400 ||
	    (o->loop && !o->flows))
		usage();
}

/* The raw socket bound to o->ifname, o->smac filled in; -1 after saying why. */
static int open_socket(struct opts *o)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	struct ifreq ifr = {};
	struct sockaddr_ll sll = {};
	int one = 1;

	if (fd < 0) {
		perror("gen: socket");
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		perror("gen: SIOCGIFINDEX");
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, o->dmac, 6);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("gen: SIOCGIFHWADDR");
		return -1;
	}
	memcpy(o->smac, ifr.ifr_hwaddr.sa_data, 6);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("gen: bind");
		return -1;
	}
	if (o->bypass)
		setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	int sndbuf = 4 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return fd;
}

/* What was sent, for the last line. */
struct totals {
	uint64_t sent, bytes, retries, max_flow;
};

/* Wait until the last packet of the batch is due at t0 + n / rate (or a signal). */
static void pace(const struct opts *o, double t0, uint64_t n)
{
	double due = t0 + n / o->rate, t;

	while ((t = now_s()) < due && !stop) {
		double d = due - t;

		if (d > 0.0002) {
			struct timespec ts = { 0, (long)((d - 0.0001) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
}

/* Send the m messages, again where the kernel refused them for now; -1 after saying why. */
static int send_batch(int fd, struct mmsghdr *msgs, const struct iovec *iov,
		      const int64_t *flow_of_msg, int m, struct totals *tot)
{
	int off = 0;

	while (off < m) {
		int r = sendmmsg(fd, msgs + off, m - off, 0);

		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				tot->retries++;
				continue; /* the packet was not sent: send it again */
			}
			perror("gen: sendmmsg");
			return -1;
		}
		for (int k = off; k < off + r; k++) {
			tot->bytes += iov[k].iov_len - 14;
			if ((uint64_t)flow_of_msg[k] + 1 > tot->max_flow)
				tot->max_flow = flow_of_msg[k] + 1;
		}
		tot->sent += r;
		off += r;
	}
	return 0;
}

/* Batches of frames until the flows, --duration or a signal end it; -1 when a send failed. */
static int send_loop(int fd, const struct opts *o, double t0, struct totals *tot)
{
	static uint8_t frames[MAXBATCH][FRAME_MAX];
	struct mmsghdr msgs[MAXBATCH];
	struct iovec iov[MAXBATCH];
	int64_t flow_of_msg[MAXBATCH];
	uint64_t n = 0;
	double t;
	int done = 0;

	memset(msgs, 0, sizeof(msgs));
	while (!done && !stop) {
		int m = 0;

		for (; m < o->batch; m++) {
			int len = build(o, n, frames[m], &flow_of_msg[m]);

			if (flow_of_msg[m] < 0) {
				done = 1;
				break;
			}
			n++;
			iov[m].iov_base = frames[m];
			iov[m].iov_len = len;
			msgs[m].msg_hdr.msg_iov = &iov[m];
			msgs[m].msg_hdr.msg_iovlen = 1;
		}
		if (o->rate > 0)
			pace(o, t0, n);
		if (send_batch(fd, msgs, iov, flow_of_msg, m, tot))
			return -1;
		t = now_s();
		if (o->duration > 0 && t - t0 >= o->duration)
			break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .dport = 7000, .payload = 18, .flows = 0, .seed = 1, .batch = 64 };
	struct totals tot = { 0 };
	double t0, t;
	int fd;

	parse_args(argc, argv, &o);
	fd = open_socket(&o);
	if (fd < 0)
		return 1;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	t0 = now_s();
	if (send_loop(fd, &o, t0, &tot))
		return 1;
	t = now_s();
	printf("sent=%llu bytes=%llu retries=%llu flows=%llu elapsed=%.3f pps=%.0f\n",
	       (unsigned long long)tot.sent, (unsigned long long)tot.bytes,
	       (unsigned long long)tot.retries, (unsigned long long)tot.max_flow, t - t0,
	       tot.sent / (t - t0 > 0 ? t - t0 : 1e-9));
	return 0;
}
