/* SPDX-License-Identifier: GPL-2.0-only */
/* stats.h - read the per-CPU datapath counters and sum them. */
#ifndef TFLOW_STATS_H
#define TFLOW_STATS_H

#include <stdio.h>
#include "tflow.h"

#define STATS_NFIELDS (sizeof(struct tflow_stats) / sizeof(__u64))

/* The field names of struct tflow_stats, in order (header-only: pure modules print them too). */
static const char *const stats_names[] = {
	"seen",		  "non_ip",	"err_eth",	 "err_vlan_depth", "err_ip_trunc",
	"err_ip_version", "err_ip_ihl", "err_ip_len",	 "err_ipv6_ext",   "sampled",
	"skipped",	  "accounted",	"flows_created", "cache_full",	   "overflow",
	"lost",		  "l4_trunc",	"l4_bad_doff",	 "fragments",	   "ext_failed",
};
_Static_assert(sizeof(stats_names) / sizeof(stats_names[0]) == STATS_NFIELDS,
	       "a tflow_stats field has no name");

int stats_read(int stats_fd, struct tflow_stats *sum);
void stats_print(const struct tflow_stats *s, FILE *f);

#endif
