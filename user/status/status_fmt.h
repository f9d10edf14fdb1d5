/* SPDX-License-Identifier: GPL-2.0-only */
/* status_fmt.h - `tflow status` output: aligned like RouterOS `print`, or one JSON object. */
#ifndef TFLOW_STATUS_FMT_H
#define TFLOW_STATUS_FMT_H

#include <stdio.h>
#include "state/state.h"

void status_print(const struct state_snap *s, const char *pin_dir, FILE *f);
void status_json(const struct state_snap *s, const char *pin_dir, FILE *f);

#endif
