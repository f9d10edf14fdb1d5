/* SPDX-License-Identifier: GPL-2.0-only */
/* take.h - removal of single flows for the batched scan, the counters marked taken first. */
#ifndef TFLOW_TAKE_H
#define TFLOW_TAKE_H

#include "tflow.h"

/*
 * Removal of single flows for the batched scan: tflow_take (iter.bpf.c), a syscall program over
 * flows_fd that marks the counters taken before the delete (include/tflow.h, TFLOW_TAKEN), so a
 * packet that adds to the flow meanwhile is accounted again instead of lost. NULL (errno set)
 * before Linux 5.14.
 */
struct flow_take;
struct flow_take *take_open(int flows_fd);
void take_close(struct flow_take *t);
/* Remove the flow k, its final value into v. 0, -ENOENT when it is not in the map, or -errno. */
int take_flow(struct flow_take *t, const struct tflow_key *k, struct tflow_value *v);

#endif
