/* stats.h - read the per-CPU datapath counters and sum them. */
#ifndef TFLOW_STATS_H
#define TFLOW_STATS_H

#include <stdio.h>
#include "tflow.h"

int stats_read(int stats_fd, struct tflow_stats *sum);
void stats_print(const struct tflow_stats *s, FILE *f);

#endif
