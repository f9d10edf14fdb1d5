/* SPDX-License-Identifier: GPL-2.0-only */
/* sample.bpf.h - RouterOS packet sampling: take `interval` packets, skip `space`, repeat. */
#ifndef TFLOW_SAMPLE_BPF_H
#define TFLOW_SAMPLE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tflow.h"
#include "maps.bpf.h"

/*
 * True when this packet is to be accounted. A GSO super-packet (weight > 1) advances the cycle by
 * one: it is sampled or skipped whole, and counted as the packets it stands for. The position in
 * the cycle is per CPU: no atomics on the hot path, and each CPU follows the exact pattern over the
 * packets it processes.
 */
static __always_inline bool sample_take(const struct tflow_config *cfg, struct tflow_stats *st,
					__u32 weight)
{
	struct tflow_sampler *s;
	__u32 zero = 0;
	__u64 pos;
	bool take;

	if (!cfg || !cfg->sampling_interval || !cfg->sampling_space) {
		st->sampled += weight;
		return true;
	}
	s = bpf_map_lookup_elem(&tflow_sampler, &zero);
	if (!s) {
		st->sampled += weight;
		return true;
	}
	pos = s->pos;
	take = pos < cfg->sampling_interval;
	pos++;
	if (pos >= (__u64)cfg->sampling_interval + cfg->sampling_space)
		pos = 0;
	s->pos = pos;
	if (take)
		st->sampled += weight;
	else
		st->skipped += weight;
	return take;
}

#endif
