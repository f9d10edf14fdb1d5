/* SPDX-License-Identifier: GPL-2.0-only */
/* ctx.bpf.h - struct flow_ctx: what a packet's flow update needs of the program it runs in. */
#ifndef TFLOW_CTX_BPF_H
#define TFLOW_CTX_BPF_H

#include "vmlinux.h"
#include "tflow.h"

/* What the insert path needs of the program it runs in. */
struct flow_ctx {
	void *ctx; /* xdp_md or __sk_buff: bpf_fib_lookup()'s first argument */
	void *data;
	void *data_end;
	const struct tflow_config *cfg; /* NULL: collect nothing */
	__u32 fib_ifindex; /* bpf_fib_lookup params.ifindex: ingress, or egress with OUTPUT */
	__u32 fib_flags;   /* 0 (ingress: route as forwarding would) or BPF_FIB_LOOKUP_OUTPUT */
	__u32 first_len;   /* IP length of the first wire packet (a GSO packet's first segment) */
};

#endif
