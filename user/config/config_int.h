/* SPDX-License-Identifier: GPL-2.0-only */
/* config_int.h - what config.c, config_parse.c, config_target.c and config_ipfix.c share. */
#ifndef TFLOW_CONFIG_INT_H
#define TFLOW_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "config/config.h"
#include "config/config_props.h"
#include "config/value.h"
#include "util/util.h"

/* `/ip traffic-flow set` words (or one long option): all applied, or on error none. */
int config_set_words(struct cfg *c, const struct pctx *p, const char *what, const struct word *w,
		     int n);

/* `/ip traffic-flow target add` words: one more target in c, or on error none. */
int config_add_target_words(struct cfg *c, const struct pctx *p, const char *what,
			    const struct word *w, int n);

/* `/ip traffic-flow ipfix set` words: FIELD=yes|no each; all applied, or on error none. */
int config_ipfix_words(struct cfg *c, const struct pctx *p, const char *what, const struct word *w,
		       int n);

/* `--ipfix FIELD=yes|no,...`, the same as config_ipfix_words. */
int config_ipfix_spec(struct cfg *c, const struct pctx *p, const char *spec);

/* The `/ip traffic-flow ipfix set` line of c, every field. */
void config_print_ipfix(const struct cfg *c, FILE *f);

#endif
