/* SPDX-License-Identifier: GPL-2.0-only */
/* top.c - the tflow top command: read the pinned flow cache every interval, show the top N. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "util/clock.h"
#include "config/value.h"
#include "util/log.h"
#include "top/top.h"

#define EXIT_USAGE 2
#define CHUNK 4096		     /* entries per batched read */
#define MIN_INTERVAL_NS 100000000ULL /* shorter intervals would measure scheduling noise */

static const char usage[] =
	"usage: tflow top [options]\n"
	"Live top flows or talkers from the cache of the tflow running with the same pin directory.\n"
	"  --by flow|src|dst|proto|port|conv  group by flow (default), source, destination,\n"
	"                         protocol and destination port (proto, port), or address pair\n"
	"  --sort bytes|packets   order of the rows (bytes)\n"
	"  -n N                   rows shown (10)\n"
	"  --interval TIME        time between readings: 1s, 500ms ... (1s)\n"
	"  --once                 one interval, then exit (same as --count 1)\n"
	"  --count N              N intervals, then exit (default: until SIGINT)\n"
	"  --json                 one JSON object per interval, one a line\n"
	"  --pin-dir DIR          the pin directory of `tflow run` (/sys/fs/bpf/tflow)\n"
	"  --interface NAME       only flows seen on interface NAME\n";

enum { OPT_BY = 1000, OPT_SORT, OPT_INTERVAL, OPT_ONCE, OPT_COUNT, OPT_JSON, OPT_PIN_DIR, OPT_IF };

struct top_opts {
	enum top_by by;
	enum top_sort sort;
	size_t rows;
	__u64 interval_ns;
	unsigned long count; /* 0: until a signal */
	bool json;
	const char *pin_dir;
	__u32 ifindex; /* 0: every interface */
};

/* The pinned flow cache and the buffers one read goes through. */
struct top_map {
	char path[PATH_MAX];
	int fd;
	__u32 id;
	__u32 max_entries;
	bool use_batch;
	struct tflow_key keys[CHUNK];
	struct tflow_value vals[CHUNK];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *ifname(__u32 ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf)) /* gone since: the number is all there is */
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

/* Open the pin: the fd, or -errno (-EPROTO: not a flow cache of this tflow's layout). */
static int map_get(const char *path, __u32 *id, __u32 *max_entries)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), err;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (info.key_size != sizeof(struct tflow_key) ||
	    info.value_size != sizeof(struct tflow_value)) {
		close(fd);
		return -EPROTO;
	}
	*id = info.id;
	*max_entries = info.max_entries;
	return fd;
}

static int map_open(struct top_map *m)
{
	m->fd = map_get(m->path, &m->id, &m->max_entries);
	if (m->fd >= 0)
		return 0;
	if (m->fd == -ENOENT)
		pr_err("no tflow is running with this pin directory: %s does not exist (start `tflow "
		       "run`, or give its --pin-dir; `ip netns exec` shows a bpffs of its own)",
		       m->path);
	else if (m->fd == -EPROTO)
		pr_err("%s is not a flow cache of this tflow version (key or value size differs)",
		       m->path);
	else
		pr_err("cannot open %s: %s", m->path, strerror(-m->fd));
	return m->fd;
}

/* 1 when the pin now holds another map (a restart with another cache size), 0 same, or -errno. */
static int map_check(struct top_map *m)
{
	__u32 id, max;
	int fd = map_get(m->path, &id, &max);

	if (fd < 0)
		return fd;
	if (id == m->id) {
		close(fd);
		return 0;
	}
	close(m->fd);
	m->fd = fd;
	m->id = id;
	m->max_entries = max;
	return 1;
}

static int push(struct top_snap *s, const struct top_opts *o, const struct tflow_key *k,
		const struct tflow_value *v)
{
	if (o->ifindex && k->ifindex != o->ifindex)
		return 0;
	/* By field name only: the value's layout may change, this recompiles with it. */
	return top_snap_push(s, k, v->packets, v->bytes, v->first_ns);
}

