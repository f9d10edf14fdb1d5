/* SPDX-License-Identifier: GPL-2.0-only */
/* config_props.h - the property engine: words of a line, property tables, applying them. */
#ifndef TFLOW_CONFIG_PROPS_H
#define TFLOW_CONFIG_PROPS_H

#include <stddef.h>
#include <linux/types.h>
#include "config/value.h"

#define MAX_WORDS 64

struct word {
	char *key;
	char *val; /* NULL for a word without '=' (menu path or command) */
};

enum ptype { P_BOOL, P_INTBOOL, P_U32, P_TIME, P_ENTRIES, P_FN };

struct prop {
	const char *name;
	enum ptype type;
	size_t off; /* of the field in struct cfg or struct tbuild (config_target.c) */
	__u64 min, max;
	const char *acc; /* what is accepted, for messages */
	int (*fn)(const struct pctx *p, const struct prop *pr, void *obj, const char *val);
};

/* Set the properties named by w[0..n) in obj from tab; what names the command, for messages. */
int config_apply_props(const struct pctx *p, const struct prop *tab, int ntab, const char *what,
		       void *obj, const struct word *w, int n);

#endif
