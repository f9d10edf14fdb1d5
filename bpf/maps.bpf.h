/* SPDX-License-Identifier: GPL-2.0-only */
/* maps.bpf.h - the maps shared by the XDP and tc programs (one object, one skeleton). */
#ifndef TFLOW_MAPS_BPF_H
#define TFLOW_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tflow.h"
#include "flowmaps.bpf.h"

/* Packets that found the cache full, one record each, for userspace's spill table. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} tflow_overflow SEC(".maps");

/*
 * New flows' first-packet fields (struct tflow_ext_rec), when tflow_config.collect asks. Sized
 * by the loader from cache-entries; userspace drains it into its own table.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} tflow_ext_ring SEC(".maps");

/*
 * Not used by the programs: where a restarting tflow leaves the first-packet fields it holds
 * (struct tflow_ext_entry) for the next run, pinned with the cache. Not preallocated.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tflow_key);
	__type(value, struct tflow_ext_entry);
} tflow_ext SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tflow_stats);
} tflow_stats SEC(".maps");

/* Written by userspace at start and on reload; read once per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tflow_config);
} tflow_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tflow_sampler);
} tflow_sampler SEC(".maps");

#endif
