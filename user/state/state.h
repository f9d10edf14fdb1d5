/* SPDX-License-Identifier: GPL-2.0-only */
/* state.h - what `tflow run` is doing, pinned as tflow_state for `tflow status` and metrics. */
#ifndef TFLOW_STATE_H
#define TFLOW_STATE_H

#include <stdbool.h>
#include <linux/types.h>
#include "config/config.h"
#include "record/record.h"
#include "tflow.h"

#define STATE_MAGIC 0x74666c77u /* "tflw" */
#define STATE_VERSION 1
#define STATE_MAX_IFS CFG_MAX_IFACES
#define STATE_MAX_TARGETS CFG_MAX_TARGETS
#define STATE_ADDR_LEN 56 /* "[ffff:...:ffff]:65535" */
#define STATE_N_REASONS 6 /* index: enum tflow_end_reason; 0 unused */

enum state_xdp { STATE_XDP_NONE, STATE_XDP_NATIVE, STATE_XDP_GENERIC };

/*
 * One interface: attached now, or one that was (deleted, detached on reload) whose flows were
 * exported. Packets and bytes are those of exported records, by the direction they were seen in.
 */
struct state_if {
	char name[CFG_IFNAME_LEN];
	__u32 ifindex;
	__u8 attached; /* our programs are on it now */
	__u8 xdp;      /* enum state_xdp */
	__u8 tc_egress;
	__u8 up;	  /* IFF_UP as last seen */
	__u64 packets[2]; /* index TFLOW_DIR_INGRESS, TFLOW_DIR_EGRESS */
	__u64 bytes[2];
};

/* One configured target and what it sent since this run started (kept across SIGHUP). */
struct state_target {
	char addr[STATE_ADDR_LEN]; /* "192.0.2.1:2055", "[2001:db8::1]:2055" */
	__u32 version;		   /* 1, 5, 9 or 10 (IPFIX) */
	__u8 disabled;		   /* disabled=yes: configured, sends nothing */
	__u8 pad[3];
	__u64 datagrams;
	__u64 records; /* data records; for v9/IPFIX options records too (one per template set) */
	__u64 templates_sent; /* datagrams that carried templates */
	__u64 send_errors;
	__u64 refused;		/* datagrams answered with ICMP port unreachable */
	__u64 skipped_ipv6;	/* v1/v5 cannot carry IPv6 flows */
	__u64 last_template_ms; /* unix time, ms; 0 = never */
};

/*
 * The value of the one-entry tflow_state array map, userspace only: written by `tflow run` after
 * every scan (one map update), read by `tflow status`. gen and gen_end are equal in a complete
 * copy; a reader that sees them differ read it during an update and reads again.
 */
struct tflow_state {
	__u32 magic;   /* STATE_MAGIC */
	__u32 version; /* STATE_VERSION: the layout */
	__u64 gen;
	__s32 pid;
	__u32 pad0;
	__u64 start_ms;	  /* unix time, ms */
	__u64 updated_ms; /* the last update */
	__u64 exit_ms;	  /* set when tflow exited for a restart (SIGUSR1), leaving the pins */
	/* effective settings */
	__u32 cache_entries;
	__u32 sampling_interval;
	__u32 sampling_space;
	__u8 packet_sampling;
	__u8 all_interfaces;
	__u8 resumed;	/* the cache of a previous run was reused */
	__u8 scan_mode; /* enum scan_mode (user/cache/iter.h): how the scans walk the map */
	__u64 active_timeout_ns;
	__u64 inactive_timeout_ns;
	__u64 scan_interval_ns;
	__u64 ipfix_fields;			      /* TF_BIT(enum tflow_field) set */
	char cfg_ifs[CFG_MAX_IFACES][CFG_IFNAME_LEN]; /* interfaces=, unless all_interfaces */
	__u32 n_cfg_ifs;
	__u32 pad2;
	/* counters since this run started */
	__u64 records;			  /* flow records exported (active-timeout deltas too) */
	__u64 by_reason[STATE_N_REASONS]; /* records by enum tflow_end_reason */
	__u64 spill_entries;		  /* flows in the userspace spill table now */
	__u64 scan_entries;		  /* flows the last scan found in tflow_flows */
	__u64 json_records;		  /* no target: records printed as JSON lines */
	__u64 scans;
	__u32 n_ifs;
	__u32 n_targets;
	struct state_if ifs[STATE_MAX_IFS];
	struct state_target targets[STATE_MAX_TARGETS];
	__u64 gen_end;
};

/* Flows that ended: every end reason except the active timeout's delta. */
static inline __u64 state_finished(const struct tflow_state *st)
{
	__u64 n = 0;

	for (int i = 0; i < STATE_N_REASONS; i++)
		n += i == TFLOW_END_ACTIVE ? 0 : st->by_reason[i];
	return n;
}

/* Everything `tflow status` and the metrics show: the state with the datapath's live figures. */
struct state_snap {
	struct tflow_state st;
	struct tflow_stats stats; /* tflow_stats summed over the CPUs */
	__u32 cache_size;	  /* max_entries of tflow_flows */
	__u64 active_flows;	  /* entries in tflow_flows now */
	__u64 now_ms;		  /* when the snapshot was taken, unix ms */
	bool running;		  /* a tflow holds the pin directory */
};

/* The writer's side, in `tflow run`. */
struct state {
	int fd;	      /* the tflow_state map, pinned */
	int stats_fd; /* tflow_stats, for snapshots */
	char path[300];
	struct tflow_state st;
};

struct loader;
struct exporter;
struct cache;

/*
 * Create tflow_state and pin it in pin_dir, replacing a previous run's; start_ms: when the run
 * started (unix ms). 0 or -errno (logged).
 */
int state_open(struct state *s, const char *pin_dir, int stats_fd, __u64 start_ms);

/* Count one exported record (by end reason, by interface and direction). */
void state_record(struct state *s, const struct tflow_record *r);

/* Refresh settings, interfaces, targets and the spill table's size; write the map. */
void state_update(struct state *s, const struct cfg *c, const struct loader *l,
		  const struct exporter *e, const struct cache *cache);

/* A restart (keep) leaves the pin marked as exited; on shutdown loader_destroy removes it. */
void state_close(struct state *s, bool keep);

/* A complete copy of the state map's value. 0, -EAGAIN (kept changing), or -errno. */
int state_read(int fd, struct tflow_state *st);

/* Entries in a hash map, counted with batched reads (key by key where batches are missing). */
int state_count_entries(int map_fd, __u64 *count);

/* The live figures for a snapshot: stats, cache size and active flows; st is left as it is. */
int state_snap_live(struct state_snap *s, int flows_fd, int stats_fd);

/* This run's snapshot, for the metrics: active flows as the last scan found them (no map walk). */
int state_snap(struct state *s, struct state_snap *out);

__u64 state_now_ms(void);

#endif
