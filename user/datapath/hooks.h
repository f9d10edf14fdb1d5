/* SPDX-License-Identifier: GPL-2.0-only */
/* hooks.h - tflow's XDP and tc programs on one interface: attach, detach, tell ours from others. */
#ifndef TFLOW_HOOKS_H
#define TFLOW_HOOKS_H

#include <stdbool.h>
#include "datapath/loader.h"

/*
 * Attach one interface with the hooks of dir (enum cfg_dir) and log it. It is counted in l->ifs
 * before its hooks are attached, so a half-done attach is undone by hooks_detach_all, or at once
 * with hooks_remove. -E2BIG (logged) when LOADER_MAX_IFS are attached already.
 */
int hooks_attach(struct loader *l, const char *name, int ifindex, unsigned int flags, int dir);

/*
 * At load, while privileged: note this run's program ids, and the previous runs' programs:
 * tflow's, counting into maps this pin directory held (listing programs takes CAP_SYS_ADMIN).
 */
void hooks_learn_programs(struct loader *l);

/*
 * Remove what a previous run attached to an interface this run does not attach (a restart with
 * fewer interfaces); logged. Programs of anyone else, another tflow's included, stay.
 */
void hooks_sweep(const struct loader *l, const char *name, int ifindex);

/* Attach and detach hooks so li has those of dir; logged. */
int hooks_set_dir(struct loader *l, struct loader_if *li, int dir);

/* Forget li (it moves the last entry into its place), detaching its hooks first if detach. */
void hooks_remove(struct loader *l, struct loader_if *li, bool detach);

/* Detach what we attached; leave anything else on the interfaces alone. */
void hooks_detach_all(struct loader *l);

#endif
