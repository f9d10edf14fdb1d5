/* SPDX-License-Identifier: GPL-2.0-only */
/* run.c - tflow run: open and attach, take over a previous run's cache, the final flush on exit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "util/clock.h"
#include "cache/cache.h"
#include "enrich/enrich.h"
#include "export/export.h"
#include "cache/extstore.h"
#include "datapath/hooks.h"
#include "datapath/ifsel.h"
#include "datapath/loader.h"
#include "datapath/kernel.h"
#include "util/log.h"
#include "metrics.h"
#include "datapath/netlink.h"
#include "datapath/privs.h"
#include "run.h"
#include "run_loop.h"
#include "state/state.h"
#include "datapath/stats.h"
#include "tflow.skel.h"

/* NAT event records from enrich: arg is the exporter. */
static void emit_record(void *arg, const struct tflow_record *r)
{
	export_record(arg, r);
}

static void emit_flow(void *arg, const struct tflow_record *r)
{
	struct run_ctx *rc = arg;
	struct tflow_record er = *r;

	enrich_record(&rc->enrich, &er);
	state_record(&rc->state, &er);
	export_record(&rc->exporter, &er);
}

static int on_overflow(void *arg, void *data, size_t size)
{
	struct run_ctx *rc = arg;

	if (size >= sizeof(struct tflow_overflow_rec))
		cache_spill(&rc->cache, data);
	rc->pressure = true;
	return 0;
}

static void print_summary(struct run_ctx *rc)
{
	struct tflow_stats st;

	if (!stats_read(loader_stats_fd(&rc->loader), &st)) {
		fprintf(stderr, "tflow: stats: ");
		stats_print(&st, stderr);
	}
	fprintf(stderr, "tflow: exported %llu records (%llu evicted early)\n",
		(unsigned long long)rc->cache.records_total,
		(unsigned long long)rc->cache.evicted_total);
	for (int i = 0; i < rc->exporter.n_targets; i++) {
		const struct target *t = &rc->exporter.targets[i];

		fprintf(stderr,
			"tflow: target %d (v%d): %llu datagrams, %llu records, %llu with templates, "
			"%llu send errors, %llu refused by the collector, %llu IPv6 flows skipped (v1/v5 "
			"carry IPv4 only)\n",
			i, t->cfg.version, (unsigned long long)t->datagrams,
			(unsigned long long)t->records, (unsigned long long)t->templates_sent,
			(unsigned long long)t->send_errors, (unsigned long long)t->refused,
			(unsigned long long)t->skipped_ipv6);
	}
}

/*
 * The first-packet fields of the flows: what a restarting run left for this one, then the ring
 * the datapath sends new flows' on (pinned too: what came meanwhile waits there).
 */
static int ext_store_open(struct run_ctx *rc)
{
	int map_fd = bpf_map__fd(rc->loader.skel->maps.tflow_ext);
	long n;
	int err;

	err = ext_store_init(&rc->ext, loader_flows_fd(&rc->loader), rc->cfg.cache_entries);
	if (err) {
		pr_err("cannot allocate the first-packet field table: %s", strerror(-err));
		return err;
	}
	rc->cache.ext = &rc->ext;
	n = ext_store_load(&rc->ext, map_fd);
	if (n > 0)
		pr_info("first-packet fields of %ld flows taken over from the previous run", n);
	else if (n < 0)
		pr_warn("first-packet fields the previous run left: %s", strerror((int)-n));
	/* Not fatal: flows are still counted, exported without first-packet fields. */
	err = ext_store_attach(&rc->ext, bpf_map__fd(rc->loader.skel->maps.tflow_ext_ring));
	if (err)
		pr_warn("cannot open the first-packet field ring buffer (%s): records carry no "
			"first-packet fields",
			strerror(-err));
	return 0;
}

/* A previous run's cache of another size: its programs are replaced now, so export it all. */
static void export_stale_cache(struct run_ctx *rc)
{
	struct cache old;
	struct ext_store ext;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(rc->loader.stale_flows, &info, &len) ||
	    cache_init(&old, rc->loader.stale_flows, rc->loader.stale_exported, info.max_entries, 0,
		       0, emit_flow, rc))
		return;
	/* The fields that run kept for its flows, if it left them. */
	if (rc->loader.stale_ext >= 0 && !ext_store_init(&ext, -1, info.max_entries)) {
		ext_store_load(&ext, rc->loader.stale_ext);
		old.ext = &ext;
	}
	usleep(50000); /* programs already running on the old map finish */
	cache_scan(&old, mono_ns(), CACHE_FLUSH);
	export_flush(&rc->exporter);
	pr_info("exported %llu records of the previous cache",
		(unsigned long long)old.records_total);
	cache_free(&old);
	if (old.ext)
		ext_store_free(&ext);
}

/*
 * Everything up to attaching, in this order: the metrics listener and the targets (templates sent
 * first), the programs and maps, the scanner, `tflow status`'s state, the first-packet fields and
 * the overflow ring. 0 or -errno; *rb is set once the ring is open.
 */
static int run_open(struct run_ctx *rc, const struct cfg *c, const struct run_opts *o,
		    struct ring_buffer **rb)
{
	__u64 start_ms = state_now_ms();
	int err;

