/* main.c - the tflow command: option parsing and the run loop (timer, overflow ring, signals). */
#include <errno.h>
#include <getopt.h>
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
#include "cache.h"
#include "config.h"
#include "export.h"
#include "loader.h"
#include "log.h"
#include "stats.h"

#define EXIT_CONFIG 2
/* Under pressure the overflow ring triggers a scan, but at most this often. */
#define PRESSURE_SCAN_GAP_NS 100000000ULL

static const char usage[] =
	"usage: tflow run [--config FILE] [options]\n"
	"       tflow version\n"
	"\n"
	"Options (each sets the /ip traffic-flow property of the same name):\n"
	"  --interfaces LIST|all         interfaces to watch (default all)\n"
	"  --cache-entries N             flow cache size: 1k..256k, powers of two to 4M (4k)\n"
	"  --active-flow-timeout TIME    export long flows this often (30m)\n"
	"  --inactive-flow-timeout TIME  export a flow idle this long (15s)\n"
	"  --packet-sampling yes|no      sample packets (no)\n"
	"  --sampling-interval N         packets taken in a row when sampling\n"
	"  --sampling-space N            packets skipped in a row when sampling\n"
	"  --scan-interval TIME          how often the cache is scanned (1s)\n"
	"  --enabled yes|no              run at all (a config file may say no)\n"
	"  --target HOST[:PORT][,version=1|5|9|IPFIX][,src-address=A][,mtu=N][,source-id=N]\n"
	"                                a collector (default port 2055, version 9); repeat\n"
	"  -c, --config FILE             RouterOS-syntax configuration file\n"
	"  --pin-dir DIR                 where maps are pinned, on a bpffs (/sys/fs/bpf/tflow)\n"
	"  -v, --verbose                 more messages (twice: libbpf's too)\n"
	"  -q, --quiet                   errors and warnings only\n"
	"\n"
	"With no target, finished flows are printed on stdout as JSON lines.\n"
	"SIGTERM/SIGINT: export every flow, detach, exit. SIGUSR1: exit for a restart, leaving\n"
	"the programs attached and the cache pinned for the next run. SIGHUP: resend templates.\n";

static const char *const properties[] = {
	"interfaces",	   "cache-entries",	"active-flow-timeout", "inactive-flow-timeout",
	"packet-sampling", "sampling-interval", "sampling-space",      "scan-interval",
	"enabled",
};
#define N_PROPS (int)(sizeof(properties) / sizeof(properties[0]))
#define OPT_TARGET 1000
#define OPT_PIN_DIR 1001

struct run_ctx {
	struct loader loader;
	struct cache cache;
	struct exporter exporter;
	struct cfg cfg;
	__u64 last_scan_ns;
	__u64 cache_full_seen;
	bool pressure;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void emit_record(void *arg, const struct tflow_record *r)
{
	export_record(arg, r);
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
	rc->last_scan_ns = now_ns();
	err = cache_scan(&rc->cache, rc->last_scan_ns, mode);
	if (err)
		pr_err("cache scan failed: %s", strerror(-err));
	export_flush(&rc->exporter);
}

/* Runs until a signal ends it; returns that signal (SIGUSR1: exit for a restart). */
static int event_loop(struct run_ctx *rc, struct ring_buffer *rb)
{
	struct epoll_event ev, evs[4];
	struct itimerspec its = {};
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
	its.it_interval.tv_sec = rc->cfg.scan_interval_ns / 1000000000ULL;
	its.it_interval.tv_nsec = rc->cfg.scan_interval_ns % 1000000000ULL;
	its.it_value = its.it_interval;
	timerfd_settime(tfd, 0, &its, NULL);
	ev.events = EPOLLIN;
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = rbfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, rbfd, &ev);

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

				if (read(tfd, &expirations, sizeof(expirations)) > 0)
					scan(rc, CACHE_SCAN);
			} else if (fd == rbfd) {
				ring_buffer__consume(rb);
				if (rc->pressure &&
				    now_ns() - rc->last_scan_ns >= PRESSURE_SCAN_GAP_NS)
					scan(rc, CACHE_PRESSURE);
			} else if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					/* A collector that restarted lost our templates. */
					pr_info("SIGHUP: templates sent again to every v9/IPFIX "
						"target; configuration reload is not supported yet");
					export_resend_templates(&rc->exporter);
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

/* A previous run's cache of another size: its programs are replaced now, so export it all. */
static void export_stale_cache(struct run_ctx *rc)
{
	struct cache old;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(rc->loader.stale_flows, &info, &len) ||
	    cache_init(&old, rc->loader.stale_flows, -1, info.max_entries, 0, 0, emit_record,
		       &rc->exporter))
		return;
	usleep(50000); /* programs already running on the old map finish */
	cache_scan(&old, now_ns(), CACHE_FLUSH);
	export_flush(&rc->exporter);
	pr_info("exported %llu records of the previous cache",
		(unsigned long long)old.records_total);
	cache_free(&old);
}

