/* loader.h - load the BPF object, attach it to interfaces, pin its maps; undo exactly that. */
#ifndef TFLOW_LOADER_H
#define TFLOW_LOADER_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "config.h"

struct loader_if {
	char name[CFG_IFNAME_LEN];
	int ifindex;
	__u32 xdp_mode;	   /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE once attached, else 0 */
	bool tc;	   /* our egress filter is attached */
	bool tc_own_qdisc; /* we created the clsact qdisc, so we remove it */
	__u32 tc_handle;
	__u32 tc_priority;
};

struct loader {
	struct tflow_bpf *skel;
	struct loader_if ifs[CFG_MAX_IFACES];
	int n_ifs;
	bool pinned;
};

/* Mount bpffs if needed, open the object, size the cache, load. Returns 0 or -errno (logged). */
int loader_load(struct loader *l, const struct cfg *c);

/* Write sampling settings into the tflow_config map. */
int loader_write_config(struct loader *l, const struct cfg *c);

/* Attach to the configured interfaces (or every non-loopback interface that is up). */
int loader_attach(struct loader *l, const struct cfg *c);

/* Pin maps under TFLOW_PIN_DIR. */
int loader_pin(struct loader *l);

/* Detach what we attached; leave anything else on the interfaces alone. */
void loader_detach(struct loader *l);

/* Remove our pins and free everything. */
void loader_destroy(struct loader *l);

int loader_flows_fd(const struct loader *l);
int loader_stats_fd(const struct loader *l);
struct bpf_map *loader_overflow_map(const struct loader *l);

#endif
