/* SPDX-License-Identifier: GPL-2.0-only */
/* conntrack.h - NAT translations from conntrack: ctnetlink messages and the lookup table. */
#ifndef TFLOW_CONNTRACK_H
#define TFLOW_CONNTRACK_H

#include <stdbool.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include "util/ftable.h"
#include "record/record.h"

/* IANA natEvent (IE 230) values tflow reports. */
#define CT_NAT_EVENT_CREATE 1	    /* IPv6: no NAT66 value, the generic "Create event" */
#define CT_NAT_EVENT_DELETE 2	    /* IPv6: "Delete event" */
#define CT_NAT_EVENT_NAT44_CREATE 4 /* NAT44 session create */
#define CT_NAT_EVENT_NAT44_DELETE 5 /* NAT44 session delete */

/* One direction of a connection, in struct tflow_key's layout. */
struct ct_tuple {
	__u8 src[16]; /* v4-mapped for IPv4 */
	__u8 dst[16];
	__be16 sport; /* network order; 0 where conntrack has no ports (ICMP, GRE, ...) */
	__be16 dport;
	__u8 icmp_type; /* ICMP/ICMPv6 only */
	__u8 icmp_code;
};

enum ct_kind {
	CT_NEW = 1,	/* a new connection (event), or one that exists (dump) */
	CT_DESTROY = 2, /* the connection ended */
};

struct ct_conn {
	enum ct_kind kind;
	__u8 family; /* 4 or 6 */
	__u8 proto;
	__u32 status;	       /* IPS_* bits */
	struct ct_tuple orig;  /* as the originator sent it, before NAT */
	struct ct_tuple reply; /* as the reply arrives, before de-NAT */
};

/*
 * Parse one ctnetlink conntrack message (IPCTNL_MSG_CT_NEW / _DELETE: an event or a dump entry).
 * 0; -ENOENT for a message of another kind (to be skipped); -EINVAL when malformed.
 */
int ct_parse(const struct nlmsghdr *h, struct ct_conn *c);

/* The connection is translated: NAT status bits, or a reply that is not the original reversed. */
bool ct_is_nat(const struct ct_conn *c);

/*
 * The NAT'd connections, each under the four 5-tuples a packet of it can have where tflow
 * observes: original direction before NAT and after it, reply before de-NAT and after it.
 */
struct ct_table {
	struct ftable map; /* lookup key (struct tflow_key, see conntrack.c) -> struct ct_entry */
	size_t limit;	   /* entries at most (4 per connection) */
	__u32 gen;	   /* dump generation, see ct_table_sync_begin */
	__u64 full;	   /* connections not stored because the table was at its limit */
};

int ct_table_init(struct ct_table *t, size_t limit);
void ct_table_free(struct ct_table *t);

/*
 * Store (or refresh) a NAT'd connection. dead_ns 0: it is live; otherwise it ended and is kept
 * until dead_ns (CLOCK_MONOTONIC), so flows exported after its end still resolve. 0 or -ENOSPC.
 */
int ct_table_apply(struct ct_table *t, const struct ct_conn *c, __u64 dead_ns);

/* Forget the connections dead before now. */
void ct_table_expire(struct ct_table *t, __u64 now);

/*
 * A fresh dump (after lost events): begin, apply every dumped connection, end. Live entries the
 * dump did not refresh ended unseen: they become dead at dead_ns.
 */
void ct_table_sync_begin(struct ct_table *t);
void ct_table_sync_end(struct ct_table *t, __u64 dead_ns);

/*
 * Fill r's has_nat and nat_* from the connection r->key belongs to: the 5-tuple of that packet
 * direction after NAT (a packet already translated gets its own). false, has_nat 0, if none.
 */
bool ct_table_translate(struct ct_table *t, struct tflow_record *r);

/*
 * A NAT event record (nat-events) for c at monotonic now: key the original tuple, nat_* the
 * original direction after NAT, nat_event create or delete by c->kind.
 */
void ct_event_record(const struct ct_conn *c, __u64 now, struct tflow_record *r);

#endif