static int cmd_run(struct cfg *c, const char *pin_dir)
{
	struct ring_buffer *rb = NULL;
	struct run_ctx *rc;
	struct tflow_stats st;
	bool keep;
	int err, sig = 0;

	if (c->enabled == 0) {
		pr_info("traffic-flow is disabled (enabled=no): nothing to do");
		return 0;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return 1;
	rc->cfg = *c;
	err = export_open(&rc->exporter, c, stdout);
	if (!err)
		err = loader_load(&rc->loader, c, pin_dir);
	if (err)
		goto out;
	err = cache_init(&rc->cache, loader_flows_fd(&rc->loader), rc->loader.exported_fd,
			 c->cache_entries, c->active_timeout_ns, c->inactive_timeout_ns,
			 emit_record, &rc->exporter);
	if (err) {
		pr_err("cannot allocate the scanner for %u entries", c->cache_entries);
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(loader_overflow_map(&rc->loader)), on_overflow, rc, NULL);
	if (!rb) {
		err = -errno;
		pr_err("cannot open the overflow ring buffer: %s", strerror(-err));
		goto out;
	}
	/* Counters survive a restart: only what moves from now on means pressure. */
	if (!stats_read(loader_stats_fd(&rc->loader), &st))
		rc->cache_full_seen = st.cache_full;
	err = loader_attach(&rc->loader, c);
	if (err)
		goto out;
	if (rc->loader.stale_flows >= 0)
		export_stale_cache(rc);
	pr_info("running on %d interface(s), cache %u entries%s, %d target(s)", rc->loader.n_ifs,
		c->cache_entries, rc->loader.resumed ? " (resumed from the previous run)" : "",
		rc->exporter.n_targets);
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
		if (keep)
			cache_spill_flush(&rc->cache);
		else
			scan(rc, CACHE_FLUSH);
		export_flush(&rc->exporter);
		print_summary(rc);
	}
	ring_buffer__free(rb);
	cache_free(&rc->cache);
	export_close(&rc->exporter);
	if (rc->loader.skel)
		loader_destroy(&rc->loader, keep);
	free(rc);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct option opts[N_PROPS + 7];
	const char *pin_dir = TFLOW_PIN_DIR;
	char err[CFG_ERR_LEN];
	const char *config_path = NULL;
	struct cfg *c;
	struct {
		int prop; /* index in properties[], or OPT_TARGET */
		const char *val;
	} * sets;
	int nsets = 0, opt, idx, ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_CONFIG : 0;
	}
	if (!strcmp(argv[1], "version")) {
		printf("tflow 0.1\n");
		return 0;
	}
	if (strcmp(argv[1], "run")) {
		fprintf(stderr, "tflow: unknown command '%s' (commands: run, version, help)\n",
			argv[1]);
		return EXIT_CONFIG;
	}
	for (idx = 0; idx < N_PROPS; idx++)
		opts[idx] = (struct option){ properties[idx], required_argument, NULL, idx };
	opts[idx++] = (struct option){ "target", required_argument, NULL, OPT_TARGET };
	opts[idx++] = (struct option){ "pin-dir", required_argument, NULL, OPT_PIN_DIR };
	opts[idx++] = (struct option){ "config", required_argument, NULL, 'c' };
	opts[idx++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	opts[idx++] = (struct option){ "quiet", no_argument, NULL, 'q' };
	opts[idx++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[idx] = (struct option){ 0 };

	c = calloc(1, sizeof(*c));
	sets = calloc(argc, sizeof(*sets));
	if (!c || !sets)
		return 1;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "c:vqh", opts, NULL)) != -1) {
		if (opt == 'c') {
			config_path = optarg;
		} else if (opt == OPT_PIN_DIR) {
			pin_dir = optarg;
		} else if (opt == 'v') {
			log_level = log_level < LOG_LVL_DEBUG ? log_level + 1 : log_level;
		} else if (opt == 'q') {
			log_level = LOG_LVL_WARN;
		} else if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		} else if ((opt >= 0 && opt < N_PROPS) || opt == OPT_TARGET) {
			sets[nsets].prop = opt;
			sets[nsets++].val = optarg;
		} else {
			fputs(usage, stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tflow: unexpected argument '%s'\n", argv[optind]);
		return EXIT_CONFIG;
	}
	config_defaults(c);
	/* The file first, then the command line on top of it, whatever their order. */
	if (config_path && config_parse_file(c, config_path, err, sizeof(err)))
		goto bad_config;
	for (int i = 0; i < nsets; i++) {
		if (sets[i].prop == OPT_TARGET)
			ret = config_add_target_spec(c, sets[i].val, err, sizeof(err));
		else
			ret = config_set(c, properties[sets[i].prop], sets[i].val, err,
					 sizeof(err));
		if (ret)
			goto bad_config;
	}
	if (config_validate(c, err, sizeof(err)))
		goto bad_config;
	free(sets);
	ret = cmd_run(c, pin_dir);
	free(c);
	return ret;
bad_config:
	fprintf(stderr, "tflow: %s\n", err);
	free(sets);
	free(c);
	return EXIT_CONFIG;
}
