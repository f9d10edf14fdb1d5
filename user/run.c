/* run.c - tflow run: the event loop (timer, overflow ring, signals), scans, exit, reload. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "util/clock.h"
#include "cache/cache.h"
#include "enrich/enrich.h"
#include "export/export.h"
#include "cache/extstore.h"
#include "datapath/loader.h"
#include "datapath/kernel.h"
#include "util/log.h"
#include "metrics.h"
#include "datapath/netlink.h"
#include "datapath/privs.h"
#include "run.h"
#include "state/state.h"
#include "datapath/stats.h"
#include "tflow.skel.h"

/* Under pressure the overflow ring triggers a scan, but at most this often. */
#define PRESSURE_SCAN_GAP_NS 100000000ULL

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

static void scan(struct run_ctx *rc, enum cache_mode mode)
{
	__u64 before = rc->cache.records_total;
	struct tflow_stats st;
	int err;

	if (mode == CACHE_SCAN && !stats_read(loader_stats_fd(&rc->loader), &st)) {
		/* The datapath found the map full since the last scan: make room. */
		if (st.cache_full > rc->cache_full_seen)
			mode = CACHE_PRESSURE;
		rc->cache_full_seen = st.cache_full;
	}
	if (rc->pressure && mode == CACHE_SCAN)
		mode = CACHE_PRESSURE;
	rc->pressure = false;
	rc->last_scan_ns = mono_ns();
	err = cache_scan(&rc->cache, rc->last_scan_ns, mode);
	if (err)
		pr_err("cache scan failed: %s", strerror(-err));
	export_flush(&rc->exporter);
	state_update(&rc->state, &rc->cfg, &rc->loader, &rc->exporter, &rc->cache);
	if (rc->cache.records_total != before)
		pr_debug("scan%s: %llu records exported",
			 mode == CACHE_PRESSURE ? " (cache pressure)" : "",
			 (unsigned long long)(rc->cache.records_total - before));
}

/* -v: the effective configuration in RouterOS syntax, after the command line was applied. */
static void log_config(const struct cfg *c)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f;

	if (log_level < LOG_LVL_VERBOSE || !(f = open_memstream(&s, &n)))
		return;
	config_print(c, f);
	fclose(f);
	pr_debug("effective configuration:\n%s", s);
	free(s);
}

/* The attached interfaces, by name, for the interface options the exporter announces. */
static void export_ifnames(struct run_ctx *rc)
{
	for (int i = 0; i < rc->loader.n_ifs; i++)
		export_ifname_attached(&rc->exporter, rc->loader.ifs[i].ifindex,
				       rc->loader.ifs[i].name);
}

static void on_link(void *arg, const struct nl_link_event *ev)
{
	struct run_ctx *rc = arg;

	loader_link_event(&rc->loader, &rc->cfg, ev);
	export_ifname_link(&rc->exporter, ev->ifindex, ev->deleted ? NULL : ev->name);
	export_ifnames(rc);
}

/*
 * The link events, and when the kernel dropped some (a burst of new interfaces filled the socket
 * buffer), the links listed again the way they were at start: interfaces that appeared meanwhile
 * are attached, deleted ones dropped, renamed ones followed.
 */
static void links_read(struct run_ctx *rc)
{
	int err = nl_read(rc->nlfd, on_link, rc);
	unsigned int held;

	if (!err)
		return;
	if (err == -ENOBUFS) {
		rc->nl_resyncs++;
		if (log_ratelimit_ok(&rc->nl_rl, 10, &held))
			pr_warn("link events lost (socket buffer full): the interfaces are listed "
				"again (%llu time(s) so far)",
				(unsigned long long)rc->nl_resyncs);
		loader_attach(&rc->loader, &rc->cfg);
		export_ifnames(rc);
	} else if (log_ratelimit_ok(&rc->nl_rl, 10, &held)) {
		pr_warn("link events: %s", strerror(-err));
	}
}

static void timer_set(struct run_ctx *rc)
{
	struct itimerspec its = {};

	its.it_interval.tv_sec = rc->cfg.scan_interval_ns / 1000000000ULL;
	its.it_interval.tv_nsec = rc->cfg.scan_interval_ns % 1000000000ULL;
	its.it_value = its.it_interval;
	timerfd_settime(rc->tfd, 0, &its, NULL);
}