/* Batched reads; -EOPNOTSUPP when the kernel has none (before 5.6) and nothing was read. */
static int read_batch(struct top_map *m, const struct top_opts *o, struct top_snap *s)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 out_batch = 0, count;
	void *in = NULL;
	int err;

	for (;;) {
		count = CHUNK;
		err = bpf_map_lookup_batch(m->fd, in, &out_batch, m->keys, m->vals, &count, &opts);
		err = err ? -errno : 0;
		if (err == -EINVAL && !in)
			return -EOPNOTSUPP;
		if (err && err != -ENOENT)
			return err;
		for (__u32 i = 0; i < count; i++)
			if (push(s, o, &m->keys[i], &m->vals[i]))
				return -ENOMEM;
		if (err == -ENOENT)
			return 0;
		in = &out_batch;
	}
}

static int read_keys(struct top_map *m, const struct top_opts *o, struct top_snap *s)
{
	struct tflow_key *prev = NULL;

	/* A key removed under us restarts the walk: bounded, and duplicates go in top_snap_sort. */
	for (__u64 i = 0; i < 2ULL * m->max_entries; i++) {
		if (bpf_map_get_next_key(m->fd, prev, &m->keys[i & 1]))
			break;
		prev = &m->keys[i & 1];
		if (bpf_map_lookup_elem(m->fd, prev, &m->vals[0]))
			continue; /* exported meanwhile */
		if (push(s, o, prev, &m->vals[0]))
			return -ENOMEM;
	}
	return 0;
}

/* Read the whole cache into s, sorted; 0 or -errno. */
static int snapshot(struct top_map *m, const struct top_opts *o, struct top_snap *s)
{
	int err = -EOPNOTSUPP;

	s->n = 0;
	if (m->use_batch)
		err = read_batch(m, o, s);
	if (err == -EOPNOTSUPP) {
		m->use_batch = false;
		s->n = 0;
		err = read_keys(m, o, s);
	}
	if (err) {
		pr_err("cannot read %s: %s", m->path, strerror(-err));
		return err;
	}
	top_snap_sort(s);
	return 0;
}

static size_t term_rows(size_t want)
{
	struct winsize ws;

	/* the header, column titles, "(N more)" and the total take 4 lines */
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 5 && want > ws.ws_row - 4u)
		return ws.ws_row - 4u;
	return want;
}

/* One interval's rows from two snapshots, printed; returns 0 or -ENOMEM. */
static int show(const struct top_opts *o, const struct top_snap *prev, const struct top_snap *cur,
		double seconds, bool tty, bool first)
{
	struct top_row *rows = malloc((cur->n ? cur->n : 1) * sizeof(*rows));
	struct top_view v = {
		.by = o->by,
		.sort = o->sort,
		.seconds = seconds,
		.time = (double)clock_ns(CLOCK_REALTIME) / 1e9,
		.cache_flows = cur->n,
		.rows = rows,
		.ifname = ifname,
	};
	size_t want = tty ? term_rows(o->rows) : o->rows;

	if (!rows)
		return -ENOMEM;
	v.active = top_delta(prev, cur, rows);
	for (size_t i = 0; i < v.active; i++) {
		v.packets += rows[i].packets;
		v.bytes += rows[i].bytes;
	}
	v.groups = top_aggregate(rows, v.active, o->by);
	top_sort(rows, v.groups, o->sort);
	v.n = v.groups < want ? v.groups : want;
	if (o->json) {
		top_print_json(stdout, &v);
	} else {
		if (tty)
			fputs("\033[H\033[2J", stdout); /* home, clear: redraw in place */
		else if (!first)
			fputc('\n', stdout); /* an empty line between tables */
		top_print_text(stdout, &v);
	}
	fflush(stdout);
	free(rows);
	return 0;
}

/* Sleep until deadline (CLOCK_MONOTONIC ns); false when a signal asked to stop. */
static bool sleep_until(__u64 deadline)
{
	struct timespec ts = { .tv_sec = deadline / 1000000000ULL,
			       .tv_nsec = deadline % 1000000000ULL };

	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return !stop;
}

