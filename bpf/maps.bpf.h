/* maps.bpf.h - the maps shared by the XDP and tc programs (one object, one skeleton). */
#ifndef TFLOW_MAPS_BPF_H
#define TFLOW_MAPS_BPF_H

/* The flow cache. max_entries is `cache-entries`, set by the loader before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tflow_key);
	__type(value, struct tflow_value);
} tflow_flows SEC(".maps");

/*
 * First-packet fields of the flows in tflow_flows, same key; written on insert only when
 * tflow_config.collect asks. Not preallocated: it costs memory only for the flows that have an
 * entry. max_entries is `cache-entries`, set by the loader.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tflow_key);
	__type(value, struct tflow_ext);
} tflow_ext SEC(".maps");

/* Packets that found the cache full, one record each, for userspace's spill table. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} tflow_overflow SEC(".maps");

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
