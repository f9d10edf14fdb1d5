/* SPDX-License-Identifier: GPL-2.0-only */
/* state_btf.c - BTF for tflow_state, so `bpftool map dump` shows it by field name too. */
#include <errno.h>
#include <stddef.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include "state/state.h"
#include "state/state_btf.h"

struct field {
	const char *name;
	int type;
	size_t off;
};

#define FLD(s, f, t)                         \
	{                                    \
#f, t, offsetof(struct s, f) \
	}
#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static int add_struct(struct btf *b, const char *name, size_t size, const struct field *f, int n)
{
	int id = btf__add_struct(b, name, size);

	for (int i = 0; id > 0 && i < n; i++)
		if (f[i].type <= 0 || btf__add_field(b, f[i].name, f[i].type, f[i].off * 8, 0))
			return -EINVAL;
	return id;
}

/* The types, in the order of state.h; padding is left out (BTF needs no member there). */
static int build(struct btf *b, int *key_id)
{
	int u8 = btf__add_int(b, "__u8", 1, 0), u32 = btf__add_int(b, "__u32", 4, 0);
	int s32 = btf__add_int(b, "__s32", 4, BTF_INT_SIGNED), u64 = btf__add_int(b, "__u64", 8, 0);
	int chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	int ifname = btf__add_array(b, u32, chr, CFG_IFNAME_LEN);
	int u64x2 = btf__add_array(b, u32, u64, 2);
	const struct field if_fields[] = {
		FLD(state_if, name, ifname),   FLD(state_if, ifindex, u32),
		FLD(state_if, attached, u8),   FLD(state_if, xdp, u8),
		FLD(state_if, tc_egress, u8),  FLD(state_if, up, u8),
		FLD(state_if, packets, u64x2), FLD(state_if, bytes, u64x2),
	};
	int sif = add_struct(b, "state_if", sizeof(struct state_if), if_fields, N(if_fields));
	const struct field target_fields[] = {
		FLD(state_target, addr, btf__add_array(b, u32, chr, STATE_ADDR_LEN)),
		FLD(state_target, version, u32),
		FLD(state_target, disabled, u8),
		FLD(state_target, datagrams, u64),
		FLD(state_target, records, u64),
		FLD(state_target, templates_sent, u64),
		FLD(state_target, send_errors, u64),
		FLD(state_target, refused, u64),
		FLD(state_target, skipped_ipv6, u64),
		FLD(state_target, last_template_ms, u64),
	};
	int stg = add_struct(b, "state_target", sizeof(struct state_target), target_fields,
			     N(target_fields));
	const struct field fields[] = {
		FLD(tflow_state, magic, u32),
		FLD(tflow_state, version, u32),
		FLD(tflow_state, gen, u64),
		FLD(tflow_state, pid, s32),
		FLD(tflow_state, start_ms, u64),
		FLD(tflow_state, updated_ms, u64),
		FLD(tflow_state, exit_ms, u64),
		FLD(tflow_state, cache_entries, u32),
		FLD(tflow_state, sampling_interval, u32),
		FLD(tflow_state, sampling_space, u32),
		FLD(tflow_state, packet_sampling, u8),
		FLD(tflow_state, all_interfaces, u8),
		FLD(tflow_state, resumed, u8),
		FLD(tflow_state, scan_mode, u8),
		FLD(tflow_state, active_timeout_ns, u64),
		FLD(tflow_state, inactive_timeout_ns, u64),
		FLD(tflow_state, scan_interval_ns, u64),
		FLD(tflow_state, ipfix_fields, u64),
		FLD(tflow_state, cfg_ifs, btf__add_array(b, u32, ifname, CFG_MAX_IFACES)),
		FLD(tflow_state, n_cfg_ifs, u32),
		FLD(tflow_state, records, u64),
		FLD(tflow_state, by_reason, btf__add_array(b, u32, u64, STATE_N_REASONS)),
		FLD(tflow_state, spill_entries, u64),
		FLD(tflow_state, scan_entries, u64),
		FLD(tflow_state, json_records, u64),
		FLD(tflow_state, scans, u64),
		FLD(tflow_state, n_ifs, u32),
		FLD(tflow_state, n_targets, u32),
		FLD(tflow_state, ifs, btf__add_array(b, u32, sif, STATE_MAX_IFS)),
		FLD(tflow_state, targets, btf__add_array(b, u32, stg, STATE_MAX_TARGETS)),
		FLD(tflow_state, gen_end, u64),
	};

	*key_id = u32;
	if (u8 <= 0 || s32 <= 0 || sif <= 0 || stg <= 0)
		return -EINVAL;
	return add_struct(b, "tflow_state", sizeof(struct tflow_state), fields, N(fields));
}

struct btf *state_btf_load(__u32 *key_id, __u32 *value_id)
{
	struct btf *b = btf__new_empty();
	int key, value;

	if (!b)
		return NULL;
	value = build(b, &key);
	if (value <= 0 || key <= 0 || btf__load_into_kernel(b)) {
		btf__free(b);
		return NULL;
	}
	*key_id = key;
	*value_id = value;
	return b;
}
