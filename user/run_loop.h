/* SPDX-License-Identifier: GPL-2.0-only */
/* run_loop.h - struct run_ctx, and what run.c calls of run_loop.c (never the other way round). */
#ifndef TFLOW_RUN_LOOP_H
#define TFLOW_RUN_LOOP_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "cache/cache.h"
#include "config/config.h"
#include "cache/extstore.h"
#include "datapath/loader.h"
#include "enrich/enrich.h"
#include "export/export.h"
#include "metrics.h"
#include "state/state.h"
#include "util/log.h"

/* Fill c with the configuration read anew (SIGHUP); 0, or nonzero after logging why not. */
typedef int (*run_reload_fn)(struct cfg *c, void *arg);

struct run_ctx {
	int nlfd;	  /* rtnetlink link events, or -1 */
	__u64 nl_resyncs; /* link events lost, the links listed again */
	struct log_ratelimit nl_rl;
	run_reload_fn reload;
	void *reload_arg;
	int tfd; /* the scan timer */
	struct loader loader;
	struct cache cache;
	struct ext_store ext; /* first-packet fields of the cached flows */
	struct exporter exporter;
	struct cfg cfg;
	struct enrich enrich;	/* masks and NAT translation, added at export */
	struct state state;	/* pinned for `tflow status` */
	struct metrics metrics; /* --metrics, --metrics-textfile */
	__u64 last_scan_ns;
	__u64 cache_full_seen;
	bool pressure;
};

/* -v's effective configuration; the attached interfaces' names, for the exporter. */
void run_log_config(const struct cfg *c);
void run_export_ifnames(struct run_ctx *rc);

/* One cache scan and export (mode CACHE_SCAN may become CACHE_PRESSURE). */
void run_scan(struct run_ctx *rc, enum cache_mode mode);
/* Runs until a signal ends it; returns that signal (SIGUSR1: exit for a restart). */
int run_event_loop(struct run_ctx *rc, struct ring_buffer *rb);

#endif
