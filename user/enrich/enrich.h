/* SPDX-License-Identifier: GPL-2.0-only */
/* enrich.h - what userspace adds to a record before export: address masks, NAT translation. */
#ifndef TFLOW_ENRICH_H
#define TFLOW_ENRICH_H

#include <stdbool.h>
#include "config/config.h"
#include "enrich/conntrack.h"
#include "util/log.h"
#include "record/record.h"
#include "enrich/route.h"

typedef void (*enrich_emit_fn)(void *ctx, const struct tflow_record *r);

struct enrich {
	__u64 fields; /* TF_NAT_MASK, TF_NAT_EVENTS, TF_ROUTE_MASK, TF_FIB_MASK bits outputs use */
	int epfd;     /* epoll over the sockets below: the one fd the event loop watches */
	enrich_emit_fn emit; /* where NAT event records go */
	void *emit_ctx;
	/* conntrack */
	int ct_fd; /* NEW and DESTROY events, or -1 when not followed */
	struct ct_table ct;
	__u64 keep_ns;	  /* how long an ended connection still resolves */
	__u64 sweep_ns;	  /* next sweep of ended connections */
	__u64 resyncs;	  /* dumps again after events were lost */
	__u64 ct_errors;  /* messages that did not parse */
	__u64 ct_dumped;  /* NAT'd connections in the last dump */
	__u64 ct_dump_ns; /* CLOCK_MONOTONIC of the last dump */
	struct log_ratelimit ct_rl;
	/* routes */
	int rt_fd;		     /* route events, or -1 */
	struct route_table rt;	     /* main table: masks, routes of translated destinations */
	struct route_table rt_local; /* the host's own addresses (local table, type local) */
	bool rt_dirty;		     /* routes changed since the last dump */
	__u64 rt_dump_ns;	     /* CLOCK_MONOTONIC of the last dump */
	struct log_ratelimit rt_rl;
};

/* Nothing followed yet; NAT event records will go to emit. 0 or -errno. */
int enrich_init(struct enrich *e, enrich_emit_fn emit, void *emit_ctx);

/*
 * Follow what c's outputs need (at start and on SIGHUP): conntrack when a NAT field or nat-events
 * is selected for a v9/IPFIX target or JSON output, routes for the masks. A table kept across a
 * reload is read again. What cannot be followed is logged once, and its fields stay empty.
 */
void enrich_configure(struct enrich *e, const struct cfg *c);

/* The fd to poll (readable when events are queued); enrich_read handles them. */
int enrich_fd(const struct enrich *e);
void enrich_read(struct enrich *e);

/*
 * Fill r's src/dst_mask and NAT fields, as selected, just before it is exported; an ingress flow
 * whose destination is translated gets the out-interface and gateway of the translated one.
 */
void enrich_record(struct enrich *e, struct tflow_record *r);

void enrich_free(struct enrich *e);

#endif
