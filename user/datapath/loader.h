/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loader.h - load the BPF object, pin its maps, undo exactly that; struct loader is also what
 * hooks.h (the programs on one interface) and ifsel.h (which interfaces) work on.
 */
#ifndef TFLOW_LOADER_H
#define TFLOW_LOADER_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "config/config.h"

/* Our tc egress filter sits at a fixed handle and priority, so a restarted tflow finds it. */
#define LOADER_TC_HANDLE 0x7f1
#define LOADER_TC_PRIORITY 0x7f1
/* Interfaces attached at once: a pattern such as ppp* may select thousands of sessions. */
#define LOADER_MAX_IFS 1024
/* Pins a run leaves, and programs of previous runs recognised (each run has 2; a crash may mix). */
#define LOADER_MAX_PINS 16
#define LOADER_MAX_PREV 16

struct loader_if {
	char name[CFG_IFNAME_LEN];
	int ifindex;
	__u32 xdp_mode;	    /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE once attached, else 0 */
	bool tc;	    /* our egress filter is attached */
	bool tc_own_qdisc;  /* we created the clsact qdisc, so we remove it */
	unsigned int flags; /* IFF_* as last seen, to tell what a link event changed */
	int dir;	    /* enum cfg_dir: XDP for ingress, tc for egress */
};

struct loader {
	struct tflow_bpf *skel;
	struct loader_if ifs[LOADER_MAX_IFS];
	int n_ifs;
	char pin_dir[256];
	int lock_fd;	    /* the pin directory, flock()ed: one tflow per pin directory */
	bool resumed;	    /* the maps of a previous run were reused: the cache survived */
	int stale_flows;    /* a previous run's flow map that could not be reused, or -1 */
	int stale_ext;	    /* that run's tflow_ext, or -1 */
	int stale_exported; /* that run's tflow_exported (its active-timeout baselines), or -1 */
	int exported_fd;    /* tflow_exported: what active timeouts exported of live flows */
	/* Programs are told apart by id, which needs no privilege once dropped (hooks.c). */
	__u32 own_ids[2];		  /* this run's tflow_xdp and tflow_tc_egress */
	__u32 prev_maps[LOADER_MAX_PINS]; /* ids of the maps a previous run left pinned */
	int n_prev_maps;
	__u32 prev_ids[LOADER_MAX_PREV]; /* previous runs' programs, on those maps */
	int n_prev;
};

/*
 * Mount bpffs if needed, lock pin_dir, open the object, size the cache, reuse or create the
 * pinned maps, load. Returns 0 or -errno (logged). A previous run's cache of another size or
 * layout is left in stale_flows (its tflow_ext in stale_ext) for the caller to export once the
 * new programs are attached.
 */
int loader_load(struct loader *l, const struct cfg *c, const char *pin_dir);

/*
 * Write the tflow_config map: sampling settings, and what the datapath collects for the targets
 * and field selection of c (collect_bits()).
 */
int loader_write_config(struct loader *l, const struct cfg *c);

/* Free everything; remove the pins unless keep (a restart picks them up). */
void loader_destroy(struct loader *l, bool keep);

int loader_flows_fd(const struct loader *l);
/* Bytes of tflow_ext_ring for a cache of cache_entries flows: a power of two. */
#define LOADER_EXT_RING_MIN (1u << 20)
#define LOADER_EXT_RING_MAX (32u << 20)
__u32 loader_ext_ring_size(__u32 cache_entries);
int loader_stats_fd(const struct loader *l);
struct bpf_map *loader_overflow_map(const struct loader *l);

#endif
