/* SPDX-License-Identifier: GPL-2.0-only */
/* config.h - tflow configuration: RouterOS `/ip traffic-flow` syntax and long options. */
#ifndef TFLOW_CONFIG_H
#define TFLOW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "config/cfg.h"
#include "record/fields.h"

void config_defaults(struct cfg *c);

/*
 * Parse a whole RouterOS-syntax file. On error, err holds "FILE:LINE: ..." and -EINVAL is returned;
 * a file that cannot be opened or read gives -errno / -EIO with "FILE: ...".
 */
int config_parse_file(struct cfg *c, const char *path, char *err, size_t errlen);

/*
 * Parse one logical line (continuations already joined); file/lineno only for messages. A bare
 * `set`/`add` line needs the menu of an earlier line, so it is accepted only by config_parse_file.
 */
int config_parse_line(struct cfg *c, const char *line, const char *file, int lineno, char *err,
		      size_t errlen);

/*
 * Set a global property (`cache-entries`, `interfaces`, ...) from a long option; `ipfix` takes
 * FIELD=yes|no,... as `/ip traffic-flow ipfix set` does.
 */
int config_set(struct cfg *c, const char *property, const char *value, char *err, size_t errlen);

/* Add a target from HOST[:PORT][,version=V][,src-address=A][,...] (IPv6 as [addr]:port). */
int config_add_target_spec(struct cfg *c, const char *spec, char *err, size_t errlen);

/* Cross-property checks after everything was read (sampling-interval > 0 when sampling, ...). */
int config_validate(const struct cfg *c, char *err, size_t errlen);

/* Print the effective configuration in RouterOS syntax (round-trips through the parser). */
void config_print(const struct cfg *c, FILE *f);

#endif
