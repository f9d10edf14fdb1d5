/* SPDX-License-Identifier: GPL-2.0-only */
/* config_props.c - the property engine: a line's PROP=VALUE words applied through a table. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "config/config_props.h"
#include "config/value.h"

static int set_prop(const struct pctx *p, const struct prop *pr, void *obj, const char *val)
{
	char *field = (char *)obj + pr->off;
	bool b;
	__u32 u;
	__u64 v;

	switch (pr->type) {
	case P_BOOL:
	case P_INTBOOL:
		if (value_parse_bool(val, &b))
			break;
		if (pr->type == P_BOOL)
			*(bool *)field = b;
		else
			*(int *)field = b;
		return 0;
	case P_U32:
		if (value_parse_u32(val, &u) || u < pr->min || u > pr->max)
			break;
		*(__u32 *)field = u;
		return 0;
	case P_TIME:
		if (value_parse_time(val, &v) || v < pr->min || v > pr->max)
			break;
		*(__u64 *)field = v;
		return 0;
	case P_ENTRIES:
		if (value_parse_entries(val, (__u32 *)field))
			break;
		return 0;
	case P_FN:
		return pr->fn(p, pr, obj, val);
	}
	return value_bad(p, pr->name, val, NULL, pr->acc);
}

int config_apply_props(const struct pctx *p, const struct prop *tab, int ntab, const char *what,
		       void *obj, const struct word *w, int n)
{
	unsigned int seen = 0;
	char list[256];
	size_t off = 0;
	int i, k, ret;

	for (i = 0; i < n; i++) {
		if (!w[i].val)
			return value_fail(p, "'%.*s%s' after %s: expected PROP=VALUE",
					  SHOW(w[i].key), what);
		for (k = 0; k < ntab && strcmp(tab[k].name, w[i].key); k++)
			;
		if (k == ntab) {
			for (k = 0; k < ntab && off < sizeof(list); k++)
				off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
							k ? ", " : "", tab[k].name);
			return value_fail(p, "unknown property '%.*s%s' for %s (accepted: %s)",
					  SHOW(w[i].key), what, list);
		}
		if (seen & (1u << k))
			return value_fail(p, "%s: given twice on one line (accepted: once)",
					  tab[k].name);
		seen |= 1u << k;
		ret = set_prop(p, &tab[k], obj, w[i].val);
		if (ret)
			return ret;
	}
	return 0;
}
