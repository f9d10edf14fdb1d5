/* SPDX-License-Identifier: GPL-2.0-only */
/* cases.c - what the cache cases share (cases.h): their results, the test flows, map counts. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "cases.h"

static int *pass_count, *fail_count, *skip_count;
const char *case_cur;
bool case_bad;

void case_counts(int *n_pass, int *n_fail, int *n_skip)
{
	pass_count = n_pass;
	fail_count = n_fail;
	skip_count = n_skip;
}

void case_start(const char *name)
{
	case_cur = name;
	case_bad = false;
}

/* The case cannot run: the kernel refused what it tests (why says what and why). */
void case_skip(const char *why)
{
	printf("skip - %s (%s)\n", case_cur, why);
	fflush(stdout);
	(*skip_count)++;
}

void case_stop(void)
{
	printf("%s - %s\n", case_bad ? "not ok" : "ok", case_cur);
	fflush(stdout);
	(*(case_bad ? fail_count : pass_count))++;
}

void flow_key(struct tflow_key *k, __u32 i)
{
	memset(k, 0, sizeof(*k));
	k->src[0] = 0xfd;
	k->src[12] = i >> 24, k->src[13] = i >> 16, k->src[14] = i >> 8, k->src[15] = i;
	k->dst[0] = 0xfd, k->dst[15] = 1;
	k->sport = htons(1024 + i % 50000);
	k->dport = htons(443);
	k->ifindex = 2;
	k->proto = i % 3 ? IPPROTO_UDP : IPPROTO_TCP;
	k->family = 6;
}

void flow_ext(struct tflow_ext *x, __u32 i)
{
	memset(x, 0, sizeof(*x));
	x->src_mac[5] = i;
	x->dst_mac[4] = i >> 8;
	x->tcp_seq = i * 7;
	x->udp_len = i & 0xffff;
	x->fib_ifindex = 3;
	x->fib_ok = 1;
	x->collected = TFLOW_COLLECT_EXT | TFLOW_COLLECT_FIB;
}

__u32 map_count(int fd)
{
	struct tflow_key k, *prev = NULL;
	__u32 n = 0;

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		prev = &k;
		n++;
	}
	return n;
}
