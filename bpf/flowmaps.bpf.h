/* flowmaps.bpf.h - the flow cache maps, shared by the datapath and iter.bpf.c. */
#ifndef TFLOW_FLOWMAPS_BPF_H
#define TFLOW_FLOWMAPS_BPF_H

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

#endif
