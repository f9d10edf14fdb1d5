/* SPDX-License-Identifier: GPL-2.0-only */
/* ifnames.h - the interface names tflow announces (options template 261): ifindex -> name. */
#ifndef TFLOW_IFNAMES_H
#define TFLOW_IFNAMES_H

#include <linux/types.h>
#include "export/ie.h"

/* Interfaces named at most: every attached one (LOADER_MAX_IFS) and those records lead to. */
#define IFNAMES_MAX 4096

struct ifname {
	__u32 ifindex;
	__u32 gen; /* the ifnames generation that gave it its name; 0: no name known, not sent */
	char name[IE_IFNAME_LEN + 1];
};

/*
 * Sorted by ifindex. gen counts changes: a sender that has sent every name up to generation g
 * sends the entries whose gen > g next (and all of them, g = 0, with the templates).
 */
struct ifnames {
	struct ifname *v;
	int n, cap;
	__u32 gen;
};

/* The entry of ifindex, or NULL. */
const struct ifname *ifnames_find(const struct ifnames *s, __u32 ifindex);

/*
 * ifindex is called name now (NULL or "": it has none, remembered so it is not looked up again).
 * 1 when that changed what is announced, 0 when not, -ENOMEM, or -E2BIG past IFNAMES_MAX.
 */
int ifnames_set(struct ifnames *s, __u32 ifindex, const char *name);

/* ifindex is gone: forget it. */
void ifnames_del(struct ifnames *s, __u32 ifindex);

/* Move every entry of from into to, emptying from (to is freed first). */
void ifnames_move(struct ifnames *to, struct ifnames *from);

void ifnames_free(struct ifnames *s);

#endif
