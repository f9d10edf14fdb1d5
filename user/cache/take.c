/* SPDX-License-Identifier: GPL-2.0-only */
/* take.c - tflow_take (bpf/iter.bpf.c): one flow out of the map, its counters marked taken first.
 */
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cache/iter.h"
#include "cache/take.h"
#include "tflow_iter.skel.h"

struct flow_take *take_open(int flows_fd)
{
	return (struct flow_take *)iter_load(flows_fd, "tflow_take", 1);
}

void take_close(struct flow_take *t)
{
	tflow_iter_bpf__destroy((struct tflow_iter_bpf *)t);
}

int take_flow(struct flow_take *t, const struct tflow_key *k, struct tflow_value *v)
{
	struct tflow_iter_bpf *skel = (struct tflow_iter_bpf *)t;
	struct tflow_take_ctx ctx = { .key = *k };
	/* The kernel copies the context back into ctx_in: a syscall program has no ctx_out. */
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.tflow_take), &opts))
		return -errno;
	if (!ctx.found)
		return -ENOENT;
	*v = ctx.value;
	return 0;
}