static int top_loop(struct top_map *m, const struct top_opts *o, bool tty)
{
	struct top_snap snaps[2] = { 0 };
	struct top_snap *prev = &snaps[0], *cur = &snaps[1], *tmp;
	__u64 t_prev, t, deadline;
	unsigned long done = 0;
	int err;

	err = snapshot(m, o, prev);
	t_prev = clock_ns(CLOCK_MONOTONIC);
	deadline = t_prev;
	while (!err && (!o->count || done < o->count)) {
		deadline += o->interval_ns;
		t = clock_ns(CLOCK_MONOTONIC);
		/* A reading longer than the interval, or a suspend: no catching up. */
		if (deadline < t)
			deadline = t + o->interval_ns;
		if (!sleep_until(deadline))
			break;
		err = map_check(m);
		if (err == -ENOENT)
			pr_err("%s is gone: tflow stopped", m->path);
		else if (err < 0)
			pr_err("cannot open %s: %s", m->path, strerror(-err));
		if (err < 0)
			break;
		if (err == 1) {
			/* Another cache: its counts are not deltas of the old one's. */
			err = snapshot(m, o, prev);
			t_prev = clock_ns(CLOCK_MONOTONIC);
			continue;
		}
		err = snapshot(m, o, cur);
		t = clock_ns(CLOCK_MONOTONIC);
		if (!err)
			err = show(o, prev, cur, (double)(t - t_prev) / 1e9, tty, !done);
		if (err == -ENOMEM)
			pr_err("out of memory");
		tmp = prev;
		prev = cur;
		cur = tmp;
		t_prev = t;
		done++;
	}
	top_snap_free(&snaps[0]);
	top_snap_free(&snaps[1]);
	return err < 0 ? 1 : 0;
}

static int parse_count(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno || end == s || *end || *s == '-' || !*v || *v > max) ? -EINVAL : 0;
}

static int parse_opts(int argc, char **argv, struct top_opts *o)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "interface", required_argument, NULL, OPT_IF },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	int opt, li = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:h", opts, &li)) != -1) {
		switch (opt) {
		case OPT_BY:
			if (top_by_parse(optarg, &o->by))
				goto bad;
			break;
		case OPT_SORT:
			if (strcmp(optarg, "bytes") && strcmp(optarg, "packets"))
				goto bad;
			o->sort = strcmp(optarg, "bytes") ? TOP_SORT_PACKETS : TOP_SORT_BYTES;
			break;
		case 'n':
			if (parse_count(optarg, 1000000, &v))
				goto bad;
			o->rows = v;
			break;
		case OPT_INTERVAL:
			if (value_parse_time(optarg, &o->interval_ns) ||
			    o->interval_ns < MIN_INTERVAL_NS)
				goto bad;
			break;
		case OPT_ONCE:
			o->count = 1;
			break;
		case OPT_COUNT:
			if (parse_count(optarg, ULONG_MAX, &o->count))
				goto bad;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PIN_DIR:
			o->pin_dir = optarg;
			break;
		case OPT_IF:
			o->ifindex = if_nametoindex(optarg);
			if (!o->ifindex) {
				fprintf(stderr, "tflow top: --interface %s: no such interface\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tflow top: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "tflow top: %s%s '%s' is not accepted (see tflow top --help)\n",
		opt == 'n' ? "-" : "--", opt == 'n' ? "n" : opts[li].name, optarg);
	return -EINVAL;
}

int top_main(int argc, char **argv)
{
	struct top_opts o = {
		.by = TOP_BY_FLOW,
		.sort = TOP_SORT_BYTES,
		.rows = 10,
		.interval_ns = 1000000000ULL,
		.pin_dir = TFLOW_PIN_DIR,
	};
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: the sleep returns */
	struct top_map *m;
	bool tty;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : EXIT_USAGE;
	m = calloc(1, sizeof(*m));
	if (!m)
		return 1;
	m->use_batch = true;
	snprintf(m->path, sizeof(m->path), "%s/tflow_flows", o.pin_dir);
	if (map_open(m)) {
		free(m);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* One interval has nothing to redraw: it stays on the screen, below what was there. */
	tty = !o.json && o.count != 1 && isatty(STDOUT_FILENO);
	if (tty)
		fputs("\033[?25l", stdout); /* hide the cursor while redrawing */
	ret = top_loop(m, &o, tty);
	if (tty)
		fputs("\033[?25h", stdout);
	fflush(stdout);
	close(m->fd);
	free(m);
	return ret;
}
