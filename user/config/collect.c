/* SPDX-License-Identifier: GPL-2.0-only */
/* collect.c - what the datapath gathers for the configured targets and field selection. */
#include <stdbool.h>
#include "config/collect.h"
#include "tflow.h"

__u32 collect_bits(const struct cfg *c)
{
	bool any = c->n_targets == 0, templated = c->n_targets == 0; /* JSON shows everything */
	__u32 bits = 0;

	for (int i = 0; i < c->n_targets; i++) {
		if (c->targets[i].disabled)
			continue;
		any = true;
		templated |=
			c->targets[i].version == 9 || c->targets[i].version == CFG_VERSION_IPFIX;
	}
	if (templated && (c->ipfix_fields & COLLECT_HDR_MASK))
		bits |= TFLOW_COLLECT_EXT;
	if (any && (c->ipfix_fields & TF_FIB_MASK))
		bits |= TFLOW_COLLECT_FIB;
	return bits;
}
