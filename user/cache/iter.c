/* SPDX-License-Identifier: GPL-2.0-only */
/* iter.c - the cache scan in the kernel: loads bpf/iter.bpf.c, runs a pass, reads its records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cache/iter.h"
#include "util/log.h"
#include "tflow_iter.skel.h"

/*
 * One read() returns at most the kernel's seq buffer (8 pages); asking for more lets the program
 * fill that buffer before the read ends.
 */
#define READ_SIZE (64 * 1024)
/* A read that makes no progress (the kernel's per-read object limit, signals) is retried. */
#define MAX_RETRIES 64
/* A full 256k cache of idle flows takes four runs. */
unsigned int iter_sweep_cap = ITER_SWEEP_CAP;

struct flow_iter {
	struct tflow_iter_bpf *skel;
	enum scan_mode mode;
	struct bpf_link *link; /* SCAN_ITERATOR */
	__u32 pass;
	char *buf;			  /* SCAN_ITERATOR: read() pages */
	const struct tflow_iter_rec *out; /* SCAN_SYSCALL: tflow_sweep_out, mapped */
	size_t out_len;
	__u32 cap;
};

static int quiet_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	(void)lvl;
	(void)fmt;
	(void)ap;
	return 0;
}

struct tflow_iter_bpf *iter_load(int flows_fd, const char *name, __u32 cap)
{
	struct tflow_iter_bpf *skel = tflow_iter_bpf__open();
	bool quiet = log_level < LOG_LVL_DEBUG;
	libbpf_print_fn_t old = NULL;
	struct bpf_program *prog;
	int err;

	if (!skel)
		return NULL;
	err = bpf_map__reuse_fd(skel->maps.tflow_flows, flows_fd);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.tflow_sweep_out, cap);
	bpf_object__for_each_program(prog, skel->obj)
	{
		if (!err)
			err = bpf_program__set_autoload(prog,
							!strcmp(bpf_program__name(prog), name));
	}
	if (err)
		goto fail;
	/* A kernel that refuses the program fails here: the caller says so once; detail in -vv. */
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

/* The map iterator, attached to the flow map. */
static int seq_open(struct flow_iter *it, int flows_fd)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = { .map.map_fd = flows_fd };
	struct bpf_program *prog;

	it->buf = malloc(READ_SIZE);
	if (!it->buf)
		return -ENOMEM;
	it->skel = iter_load(flows_fd, "tflow_scan", 1);
	if (!it->skel && errno != EPERM) /* before 6.2: no bpf_rdonly_cast */
		it->skel = iter_load(flows_fd, "tflow_scan_compat", 1);
	if (!it->skel)
		return -errno;
	prog = bpf_program__autoload(it->skel->progs.tflow_scan)
		       ? it->skel->progs.tflow_scan
		       : it->skel->progs.tflow_scan_compat;
	pr_debug("cache scan: iterator program %s", bpf_program__name(prog));
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	it->link = bpf_program__attach_iter(prog, &opts);
	return it->link ? 0 : -errno;
}

/* The syscall program, with its output mapped. */
static int sweep_open(struct flow_iter *it, int flows_fd, __u32 max_entries)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	it->cap = max_entries < iter_sweep_cap ? max_entries : iter_sweep_cap;
	if (!it->cap)
		it->cap = 1;
	it->skel = iter_load(flows_fd, "tflow_sweep", it->cap);
	if (!it->skel)
		return -errno;
	it->out_len = (it->cap * sizeof(struct tflow_iter_rec) + page - 1) / page * page;
	p = mmap(NULL, it->out_len, PROT_READ, MAP_SHARED,
		 bpf_map__fd(it->skel->maps.tflow_sweep_out), 0);
	if (p == MAP_FAILED)
		return -errno;
	it->out = p;
	return 0;
}

struct flow_iter *iter_open(int flows_fd, __u32 max_entries, enum scan_mode m)
{
	struct flow_iter *it;
	int err;

	it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->mode = m;
	err = m == SCAN_SYSCALL	   ? sweep_open(it, flows_fd, max_entries)
	      : m == SCAN_ITERATOR ? seq_open(it, flows_fd)
				   : -EINVAL;
	if (!err)
		return it;
	iter_close(it);
	errno = err < 0 ? -err : ENOMEM;
	return NULL;
}

enum scan_mode iter_mode(const struct flow_iter *it)
{
	return it ? it->mode : SCAN_BATCHED;
}

void iter_close(struct flow_iter *it)
{
	if (!it)
		return;
	bpf_link__destroy(it->link);
	if (it->out)
		munmap((void *)it->out, it->out_len);
	tflow_iter_bpf__destroy(it->skel);
	free(it->buf);
	free(it);
}

static void counts_add(struct tflow_iter_counts *sum, const struct tflow_iter_counts *n)
{
	sum->visited += n->visited;
	sum->kept += n->kept;
	sum->removed += n->removed;
	sum->deferred += n->deferred;
	sum->failed += n->failed;
	sum->dropped += n->dropped;
}

/*
 * Runs of tflow_sweep until the walk ends: each run's records are handed to fn before the next
 * run, which passes over the elements the earlier ones left in the map.
 */
static int sweep_pass(struct flow_iter *it, iter_rec_fn fn, void *arg,
		      struct tflow_iter_counts *counts)
{
	int fd = bpf_program__fd(it->skel->progs.tflow_sweep);
	struct tflow_sweep_ctl *ctl = &it->skel->bss->sweep_ctl;
	struct tflow_iter_counts *n = &it->skel->bss->iter_counts;
	__u64 skip = 0;

	memset(counts, 0, sizeof(*counts));
	do {
		DECLARE_LIBBPF_OPTS(bpf_test_run_opts, opts);

		memset(n, 0, sizeof(*n));
		ctl->skip = skip;
		ctl->cap = it->cap;
		if (bpf_prog_test_run_opts(fd, &opts))
			return -errno;
		/* The kernel wrote them before the run returned; mapped, so read them through. */
		for (__u32 i = 0; i < ctl->n && i < it->cap; i++)
			fn(arg, &it->out[i]);
		counts_add(counts, n);
		skip += n->kept + n->failed;
	} while (ctl->more);
	return 0;
}

int iter_pass(struct flow_iter *it, struct tflow_iter_params *p, iter_rec_fn fn, void *arg,
	      struct tflow_iter_counts *counts)
{
	size_t have = 0;
	int fd, retries = 0, err = 0;
	ssize_t n;

	p->pass = ++it->pass;
	it->skel->bss->iter_params = *p;
	if (it->mode == SCAN_SYSCALL)
		return sweep_pass(it, fn, arg, counts);
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
