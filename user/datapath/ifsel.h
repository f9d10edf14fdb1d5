/* SPDX-License-Identifier: GPL-2.0-only */
/* ifsel.h - which interfaces are attached: the selection applied at start, reload, link events. */
#ifndef TFLOW_IFSEL_H
#define TFLOW_IFSEL_H

#include "config/config.h"
#include "datapath/loader.h"

/*
 * Make the attached interfaces those c selects, with the hooks of their direction:
 * detach the ones no longer selected, change directions, attach the new ones (replacing a previous
 * tflow's programs in place, with no gap). Used at start and on reload. A named interface that
 * does not exist is logged and attached when it appears.
 */
int ifsel_attach(struct loader *l, const struct cfg *c);

struct nl_link_event;

/*
 * Follow an interface event: attach an interface c selects when it appears or is renamed
 * to a selected name; detach one renamed out of the selection; log an attached one going down/up
 * or being deleted (its flows stay in the cache).
 */
void ifsel_link_event(struct loader *l, const struct cfg *c, const struct nl_link_event *ev);

#endif
