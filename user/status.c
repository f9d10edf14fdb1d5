/* SPDX-License-Identifier: GPL-2.0-only */
/* status.c - tflow status: what a running tflow does, read from its pins, from any shell. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "state/state.h"
#include "status.h"
#include "status/status_fmt.h"
#include "tflow.h"

/* Exit statuses as LSB init scripts give them for `status`. */
#define EXIT_USAGE 2
#define EXIT_NOT_RUNNING 3
#define EXIT_NO_ACCESS 4

static const char usage[] = "usage: tflow status [--json] [--pin-dir DIR]\n"
			    "\n"
			    "What the tflow running with DIR (/sys/fs/bpf/tflow) does: settings, "
			    "interfaces, cache,\n"
			    "datapath counters, targets. Exit status: 0 running, 3 not running, 4 "
			    "no permission.\n";

/*
 * A running tflow holds an flock on its pin directory; /proc/locks shows it without taking a
 * lock ourselves (which could make a tflow starting at that moment fail). 1 held, 0 not, -errno.
 */
static int pin_dir_locked(const char *dir)
{
	unsigned int maj, min;
	unsigned long long ino;
	char line[256], type[16];
	struct stat sb;
	FILE *f;
	int pid, held = 0;

	if (stat(dir, &sb))
		return -errno;
	f = fopen("/proc/locks", "r");
	if (!f)
		return -errno;
	while (!held && fgets(line, sizeof(line), f))
		held = sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", type, &pid, &maj, &min,
			      &ino) == 5 &&
		       !strcmp(type, "FLOCK") && maj == major(sb.st_dev) &&
		       min == minor(sb.st_dev) && ino == sb.st_ino;
	fclose(f);
	return held;
}

static int pin_open(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return bpf_obj_get(path);
}

/* Why the pins cannot be read, said once, with what to do; returns the exit status. */
static int open_failed(const char *dir, const char *name, int err)
{
	if (err == ENOENT) {
		fprintf(stderr,
			"tflow: not running: no %s/%s (a tflow started with --pin-dir needs the "
			"same --pin-dir here; one started under 'ip netns exec' pins in its own "
			"mount namespace: nsenter -t PID -m tflow status)\n",
			dir, name);
		return EXIT_NOT_RUNNING;
	}
	if (err == EACCES || err == EPERM) {
		fprintf(stderr,
			"tflow: cannot read %s/%s: %s (run as root, or as the --user tflow runs "
			"as, with CAP_BPF)\n",
			dir, name, strerror(err));
		return EXIT_NO_ACCESS;
	}
	fprintf(stderr, "tflow: cannot read %s/%s: %s\n", dir, name, strerror(err));
	return 1;
}

/* Pins without a tflow holding them: a restart in progress, or a run that died. */
static int not_running(const char *dir, const struct tflow_state *st)
{
	if (st->exit_ms)
		fprintf(stderr,
			"tflow: not running: pid %d exited for a restart (SIGUSR1); its programs "
			"stay attached and count into the cache pinned in %s until the next "
			"'tflow run'\n",
			st->pid, dir);
	else
		fprintf(stderr,
			"tflow: not running: pid %d left its pins in %s without exiting cleanly; "
			"its programs may still be attached and counting. 'tflow run' resumes "
			"the cache\n",
			st->pid, dir);
	return EXIT_NOT_RUNNING;
}

static int status(const char *dir, bool json)
{
	struct state_snap s = { 0 };
	int state_fd, flows_fd = -1, stats_fd = -1, err, ret = 1;

	state_fd = pin_open(dir, "tflow_state");
	if (state_fd < 0)
		return open_failed(dir, "tflow_state", errno);
	flows_fd = pin_open(dir, "tflow_flows");
	if (flows_fd < 0) {
		ret = open_failed(dir, "tflow_flows", errno);
		goto out;
	}
	stats_fd = pin_open(dir, "tflow_stats");
	if (stats_fd < 0) {
		ret = open_failed(dir, "tflow_stats", errno);
		goto out;
	}
	err = state_read(state_fd, &s.st);
	if (err) {
		ret = open_failed(dir, "tflow_state", -err);
		goto out;
	}
	if (s.st.magic != STATE_MAGIC || s.st.version != STATE_VERSION) {
		fprintf(stderr,
			"tflow: %s/tflow_state has another layout (version %u, this tflow "
			"reads %u): use the tflow that is running\n",
			dir, s.st.version, STATE_VERSION);
		goto out;
	}
	err = pin_dir_locked(dir);
	/* Without /proc/locks, ask whether its pid lives. */
	s.running = err > 0 || (err < 0 && !s.st.exit_ms && (!kill(s.st.pid, 0) || errno == EPERM));
	if (!s.running) {
		ret = not_running(dir, &s.st);
		goto out;
	}
	err = state_snap_live(&s, flows_fd, stats_fd);
	if (err) {
		ret = open_failed(dir, "tflow_flows", -err);
		goto out;
	}
	if (json)
		status_json(&s, dir, stdout);
	else
		status_print(&s, dir, stdout);
	ret = fflush(stdout) ? 1 : 0;
out:
	close(state_fd);
	if (flows_fd >= 0)
		close(flows_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret;
}

int status_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = TFLOW_PIN_DIR;
	bool json = false;
	int opt;

	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'j') {
			json = true;
		} else if (opt == 'p') {
			dir = optarg;
		} else if (opt == 'h') {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tflow: unexpected argument '%s'\n%s", argv[optind], usage);
		return EXIT_USAGE;
	}
	return status(dir, json);
}
