/* SPDX-License-Identifier: GPL-2.0-only */
/* config_iface.h - interface selection: interfaces=, direction, interface lists and entries. */
#ifndef TFLOW_CONFIG_IFACE_H
#define TFLOW_CONFIG_IFACE_H

#include <stddef.h>
#include <stdio.h>
#include "config/cfg.h"
#include "config/config_props.h"
#include "config/value.h"

#define ACC_IFACES                                                                             \
	"all, or a comma-separated list of up to 64 interface names (1-15 characters without " \
	"'/', ':' or spaces), /interface list names and patterns such as ppp* or vlan1?"
#define ACC_DIR "both, ingress or egress"

/* interfaces= and direction=, the P_FN setters of the global property table (config.c). */
int config_set_interfaces(const struct pctx *p, const struct prop *pr, void *obj, const char *val);
int config_set_direction(const struct pctx *p, const struct prop *pr, void *obj, const char *val);

/* `/interface list add`, `/interface list member add`, `/ip traffic-flow interface add` words. */
int config_add_list_words(struct cfg *c, const struct pctx *p, const char *what,
			  const struct word *w, int n);
int config_add_member_words(struct cfg *c, const struct pctx *p, const char *what,
			    const struct word *w, int n);
int config_add_ifdir_words(struct cfg *c, const struct pctx *p, const char *what,
			   const struct word *w, int n);

/* n names stride bytes apart, joined by ',', quoted when one holds '"' or '\'. */
void config_fput_names(FILE *f, const char *names, size_t stride, int n);
/* The `/interface list` lines (before the set line that may use them), and the direction lines. */
void config_print_lists(const struct cfg *c, FILE *f);
void config_print_ifdirs(const struct cfg *c, FILE *f);

#endif
