/* SPDX-License-Identifier: GPL-2.0-only */
/* xdpgen.c - line-rate UDP into a veth: an XDP program that sends its own frames (live frames). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "frames.h"
#include "gen.h"
#include "driver.skel.h"

/*
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs gen_xdp on frames built from ours: it
 * writes the flow number into the UDP ports and returns XDP_TX, which the kernel turns into a
 * redirect out of the ingress device. On a veth the frame then arrives at the peer, which needs
 * an XDP program or GRO enabled (NAPI) to take it. One syscall sends `batch` x many frames.
 */

static void usage(FILE *f)
{
	fprintf(f, "usage: xdpgen --dev IF --dst-mac MAC [--flows N] [--first N] [--count N | "
		   "--seconds S]\n"
		   "  UDP/IPv4 10.98.0.0 -> 10.99.0.2, 64-byte frames, flow i in the ports "
		   "(source i & 0xffff, destination i >> 16);\n"
		   "  --flows 0: a new flow every frame.\n"
		   "Prints `sent N frames in S s: P pps, cpu C s` (C: this thread's CPU time).\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "flows", required_argument, NULL, 'f' },
		{ "first", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	__u8 dmac[6] = { 0 }, smac[6] = { 0x02, 0, 0, 0, 0, 1 }, frame[FRAME_MAX_LEN];
	const char *dev = NULL;
	double seconds = 0;
	__u64 count = 0, sent = 0, t0, t1, c0, first = 0;
	__u32 flows = 1, chunk = 1 << 16;
	struct driver_bpf *skel;
	struct xdp_md ctx = {};
	size_t len;
	int c, err, fd;

	while ((c = getopt_long(argc, argv, "d:m:f:F:c:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'm':
			if (gen_parse_mac(optarg, dmac)) {
				fprintf(stderr, "xdpgen: --dst-mac: aa:bb:cc:dd:ee:ff\n");
				return 2;
			}
			break;
		case 'f':
			flows = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			first = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			count = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dev || (!count && seconds <= 0)) {
		usage(stderr);
		return 2;
	}
	ctx.ingress_ifindex = if_nametoindex(dev);
	if (!ctx.ingress_ifindex) {
		fprintf(stderr, "xdpgen: %s: no such interface\n", dev);
		return 1;
	}
	skel = driver_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "xdpgen: loading the generator failed: %s\n", strerror(errno));
		return 1;
	}
	skel->bss->nflows = flows;
	skel->bss->first = first;
	len = frame_build(frame, 4, dmac, smac);
	ctx.data_end = len; /* the kernel wants the frame's extent in ctx when ctx is given */
	fd = bpf_program__fd(skel->progs.gen_xdp);
	c0 = gen_cpu_ns();
	t0 = gen_now_ns();
	t1 = t0;
	err = 0;
	while (count ? sent < count : (t1 - t0) < seconds * 1e9) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
		__u32 n = count && count - sent < chunk ? count - sent : chunk;

		opts.repeat = n;
		if (bpf_prog_test_run_opts(fd, &opts)) {
			err = -errno;
			fprintf(stderr, "xdpgen: BPF_PROG_TEST_RUN (live frames): %s\n",
				strerror(errno));
			break;
		}
		sent += n;
		t1 = gen_now_ns();
	}
	printf("sent %llu frames in %.3f s: %.0f pps, cpu %.3f s\n", (unsigned long long)sent,
	       (t1 - t0) / 1e9, sent / ((t1 - t0) / 1e9), (gen_cpu_ns() - c0) / 1e9);
	driver_bpf__destroy(skel);
	return err ? 1 : 0;
}
