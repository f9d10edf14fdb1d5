/* run.h - tflow run: load, attach, scan and export until a signal says otherwise. */
#ifndef TFLOW_RUN_H
#define TFLOW_RUN_H

#include "config.h"

/* Fill c with the configuration read anew (SIGHUP); 0, or nonzero after logging why not. */
typedef int (*run_reload_fn)(struct cfg *c, void *arg);

/*
 * Run with configuration c and maps pinned in pin_dir until SIGTERM/SIGINT (export everything,
 * detach, exit) or SIGUSR1 (exit for a restart, leaving the datapath counting). SIGHUP calls
 * reload and applies the result. Returns the process exit status.
 */
int run(const struct cfg *c, const char *pin_dir, run_reload_fn reload, void *reload_arg);

#endif
