/* SPDX-License-Identifier: GPL-2.0-only */
/* ifmatch.h - does the configuration select an interface, and in which direction. */
#ifndef TFLOW_IFMATCH_H
#define TFLOW_IFMATCH_H

#include <stdbool.h>
#include "config/cfg.h"

/* A pattern (fnmatch(3): `*`, `?`, `[...]`, `\` quoting) rather than a name. */
bool ifmatch_is_pattern(const char *s);

/* Index of the `/interface list` named name, or -1. */
int ifmatch_list(const struct cfg *c, const char *name);

/* entry (an interface name, a list name or a pattern) covers the interface called name. */
bool ifmatch_entry(const struct cfg *c, const char *entry, const char *name);

/*
 * interfaces= selects the interface called name with IFF_* flags: an entry covers it, or, for
 * interfaces=all, it is up and not loopback.
 */
bool ifmatch_selected(const struct cfg *c, const char *name, unsigned int flags);

/* enum cfg_dir for name: the last `/ip traffic-flow interface` entry that covers it, or the
 * global direction. */
int ifmatch_direction(const struct cfg *c, const char *name);

/* "both", "ingress" or "egress". */
const char *ifmatch_dir_name(int dir);

#endif
