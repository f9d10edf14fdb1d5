/* SPDX-License-Identifier: GPL-2.0-only */
/* export.h - targets: one UDP socket each, records packed into datagrams of its version. */
#ifndef TFLOW_EXPORT_H
#define TFLOW_EXPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "config/config.h"
#include "export/ie.h"
#include "export/ifnames.h"
#include "export/msg.h"
#include "util/log.h"
#include "export/nf5.h"
#include "record/record.h"

#define EXPORT_MAX_DATAGRAM 65507 /* largest UDP payload over IPv4 */

struct fmt_ops; /* a format's operations (export.c) */

struct target {
	struct cfg_target cfg;
	const struct fmt_ops *ops; /* by cfg.version */
	int fd;
	size_t max_len; /* UDP payload bytes: mtu less the IP and UDP headers */
	int max_recs;	/* v1/v5: records per datagram within max_len */
	/* Sequence as each format defines it: v5 flows, v9 datagrams, IPFIX data records. */
	__u32 seq;
	/* v1/v5: records waiting for their datagram */
	struct tflow_record pending[NF5_MAX_RECS];
	int n_pending;
	/* v9/IPFIX: the message being built */
	struct tmsg msg;
	bool msg_open;
	bool msg_has_templates;
	__u32 since_templates; /* datagrams sent since the last one carrying templates */
	__u64 templates_ns;    /* CLOCK_MONOTONIC of the last templates; 0 = never sent */
	__u32 ifnames_sent;    /* interface names sent up to this generation (struct ifnames) */
	__u8 buf[EXPORT_MAX_DATAGRAM];
	/* counters */
	__u64 datagrams;
	__u64 records;
	__u64 templates_sent;
	__u64 send_errors;
	__u64 refused;	    /* datagrams the collector answered with ICMP port unreachable */
	__u64 skipped_ipv6; /* flows v1/v5 cannot carry */
	struct log_ratelimit rl;
};

struct exporter {
	struct target *targets;
	int n_targets;
	struct enc_sampling sampling; /* as announced: interval 1, space 0 when off */
	struct ie_layout v9, ipfix;   /* data templates of the ipfix field selection */
	__u16 nf5_sampling;
	FILE *json;	/* no target configured: JSON lines here */
	FILE *json_out; /* where JSON lines would go */
	__u64 json_records;

	/* in- or out-interface selected, and a v9/IPFIX target: names announced (template 261) */
	bool ifnames_on;
	struct ifnames ifnames; /* the attached interfaces and those records lead to */
};

/* Open c's targets; nothing is sent until export_flush (templates first). */
int export_open(struct exporter *e, const struct cfg *c, FILE *json_out);

/*
 * Reload: send what is pending, then switch to c's targets. Unchanged targets (same address,
 * port, version and source-id) keep their sequence numbers; every target gets templates now.
 */
int export_reconfigure(struct exporter *e, const struct cfg *c);
void export_close(struct exporter *e);

/* Queue one record for every enabled target; full datagrams are sent at once. */
void export_record(struct exporter *e, const struct tflow_record *r);

/* Send every partly filled datagram, and templates whose timeout came (end of a scan). */
void export_flush(struct exporter *e);

/*
 * Interface names, announced to v9/IPFIX targets with in- or out-interface selected (options
 * template 261) with the templates and, when they change, with the next datagram. Attached:
 * ifindex (an attached interface) is called name. Link: a link event for ifindex, name NULL when
 * it was deleted; it renames or forgets an interface already named, and does nothing otherwise.
 */
void export_ifname_attached(struct exporter *e, __u32 ifindex, const char *name);
void export_ifname_link(struct exporter *e, __u32 ifindex, const char *name);

#endif
