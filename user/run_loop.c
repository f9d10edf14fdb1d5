/* SPDX-License-Identifier: GPL-2.0-only */
/* run_loop.c - tflow run's event loop: the scan timer, the overflow ring, link events, signals. */
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
#include <bpf/libbpf.h>
#include "util/clock.h"
#include "util/log.h"
#include "config/config.h"
#include "datapath/ifsel.h"
#include "datapath/netlink.h"
#include "datapath/stats.h"
#include "run_loop.h"

/* Under pressure the overflow ring triggers a scan, but at most this often. */
#define PRESSURE_SCAN_GAP_NS 100000000ULL

void run_scan(struct run_ctx *rc, enum cache_mode mode)
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
void run_log_config(const struct cfg *c)
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
void run_export_ifnames(struct run_ctx *rc)
{
	for (int i = 0; i < rc->loader.n_ifs; i++)
		export_ifname_attached(&rc->exporter, rc->loader.ifs[i].ifindex,
				       rc->loader.ifs[i].name);
}

static void on_link(void *arg, const struct nl_link_event *ev)
{
	struct run_ctx *rc = arg;

	ifsel_link_event(&rc->loader, &rc->cfg, ev);
	export_ifname_link(&rc->exporter, ev->ifindex, ev->deleted ? NULL : ev->name);
	run_export_ifnames(rc);
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
		ifsel_attach(&rc->loader, &rc->cfg);
		run_export_ifnames(rc);
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
	if (loader_write_config(&rc->loader, n) || ifsel_attach(&rc->loader, n))
		pr_err("SIGHUP: the datapath change was not complete (see above)");
	if (export_reconfigure(&rc->exporter, n))
		pr_err("SIGHUP: the targets were not changed (see above)");
	run_export_ifnames(rc);
	rc->cache.active_ns = n->active_timeout_ns;
	rc->cache.inactive_ns = n->inactive_timeout_ns;
	enrich_configure(&rc->enrich, n);
	rc->cfg = *n;
	timer_set(rc);
	free(n);
	pr_info("SIGHUP: configuration reloaded: %d interface(s), %d target(s), templates sent",
		rc->loader.n_ifs, rc->exporter.n_targets);
	run_log_config(&rc->cfg);
}

/* The descriptors the event loop waits on, besides those of rc's modules. */
struct loop_fds {
	int ep;	  /* the epoll they are all added to */
	int tfd;  /* the scan timer */
	int sfd;  /* SIGUSR1, SIGINT, SIGTERM, SIGHUP, blocked and read from here */
	int rbfd; /* the overflow ring */
};

/* Block the signals for a signalfd, start the scan timer, and watch every source on one epoll. */
static int event_loop_open(struct run_ctx *rc, struct loop_fds *f)
{
	struct epoll_event ev;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	f->sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	f->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	f->ep = epoll_create1(EPOLL_CLOEXEC);
	if (f->sfd < 0 || f->tfd < 0 || f->ep < 0) {
		pr_err("event loop setup: %s", strerror(errno));
		return -errno;
	}
	rc->tfd = f->tfd;
	timer_set(rc);
	ev.events = EPOLLIN;
	ev.data.fd = f->sfd;
	epoll_ctl(f->ep, EPOLL_CTL_ADD, f->sfd, &ev);
	ev.data.fd = f->tfd;
	epoll_ctl(f->ep, EPOLL_CTL_ADD, f->tfd, &ev);
	ev.data.fd = f->rbfd;
	epoll_ctl(f->ep, EPOLL_CTL_ADD, f->rbfd, &ev);
	if (rc->nlfd >= 0) {
		ev.data.fd = rc->nlfd;
		epoll_ctl(f->ep, EPOLL_CTL_ADD, rc->nlfd, &ev);
	}
	ev.data.fd = enrich_fd(&rc->enrich);
	epoll_ctl(f->ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	/*
	 * Edge-triggered: libbpf's epoll holds the ring level-triggered, so once woken it would
	 * report the ring ready for every record after. The datapath wakes us at half full only.
	 */
	if (ext_store_fd(&rc->ext) >= 0) {
		ev.events = EPOLLIN | EPOLLET;
		ev.data.fd = ext_store_fd(&rc->ext);
		epoll_ctl(f->ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
		ev.events = EPOLLIN;
	}
	if (metrics_fd(&rc->metrics) >= 0) {
		ev.data.fd = metrics_fd(&rc->metrics);
		epoll_ctl(f->ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	}
	return 0;
}

/* A signal off the signalfd: SIGHUP reloads; any other ends the loop. Returns it then, else 0. */
static int on_signal(struct run_ctx *rc, int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		reload(rc);
		return 0;
	}
	if (si.ssi_signo == SIGUSR1)
		pr_info("SIGUSR1: exiting for a restart; the programs stay "
			"attached and the cache stays in %s",
			rc->loader.pin_dir);
	else
		pr_info("signal %d: exporting every flow, then exiting", si.ssi_signo);
	return si.ssi_signo;
}

int run_event_loop(struct run_ctx *rc, struct ring_buffer *rb)
{
	struct loop_fds f = { .rbfd = ring_buffer__epoll_fd(rb) };
	struct epoll_event evs[4];
	int stop = 0, err;

	err = event_loop_open(rc, &f);
	if (err)
		return err;
	while (!stop) {
		int n = epoll_wait(f.ep, evs, 4, -1);

		if (n < 0 && errno != EINTR) {
			pr_err("epoll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == f.tfd) {
				__u64 expirations;

				if (read(f.tfd, &expirations, sizeof(expirations)) > 0) {
					run_scan(rc, CACHE_SCAN);
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
			} else if (fd == f.rbfd) {
				ring_buffer__consume(rb);
				if (rc->pressure &&
				    mono_ns() - rc->last_scan_ns >= PRESSURE_SCAN_GAP_NS)
					run_scan(rc, CACHE_PRESSURE);
			} else if (fd == f.sfd) {
				int sig = on_signal(rc, f.sfd);

				if (sig)
					stop = sig;
			}
		}
	}
	close(f.ep);
	close(f.tfd);
	close(f.sfd);
	return stop;
}
