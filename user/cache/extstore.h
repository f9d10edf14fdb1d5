/* SPDX-License-Identifier: GPL-2.0-only */
/* extstore.h - new flows' first-packet fields, drained from the datapath's ring into a table. */
#ifndef TFLOW_EXTSTORE_H
#define TFLOW_EXTSTORE_H

#include <stdbool.h>
#include "util/ftable.h"
#include "tflow.h"

struct ring_buffer;

/*
 * The datapath sends a new flow's struct tflow_ext on tflow_ext_ring once its tflow_flows entry
 * is in (bpf/flow.bpf.h). They wait here, keyed by flow, until the scanner exports the flow.
 * Each entry carries the flow's first_ns: a flow is paired with the fields of its own first
 * packet, never with those of a later flow of the same key.
 */
struct ext_store {
	struct ftable t;	/* struct tflow_key -> struct tflow_ext_entry */
	struct ring_buffer *rb; /* tflow_ext_ring; NULL: fields come from nowhere else */
	int flows_fd;		/* tflow_flows: entries of flows no longer there are dropped */
	size_t limit;		/* more entries than this (cache-entries): look for such */
	__u64 drained_ns;	/* CLOCK_MONOTONIC of the last drain */
	__u64 received;		/* records drained from the ring */
	__u64 paired;		/* lookups that found the flow's fields */
	__u64 nomem;		/* records dropped for want of memory */
};

/* An empty store for a cache of cache_entries flows (flows_fd: its tflow_flows, or -1). */
int ext_store_init(struct ext_store *s, int flows_fd, size_t cache_entries);
void ext_store_free(struct ext_store *s);

/* Drain ring_fd (tflow_ext_ring) from now on. The ring's epoll fd: ext_store_fd(). */
int ext_store_attach(struct ext_store *s, int ring_fd);
int ext_store_fd(const struct ext_store *s);

/* Every record on the ring into the table. */
void ext_store_drain(struct ext_store *s);

/*
 * The first-packet fields of the flow k that began at first_ns into x; false (x zeroed) when
 * there are none. take: the flow is gone, forget them.
 */
bool ext_store_get(struct ext_store *s, const struct tflow_key *k, __u64 first_ns,
		   struct tflow_ext *x, bool take);

/*
 * Across a restart: save writes every entry into map_fd (the pinned tflow_ext hash map), load
 * moves its entries into the table (before the ring is drained: the ring's records are newer).
 * Both return the entries moved, or -errno.
 */
long ext_store_save(struct ext_store *s, int map_fd);
long ext_store_load(struct ext_store *s, int map_fd);

#endif