	/* Before privileges are dropped: a port below 1024 needs CAP_NET_BIND_SERVICE. */
	err = metrics_open(&rc->metrics, o->metrics_addr, o->metrics_textfile, &rc->state);
	if (err)
		return err;
	err = export_open(&rc->exporter, c, stdout);
	if (err)
		return err;
	/* Templates go out at start, before any data, so a collector can decode from the first. */
	export_flush(&rc->exporter);
	err = loader_load(&rc->loader, c, o->pin_dir);
	if (err)
		return err;
	err = cache_init(&rc->cache, loader_flows_fd(&rc->loader), rc->loader.exported_fd,
			 c->cache_entries, c->active_timeout_ns, c->inactive_timeout_ns, emit_flow,
			 rc);
	if (err) {
		pr_err("cannot allocate the scanner for %u entries", c->cache_entries);
		return err;
	}
	/* Not fatal: only `tflow status` needs it. */
	state_open(&rc->state, rc->loader.pin_dir, loader_stats_fd(&rc->loader), start_ms);
	err = ext_store_open(rc);
	if (err)
		return err;
	/* Not fatal (the batched scan stays); before privileges are dropped: it loads a program. */
	kernel_log_features();
	cache_iter_open(&rc->cache);
	*rb = ring_buffer__new(bpf_map__fd(loader_overflow_map(&rc->loader)), on_overflow, rc,
			       NULL);
	if (!*rb) {
		err = -errno;
		pr_err("cannot open the overflow ring buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

/*
 * Attach to the interfaces (link events subscribed first), export what a previous run's cache of
 * another size left, then drop privileges. 0 or -errno.
 */
static int run_attach(struct run_ctx *rc, const struct cfg *c, const struct run_opts *o)
{
	struct tflow_stats st;
	int err;

	/* Counters survive a restart: only what moves from now on means pressure. */
	if (!stats_read(loader_stats_fd(&rc->loader), &st))
		rc->cache_full_seen = st.cache_full;
	/* Subscribed before attaching: an interface appearing meanwhile is not missed. */
	rc->nlfd = nl_open();
	if (rc->nlfd < 0)
		pr_warn("no netlink link events (%s): interfaces that appear later are not attached",
			strerror(-rc->nlfd));
	enrich_configure(&rc->enrich, c);
	err = ifsel_attach(&rc->loader, c);
	if (err)
		return err;
	run_export_ifnames(rc);
	if (rc->loader.stale_flows >= 0)
		export_stale_cache(rc);
	state_update(&rc->state, &rc->cfg, &rc->loader, &rc->exporter, &rc->cache);
	return privs_drop(o->user, rc->loader.pin_dir);
}

int run(const struct cfg *c, const struct run_opts *o)
{
	struct ring_buffer *rb = NULL;
	struct run_ctx *rc;
	bool keep;
	int err, sig = 0;

	if (c->enabled == 0) {
		pr_info("traffic-flow is disabled (enabled=no): nothing to do");
		return 0;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return 1;
	rc->nlfd = -1;
	rc->cfg = *c;
	if (enrich_init(&rc->enrich, emit_record, &rc->exporter)) {
		free(rc);
		return 1;
	}
	rc->reload = o->reload;
	rc->reload_arg = o->reload_arg;
	rc->state.fd = -1;
	err = run_open(rc, c, o, &rb);
	if (!err)
		err = run_attach(rc, c, o);
	if (!err) {
		pr_info("running on %d interface(s), cache %u entries%s, %d target(s)",
			rc->loader.n_ifs, c->cache_entries,
			rc->loader.resumed ? " (resumed from the previous run)" : "",
			rc->exporter.n_targets);
		run_log_config(c);
		sig = run_event_loop(rc, rb);
	}
	/*
	 * A restart (SIGUSR1), or a failure while taking over a previous run's cache, leaves the
	 * programs counting into the pinned maps for the next run. Otherwise detach first so
	 * nothing counts after the final flush, then drain and export it all.
	 */
	keep = sig == SIGUSR1 || (err && rc->loader.resumed);
	if (!keep)
		hooks_detach_all(&rc->loader);
	if (rc->loader.skel && rc->cache.keys) {
		if (!keep)
			usleep(50000); /* programs already running finish within microseconds */
		if (rb)
			ring_buffer__consume(rb);
		if (keep) {
			cache_spill_expire(&rc->cache, 0, CACHE_FLUSH); /* the map's flows stay */
			/* With their fields, for the next run. */
			long n = ext_store_save(&rc->ext,
						bpf_map__fd(rc->loader.skel->maps.tflow_ext));

			if (n > 0)
				pr_info("first-packet fields of %ld flows kept for the next run",
					n);
		} else
			run_scan(rc, CACHE_FLUSH);
		export_flush(&rc->exporter);
		print_summary(rc);
	}
	ring_buffer__free(rb);
	if (rc->nlfd >= 0)
		close(rc->nlfd);
	cache_free(&rc->cache);
	ext_store_free(&rc->ext);
	enrich_free(&rc->enrich);
	export_close(&rc->exporter);
	metrics_close(&rc->metrics);
	state_close(&rc->state, keep);
	if (rc->loader.skel)
		loader_destroy(&rc->loader, keep);
	free(rc);
	return err ? 1 : 0;
}
