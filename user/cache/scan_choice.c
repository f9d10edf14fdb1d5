/* SPDX-License-Identifier: GPL-2.0-only */
/* scan_choice.c - which cache scan runs: in the kernel (syscall program, iterator) or batched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cache/cache.h"
#include "cache/iter.h"
#include "cache/take.h"
#include "datapath/kernel.h"
#include "util/log.h"

/* The in-kernel scan of mode m, or why the kernel refused it into why. */
static struct flow_iter *scan_open(struct cache *c, enum scan_mode m, char *why, size_t len)
{
	struct flow_iter *it = iter_open(c->flows_fd, c->max_entries, m);

	if (!it)
		kernel_refusal(errno, m == SCAN_SYSCALL ? "Linux 5.14" : "Linux 5.9 with BTF", why,
			       len);
	return it;
}

/*
 * TFLOW_SCAN (syscall, iterator, batched) or TFLOW_NO_ITER=1 (batched): a scan forced, and by
 * which setting into *by.
 */
static int scan_forced(enum scan_mode *m, const char **by)
{
	const char *no_iter = getenv("TFLOW_NO_ITER"), *s = getenv("TFLOW_SCAN");

	*by = "TFLOW_NO_ITER";
	if (no_iter && *no_iter && strcmp(no_iter, "0")) {
		*m = SCAN_BATCHED;
		return 1;
	}
	*by = "TFLOW_SCAN";
	if (!s || !*s || !strcmp(s, "auto"))
		return 0;
	if (!strcmp(s, "syscall"))
		*m = SCAN_SYSCALL;
	else if (!strcmp(s, "iterator"))
		*m = SCAN_ITERATOR;
	else if (!strcmp(s, "batched"))
		*m = SCAN_BATCHED;
	else {
		pr_warn("TFLOW_SCAN=%s: not a scan (syscall, iterator, batched, auto); auto", s);
		return 0;
	}
	return 1;
}

int cache_iter_open(struct cache *c)
{
	char why_sys[160] = "", why_iter[160] = "", why_take[160];
	enum scan_mode forced = SCAN_BATCHED;
	const char *by;
	int force = scan_forced(&forced, &by);

	/* A packet that lands on a flow being removed: see README, "Known limits". */
	c->take = c->v1_vals ? NULL : take_open(c->flows_fd);
	if (!c->take && !c->v1_vals)
		pr_info("cache scan: flows removed with lookup-and-delete (no BPF syscall programs: "
			"%s)",
			kernel_refusal(errno, "Linux 5.14", why_take, sizeof(why_take)));
	if (force && forced == SCAN_BATCHED) {
		pr_info("cache scan: batched map syscalls (%s is set)", by);
		return 0;
	}
	if (c->v1_vals) {
		pr_info("cache scan: batched map syscalls (a previous tflow's flow map layout)");
		return -EPROTO;
	}
	/* The syscall program first: it needs no tracing program, which lockdown refuses. */
	if (!force || forced == SCAN_SYSCALL)
		c->iter = scan_open(c, SCAN_SYSCALL, why_sys, sizeof(why_sys));
	if (!c->iter && (!force || forced == SCAN_ITERATOR))
		c->iter = scan_open(c, SCAN_ITERATOR, why_iter, sizeof(why_iter));
	if (c->iter) {
		pr_info("cache scan: in the kernel (%s%s)",
			iter_mode(c->iter) == SCAN_SYSCALL
				? "BPF syscall program walking the map with bpf_for_each_map_elem"
				: "BPF map element iterator",
			force ? ", TFLOW_SCAN is set" : "");
		if (*why_sys)
			pr_info("cache scan: no BPF syscall program scan: %s", why_sys);
		return 0;
	}
	pr_info("cache scan: batched map syscalls, one per removed flow");
	if (*why_sys)
		pr_info("cache scan: no BPF syscall program scan: %s", why_sys);
	if (*why_iter)
		pr_info("cache scan: no BPF map element iterator: %s", why_iter);
	return -EOPNOTSUPP;
}
