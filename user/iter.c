/* iter.c - the cache scan in the kernel: loads bpf/iter.bpf.c, runs a pass, reads its records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iter.h"
#include "log.h"
#include "tflow_iter.skel.h"

/*
 * One read() returns at most the kernel's seq buffer (8 pages); asking for more lets the program
 * fill that buffer before the read ends.
 */
#define READ_SIZE (64 * 1024)
/* A read that makes no progress (the kernel's per-read object limit, signals) is retried. */
#define MAX_RETRIES 64

struct flow_iter {
	struct tflow_iter_bpf *skel;
	struct bpf_link *link;
	__u32 pass;
	char *buf;
};

static int quiet_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	(void)lvl;
	(void)fmt;
	(void)ap;
	return 0;
}

/* The object with one of its programs (iter.bpf.c), loaded; NULL and errno on failure. */
static struct tflow_iter_bpf *iter_load(int flows_fd, const char *name)
{
	struct tflow_iter_bpf *skel = tflow_iter_bpf__open();
	bool quiet = log_level < LOG_LVL_DEBUG;
	libbpf_print_fn_t old = NULL;
	struct bpf_program *prog;
	int err;

	if (!skel)
		return NULL;
	err = bpf_map__reuse_fd(skel->maps.tflow_flows, flows_fd);
	bpf_object__for_each_program(prog, skel->obj)
	{
		if (!err)
			err = bpf_program__set_autoload(prog,
							!strcmp(bpf_program__name(prog), name));
	}
	if (err)
		goto fail;
	/* A kernel without iterators fails here: the caller says so once; the detail is in -vv. */
	if (quiet)
		old = libbpf_set_print(quiet_print);
	err = tflow_iter_bpf__load(skel);
	if (quiet)
		libbpf_set_print(old);
	if (!err)
		return skel;
fail:
	tflow_iter_bpf__destroy(skel);
	errno = err < 0 ? -err : EINVAL;
	return NULL;
}

struct flow_iter *iter_open(int flows_fd)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = { .map.map_fd = flows_fd };
	struct bpf_program *prog;
	struct flow_iter *it;
	int err;

	it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->buf = malloc(READ_SIZE);
	if (!it->buf)
		goto fail;
	it->skel = iter_load(flows_fd, "tflow_scan");
	if (!it->skel) /* before 6.2: no bpf_rdonly_cast */
		it->skel = iter_load(flows_fd, "tflow_scan_compat");
	if (!it->skel)
		goto fail;
	prog = bpf_program__autoload(it->skel->progs.tflow_scan)
		       ? it->skel->progs.tflow_scan
		       : it->skel->progs.tflow_scan_compat;
	pr_debug("cache scan: iterator program %s", bpf_program__name(prog));
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	it->link = bpf_program__attach_iter(prog, &opts);
	if (!it->link)
		goto fail;
	return it;
fail:
	err = errno ? errno : ENOMEM;
	iter_close(it);
	errno = err;
	return NULL;
}

void iter_close(struct flow_iter *it)
{
	if (!it)
		return;
	bpf_link__destroy(it->link);
	tflow_iter_bpf__destroy(it->skel);
	free(it->buf);
	free(it);
}

int iter_pass(struct flow_iter *it, struct tflow_iter_params *p, iter_rec_fn fn, void *arg,
	      struct tflow_iter_counts *counts)
{
	size_t have = 0;
	int fd, retries = 0, err = 0;
	ssize_t n;

	p->pass = ++it->pass;
	it->skel->bss->iter_params = *p;
	memset(&it->skel->bss->iter_counts, 0, sizeof(it->skel->bss->iter_counts));
	fd = bpf_iter_create(bpf_link__fd(it->link));
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, it->buf + have, READ_SIZE - have);
		if (n < 0) {
			if ((errno == EAGAIN || errno == EINTR) && ++retries < MAX_RETRIES)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		have += n;
		/* Records come whole in each read; a partial one would wait for the rest. */
		size_t off = 0;

		for (; have - off >= sizeof(struct tflow_iter_rec);
		     off += sizeof(struct tflow_iter_rec))
			fn(arg, (const void *)(it->buf + off));
		memmove(it->buf, it->buf + off, have - off);
		have -= off;
	}
	close(fd);
	if (!err && have)
		err = -EPROTO;
	*counts = it->skel->bss->iter_counts;
	return err;
}

struct flow_take *take_open(int flows_fd)
{
	return (struct flow_take *)iter_load(flows_fd, "tflow_take");
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
