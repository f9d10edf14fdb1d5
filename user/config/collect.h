/* SPDX-License-Identifier: GPL-2.0-only */
/* collect.h - what the datapath gathers for the configured targets and field selection. */
#ifndef TFLOW_COLLECT_H
#define TFLOW_COLLECT_H

#include <linux/types.h>
#include "config/config.h"

/* Fields the datapath reads from a new flow's first packet (TFLOW_COLLECT_EXT). */
#define COLLECT_HDR_MASK (TF_EXT_MASK & ~TF_FIB_MASK)

/*
 * tflow_config.collect for c: TFLOW_COLLECT_EXT when a v9 or IPFIX target (or JSON output, no
 * target) is enabled and the selection (ipfix_fields) has a first-packet header field;
 * TFLOW_COLLECT_FIB when the selection has gateway or out-interface, for any version (v1/v5
 * records have a next hop and an output interface too).
 */
__u32 collect_bits(const struct cfg *c);

#endif
