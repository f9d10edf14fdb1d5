/* SPDX-License-Identifier: GPL-2.0-only */
/* export_bench.h - what the export-side sections share: synthetic flows, a flow map, the MTU. */
#ifndef TFLOW_EXPORT_BENCH_H
#define TFLOW_EXPORT_BENCH_H

#include <linux/types.h>
#include "tflow.h"
#include "cache/extstore.h"

#define EXPORT_PAYLOAD 1472 /* mtu 1500 less IPv4 and UDP headers, tflow's default */

struct tflow_bpf;

/* Flow i: 10.98.x.y:i -> 10.99.0.2:443 (IPv4) or fd98::x:y -> fd99::2 (IPv6), UDP or TCP. */
void make_key(struct tflow_key *k, __u32 i, int family);
void make_value(struct tflow_value *v, __u32 i, __u64 t);
/* tflow's maps sized as the loader sizes them for max_entries; *fd: tflow_flows. NULL on error. */
struct tflow_bpf *flows_map_load(__u32 max_entries, int *fd);
/* The first-packet fields of the n flows make_key() numbers, all fields, first seen at t. */
int ext_fill(struct ext_store *s, __u32 n, __u64 t);

#endif