/*
 * SIGHUP: read the configuration again and apply it without losing the cache: sampling,
 * timeouts, scan interval, targets (templates resent to all) and interfaces. A configuration
 * that does not parse leaves everything as it was.
 */
static void reload(struct run_ctx *rc)
{
	struct cfg *n = calloc(1, sizeof(*n));

	if (!n || rc->reload(n, rc->reload_arg)) {
		pr_err("SIGHUP: the configuration was not reloaded; the previous one stays");
		free(n);
		return;
	}
	if (n->cache_entries != rc->cfg.cache_entries) {
		pr_warn("SIGHUP: cache-entries %u -> %u needs a restart (kill -USR1, then start "
			"tflow again: the cache is exported, nothing is lost); keeping %u",
			rc->cfg.cache_entries, n->cache_entries, rc->cfg.cache_entries);
		n->cache_entries = rc->cfg.cache_entries;
	}
	if (n->enabled == 0)
		pr_warn("SIGHUP: enabled=no is not applied to a running tflow; stop it instead");
	if (loader_write_config(&rc->loader, n) || loader_attach(&rc->loader, n))
		pr_err("SIGHUP: the datapath change was not complete (see above)");
	if (export_reconfigure(&rc->exporter, n))
		pr_err("SIGHUP: the targets were not changed (see above)");
	export_ifnames(rc);
	rc->cache.active_ns = n->active_timeout_ns;
	rc->cache.inactive_ns = n->inactive_timeout_ns;
	enrich_configure(&rc->enrich, n);
	rc->cfg = *n;
	timer_set(rc);
	free(n);
	pr_info("SIGHUP: configuration reloaded: %d interface(s), %d target(s), templates sent",
		rc->loader.n_ifs, rc->exporter.n_targets);
	log_config(&rc->cfg);
}

/* Runs until a signal ends it; returns that signal (SIGUSR1: exit for a restart). */
static int event_loop(struct run_ctx *rc, struct ring_buffer *rb)
{
	struct epoll_event ev, evs[4];
	sigset_t mask;
	int ep, tfd, sfd, rbfd = ring_buffer__epoll_fd(rb);
	int stop = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0) {
		pr_err("event loop setup: %s", strerror(errno));
		return -errno;
	}
	rc->tfd = tfd;
	timer_set(rc);
	ev.events = EPOLLIN;
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = rbfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, rbfd, &ev);
	if (rc->nlfd >= 0) {
		ev.data.fd = rc->nlfd;
		epoll_ctl(ep, EPOLL_CTL_ADD, rc->nlfd, &ev);
	}
	ev.data.fd = enrich_fd(&rc->enrich);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	/*
	 * Edge-triggered: libbpf's epoll holds the ring level-triggered, so once woken it would
	 * report the ring ready for every record after. The datapath wakes us at half full only.
	 */
	if (ext_store_fd(&rc->ext) >= 0) {
		ev.events = EPOLLIN | EPOLLET;
		ev.data.fd = ext_store_fd(&rc->ext);
		epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
		ev.events = EPOLLIN;
	}
	if (metrics_fd(&rc->metrics) >= 0) {
		ev.data.fd = metrics_fd(&rc->metrics);
		epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	}

	while (!stop) {
		int n = epoll_wait(ep, evs, 4, -1);

		if (n < 0 && errno != EINTR) {
			pr_err("epoll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == tfd) {
				__u64 expirations;

				if (read(tfd, &expirations, sizeof(expirations)) > 0) {
					scan(rc, CACHE_SCAN);
					metrics_tick(&rc->metrics);
				}
			} else if (fd == metrics_fd(&rc->metrics)) {
				metrics_serve(&rc->metrics);
			} else if (fd == rc->nlfd) {
				links_read(rc);
			} else if (fd == enrich_fd(&rc->enrich)) {
				enrich_read(&rc->enrich);
			} else if (fd == ext_store_fd(&rc->ext)) {
				ext_store_drain(&rc->ext); /* the ring is half full */
			} else if (fd == rbfd) {
				ring_buffer__consume(rb);
				if (rc->pressure &&
				    mono_ns() - rc->last_scan_ns >= PRESSURE_SCAN_GAP_NS)
					scan(rc, CACHE_PRESSURE);
			} else if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(rc);
					continue;
				}
				if (si.ssi_signo == SIGUSR1)
					pr_info("SIGUSR1: exiting for a restart; the programs stay "
						"attached and the cache stays in %s",
						rc->loader.pin_dir);
				else
					pr_info("signal %d: exporting every flow, then exiting",
						si.ssi_signo);
				stop = si.ssi_signo;
			}
		}
	}
	close(ep);
	close(tfd);
	close(sfd);
	return stop;
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

