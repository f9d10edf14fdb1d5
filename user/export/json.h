/* SPDX-License-Identifier: GPL-2.0-only */
/* json.h - a flow record as one JSON line, written when no target is configured. */
#ifndef TFLOW_JSON_H
#define TFLOW_JSON_H

#include <stddef.h>
#include "record/record.h"

/* Format a record as one JSON object (no newline); returns length as snprintf does. */
int record_to_json(const struct tflow_record *r, char *buf, size_t size);

#endif
