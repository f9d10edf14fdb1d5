/* SPDX-License-Identifier: GPL-2.0-only */
/* prom.h - a state snapshot in the Prometheus text exposition format (version 0.0.4). */
#ifndef TFLOW_PROM_H
#define TFLOW_PROM_H

#include <stdio.h>
#include "state/state.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Every tflow_ metric family, with HELP and TYPE lines, for one snapshot. */
void prom_render(const struct state_snap *s, FILE *f);

/* A target's version as the configuration writes it: "1", "5", "9" or "IPFIX". */
const char *prom_version_name(__u32 version);

/* An end reason's name: idle, active, eof, forced, resources ("?" for others). */
const char *prom_reason_name(int reason);

#endif