int run(const struct cfg *c, const struct run_opts *o)
{
	struct ring_buffer *rb = NULL;
	struct run_ctx *rc;
	struct tflow_stats st;
	__u64 start_ms;
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
	start_ms = state_now_ms();
	/* Before privileges are dropped: a port below 1024 needs CAP_NET_BIND_SERVICE. */
	err = metrics_open(&rc->metrics, o->metrics_addr, o->metrics_textfile, &rc->state);
	if (err)
		goto out;
	err = export_open(&rc->exporter, c, stdout);
	if (err)
		goto out;
	/* Templates go out at start, before any data, so a collector can decode from the first. */
	export_flush(&rc->exporter);
	err = loader_load(&rc->loader, c, o->pin_dir);
	if (err)
		goto out;
	err = cache_init(&rc->cache, loader_flows_fd(&rc->loader), rc->loader.exported_fd,
			 c->cache_entries, c->active_timeout_ns, c->inactive_timeout_ns, emit_flow,
			 rc);
	if (err) {
		pr_err("cannot allocate the scanner for %u entries", c->cache_entries);
		goto out;
	}
	/* Not fatal: only `tflow status` needs it. */
	state_open(&rc->state, rc->loader.pin_dir, loader_stats_fd(&rc->loader), start_ms);
	err = ext_store_open(rc);
	if (err)
		goto out;
	/* Not fatal (the batched scan stays); before privileges are dropped: it loads a program. */
	kernel_log_features();
	cache_iter_open(&rc->cache);
	rb = ring_buffer__new(bpf_map__fd(loader_overflow_map(&rc->loader)), on_overflow, rc, NULL);
	if (!rb) {
		err = -errno;
		pr_err("cannot open the overflow ring buffer: %s", strerror(-err));
		goto out;
	}
	/* Counters survive a restart: only what moves from now on means pressure. */
	if (!stats_read(loader_stats_fd(&rc->loader), &st))
		rc->cache_full_seen = st.cache_full;
	/* Subscribed before attaching: an interface appearing meanwhile is not missed. */
	rc->nlfd = nl_open();
	if (rc->nlfd < 0)
		pr_warn("no netlink link events (%s): interfaces that appear later are not attached",
			strerror(-rc->nlfd));
	enrich_configure(&rc->enrich, c);
	err = loader_attach(&rc->loader, c);
	if (err)
		goto out;
	export_ifnames(rc);
	if (rc->loader.stale_flows >= 0)
		export_stale_cache(rc);
	state_update(&rc->state, &rc->cfg, &rc->loader, &rc->exporter, &rc->cache);
	err = privs_drop(o->user, rc->loader.pin_dir);
	if (err)
		goto out;
	pr_info("running on %d interface(s), cache %u entries%s, %d target(s)", rc->loader.n_ifs,
		c->cache_entries, rc->loader.resumed ? " (resumed from the previous run)" : "",
		rc->exporter.n_targets);
	log_config(c);
	sig = event_loop(rc, rb);
out:
	/*
	 * A restart (SIGUSR1), or a failure while taking over a previous run's cache, leaves the
	 * programs counting into the pinned maps for the next run. Otherwise detach first so
	 * nothing counts after the final flush, then drain and export it all.
	 */
	keep = sig == SIGUSR1 || (err && rc->loader.resumed);
	if (!keep)
		loader_detach(&rc->loader);
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
			scan(rc, CACHE_FLUSH);
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
