/* SPDX-License-Identifier: GPL-2.0-only */
/* flowmaps.bpf.h - the flow cache map, shared by the datapath and iter.bpf.c. */
#ifndef TFLOW_FLOWMAPS_BPF_H
#define TFLOW_FLOWMAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tflow.h"

/* The flow cache. max_entries is `cache-entries`, set by the loader before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tflow_key);
	__type(value, struct tflow_value);
} tflow_flows SEC(".maps");

#endif
