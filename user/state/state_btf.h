/* SPDX-License-Identifier: GPL-2.0-only */
/* state_btf.h - BTF describing struct tflow_state, for bpftool. */
#ifndef TFLOW_STATE_BTF_H
#define TFLOW_STATE_BTF_H

#include <linux/types.h>

struct btf;

/* Build and load the BTF of struct tflow_state; NULL when the kernel takes none (then no BTF). */
struct btf *state_btf_load(__u32 *key_id, __u32 *value_id);

#endif
