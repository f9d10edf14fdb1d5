/* export.h - targets: one UDP socket each, records batched into datagrams of its version. */
#ifndef TFLOW_EXPORT_H
#define TFLOW_EXPORT_H

#include <stdio.h>
#include "config.h"
#include "log.h"
#include "nf5.h"
#include "record.h"

struct target {
	struct cfg_target cfg;
	int fd;
	__u32 flow_seq; /* v5: flows sent so far */
	struct tflow_record pending[NF5_MAX_RECS];
	int n_pending;
	/* counters for status */
	__u64 datagrams;
	__u64 records;
	__u64 send_errors;
	__u64 skipped_ipv6; /* flows v5 cannot carry */
	struct log_ratelimit rl;
};

struct exporter {
	struct target targets[CFG_MAX_TARGETS];
	int n_targets;
	__u16 nf5_sampling;
	FILE *json; /* no target configured: JSON lines here */
	__u64 json_records;
};

int export_open(struct exporter *e, const struct cfg *c, FILE *json_out);
void export_close(struct exporter *e);

/* Queue one record for every enabled target; full datagrams are sent at once. */
void export_record(struct exporter *e, const struct tflow_record *r);

/* Send every partly filled datagram (end of a scan). */
void export_flush(struct exporter *e);

#endif
