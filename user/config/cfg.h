/* SPDX-License-Identifier: GPL-2.0-only */
/* cfg.h - the configuration's types: struct cfg, its targets and interface entries, and limits. */
#ifndef TFLOW_CFG_H
#define TFLOW_CFG_H

#include <stdbool.h>
#include <sys/socket.h>
#include <linux/types.h>

#define CFG_MAX_TARGETS 16
#define CFG_MAX_IFACES 64 /* entries of interfaces= */
#define CFG_IFNAME_LEN 16 /* IFNAMSIZ */
/* A list name or a pattern is not an interface name: it may be longer than IFNAMSIZ - 1. */
#define CFG_NAME_LEN 64
#define CFG_MAX_LISTS 32
#define CFG_MAX_MEMBERS 256
#define CFG_MAX_IFDIRS 64
#define CFG_ERR_LEN 1024 /* room for the 36 ipfix field names an error lists */

#define CFG_VERSION_IPFIX 10

struct cfg_target {
	struct sockaddr_storage dst; /* address and port; AF_INET or AF_INET6 */
	socklen_t dst_len;
	struct sockaddr_storage src; /* ss_family AF_UNSPEC when src-address is 0.0.0.0 or unset */
	socklen_t src_len;	     /* 0 when unset */
	__u16 port;		     /* host order, default 2055 */
	int version;		     /* 1, 5, 9 or CFG_VERSION_IPFIX; default 9 */
	__u32 template_refresh;	     /* v9-template-refresh, default 20 */
	__u64 template_timeout_ns;   /* v9-template-timeout, default 30m */
	bool disabled;		     /* disabled=yes */
	__u32 mtu;		     /* IP packet size of an export datagram, default 1500 */
	__u32 source_id;	     /* v9 source ID / IPFIX observation domain ID, default 0 */
};

/* Which hooks an interface gets: XDP sees ingress, tc egress sees egress. */
enum cfg_dir { CFG_DIR_INGRESS = 1, CFG_DIR_EGRESS = 2, CFG_DIR_BOTH = 3 };

/* `/interface list member add interface=NAME|PATTERN list=LIST` */
struct cfg_member {
	char iface[CFG_NAME_LEN];
	__u32 list; /* index in cfg.lists */
};

/* `/ip traffic-flow interface add interface=NAME|LIST|PATTERN direction=...` (tflow's own) */
struct cfg_ifdir {
	char iface[CFG_NAME_LEN];
	__u32 dir; /* enum cfg_dir */
};

struct cfg {
	int enabled;	     /* -1 not set, 0 no, 1 yes; `tflow run` runs unless explicitly 0 */
	bool all_interfaces; /* interfaces=all (the default) */
	char interfaces[CFG_MAX_IFACES][CFG_NAME_LEN]; /* names, list names, patterns */
	int n_interfaces;
	__u32 cache_entries;	   /* default 4k = 4096 */
	__u64 active_timeout_ns;   /* default 30m */
	__u64 inactive_timeout_ns; /* default 15s */
	bool packet_sampling;	   /* default no */
	__u32 sampling_interval;   /* default 0 */
	__u32 sampling_space;	   /* default 0 */
	__u64 scan_interval_ns;	   /* tflow extension `scan-interval`, default 1s */
	__u64 ipfix_fields;	   /* `/ip traffic-flow ipfix`: TF_BIT(enum tflow_field) set */
	struct cfg_target targets[CFG_MAX_TARGETS];
	int n_targets;
	__u32 direction; /* tflow extension `direction`, enum cfg_dir, default both */
	char lists[CFG_MAX_LISTS][CFG_NAME_LEN]; /* `/interface list add name=` */
	int n_lists;
	struct cfg_member members[CFG_MAX_MEMBERS];
	int n_members;
	struct cfg_ifdir ifdirs[CFG_MAX_IFDIRS]; /* in order: the last matching entry wins */
	int n_ifdirs;
};

#endif
