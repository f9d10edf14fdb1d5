/* SPDX-License-Identifier: GPL-2.0-only */
/* run.h - tflow run: load, attach, scan and export until a signal says otherwise. */
#ifndef TFLOW_RUN_H
#define TFLOW_RUN_H

#include "config/config.h"
#include "run_loop.h" /* run_reload_fn */

struct run_opts {
	const char *pin_dir;	      /* where the maps are pinned, on a bpffs */
	const char *user;	      /* become this user once attached, or NULL to stay root */
	const char *metrics_addr;     /* --metrics ADDR:PORT, or NULL */
	const char *metrics_textfile; /* --metrics-textfile PATH, or NULL */
	run_reload_fn reload;
	void *reload_arg;
};

/*
 * Run with configuration c until SIGTERM/SIGINT (export everything, detach, exit) or SIGUSR1
 * (exit for a restart, leaving the datapath counting). Once attached, only CAP_BPF and
 * CAP_NET_ADMIN are kept. SIGHUP calls o->reload and applies the result. Returns the exit status.
 */
int run(const struct cfg *c, const struct run_opts *o);

#endif
