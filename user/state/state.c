/* SPDX-License-Identifier: GPL-2.0-only */
/* state.c - the pinned tflow_state: settings, interfaces, targets and counters of a running tflow.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "util/clock.h"
#include "cache/cache.h"
#include "cache/iter.h"
#include "export/export.h"
#include "datapath/loader.h"
#include "util/log.h"
#include "state/state.h"
#include "state/state_btf.h"
#include "datapath/stats.h"
#include "config/value.h"

#define COUNT_CHUNK 4096

__u64 state_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* A previous run's state of this layout is taken over (overwritten); any other is replaced. */
static int state_reuse(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_ARRAY &&
	    info.value_size == sizeof(struct tflow_state) && info.max_entries == 1)
		return fd;
	close(fd);
	unlink(path);
	return -1;
}

int state_open(struct state *s, const char *pin_dir, int stats_fd, __u64 start_ms)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	struct btf *btf;

	memset(s, 0, sizeof(*s));
	s->stats_fd = stats_fd;
	snprintf(s->path, sizeof(s->path), "%s/tflow_state", pin_dir);
	s->st.magic = STATE_MAGIC;
	s->st.version = STATE_VERSION;
	s->st.pid = getpid();
	s->st.start_ms = start_ms;
	s->fd = state_reuse(s->path);
	if (s->fd >= 0)
		return 0;
	/* With BTF, bpftool shows it by field name; without (an old kernel), as bytes. */
	btf = state_btf_load(&o.btf_key_type_id, &o.btf_value_type_id);
	o.btf_fd = btf ? btf__fd(btf) : 0;
	s->fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tflow_state", sizeof(__u32),
			       sizeof(struct tflow_state), 1, &o);
	btf__free(btf); /* the map holds its own reference */
	if (s->fd < 0 || bpf_obj_pin(s->fd, s->path)) {
		pr_err("cannot create %s: %s", s->path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return -errno;
	}
	return 0;
}

static struct state_if *if_slot(struct tflow_state *st, __u32 ifindex, bool create)
{
	struct state_if *si;

	for (__u32 i = 0; i < st->n_ifs; i++)
		if (st->ifs[i].ifindex == ifindex)
			return &st->ifs[i];
	/* More interfaces than attachable ones: counted in the totals only. */
	if (!create || st->n_ifs >= STATE_MAX_IFS)
		return NULL;
	si = &st->ifs[st->n_ifs++];
	memset(si, 0, sizeof(*si));
	si->ifindex = ifindex;
	/* Seen only in records (a resumed cache, a deleted interface): named as the kernel says. */
	if (!if_indextoname(ifindex, si->name))
		snprintf(si->name, sizeof(si->name), "if%u", ifindex);
	return si;
}

void state_record(struct state *s, const struct tflow_record *r)
{
	struct state_if *si = if_slot(&s->st, r->key.ifindex, true);
	int dir = r->key.dir == TFLOW_DIR_EGRESS;

	s->st.records++;
	if (r->end_reason < STATE_N_REASONS)
		s->st.by_reason[r->end_reason]++;
	if (si) {
		si->packets[dir] += r->packets;
		si->bytes[dir] += r->bytes;
	}
}

static void update_ifs(struct tflow_state *st, const struct loader *l)
{
	__u32 n = 0;

	for (__u32 i = 0; i < st->n_ifs; i++)
		st->ifs[i].attached = 0;
	for (int i = 0; i < l->n_ifs; i++) {
		const struct loader_if *li = &l->ifs[i];
		struct state_if *si = if_slot(st, li->ifindex, true);

		if (!si)
			continue;
		memcpy(si->name, li->name, sizeof(si->name));
		si->attached = li->xdp_mode || li->tc;
		si->xdp = li->xdp_mode == XDP_FLAGS_DRV_MODE   ? STATE_XDP_NATIVE
			  : li->xdp_mode == XDP_FLAGS_SKB_MODE ? STATE_XDP_GENERIC
							       : STATE_XDP_NONE;
		si->tc_egress = li->tc;
		si->up = !!(li->flags & IFF_UP);
	}
	/* Interfaces gone with nothing exported make room; those with counters stay listed. */
	for (__u32 i = 0; i < st->n_ifs; i++) {
		const struct state_if *si = &st->ifs[i];

		if (si->attached || si->packets[0] || si->packets[1])
			st->ifs[n++] = *si;
	}
	st->n_ifs = n;
}

static void target_addr(const struct cfg_target *t, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	value_ip_str(&t->dst, a, sizeof(a));
	snprintf(buf, size, t->dst.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, t->port);
}

/* The exporter holds the enabled targets, in the configuration's order. */
static void update_targets(struct tflow_state *st, const struct cfg *c, const struct exporter *e)
{
	__u64 mono = mono_ns(), real = state_now_ms();
	int j = 0;

	st->n_targets = 0;
	for (int i = 0; i < c->n_targets && i < STATE_MAX_TARGETS; i++) {
		struct state_target *st_t = &st->targets[st->n_targets++];
		const struct target *t = NULL;

		memset(st_t, 0, sizeof(*st_t));
		target_addr(&c->targets[i], st_t->addr, sizeof(st_t->addr));
		st_t->version = c->targets[i].version;
		st_t->disabled = c->targets[i].disabled;
		if (!st_t->disabled && j < e->n_targets)
			t = &e->targets[j++];
		if (!t)
			continue;
		st_t->datagrams = t->datagrams;
		st_t->records = t->records;
		st_t->templates_sent = t->templates_sent;
		st_t->send_errors = t->send_errors;
		st_t->refused = t->refused;
		st_t->skipped_ipv6 = t->skipped_ipv6;
		if (t->templates_ns && mono >= t->templates_ns)
			st_t->last_template_ms = real - (mono - t->templates_ns) / 1000000;
	}
}

void state_update(struct state *s, const struct cfg *c, const struct loader *l,
		  const struct exporter *e, const struct cache *cache)
{
	struct tflow_state *st = &s->st;
	__u32 zero = 0;

	st->cache_entries = c->cache_entries;
	st->packet_sampling = c->packet_sampling;
	st->sampling_interval = c->sampling_interval;
	st->sampling_space = c->sampling_space;
	st->all_interfaces = c->all_interfaces;
	st->resumed = l->resumed;
	st->scan_mode = iter_mode(cache->iter);
	st->active_timeout_ns = c->active_timeout_ns;
	st->inactive_timeout_ns = c->inactive_timeout_ns;
	st->scan_interval_ns = c->scan_interval_ns;
	st->ipfix_fields = c->ipfix_fields;
	memcpy(st->cfg_ifs, c->interfaces, sizeof(st->cfg_ifs));
	st->n_cfg_ifs = c->all_interfaces ? 0 : c->n_interfaces;
	st->spill_entries = cache->spill.flows.count;
	st->scan_entries = cache->last_entries;
	st->json_records = e->json_records;
	st->scans++;
	update_ifs(st, l);
	update_targets(st, c, e);
	st->updated_ms = state_now_ms();
	st->gen_end = ++st->gen;
	if (s->fd >= 0 && bpf_map_update_elem(s->fd, &zero, st, BPF_ANY))
		pr_debug("cannot update %s: %s", s->path, strerror(errno));
}

void state_close(struct state *s, bool keep)
{
	__u32 zero = 0;

	if (s->fd < 0)
		return;
	/* Not kept, the pin goes with the others (loader_destroy). */
	if (keep) {
		s->st.exit_ms = state_now_ms();
		s->st.gen_end = ++s->st.gen;
		bpf_map_update_elem(s->fd, &zero, &s->st, BPF_ANY);
	}
	close(s->fd);
	s->fd = -1;
}

int state_read(int fd, struct tflow_state *st)
{
	__u32 zero = 0;

	/* The writer updates once per scan: a torn copy is rare, and the next one is whole. */
	for (int attempt = 0; attempt < 5; attempt++) {
		if (bpf_map_lookup_elem(fd, &zero, st))
			return -errno;
		if (st->gen == st->gen_end)
			return 0;
		usleep(1000);
	}
	return -EAGAIN;
}

int state_count_entries(int map_fd, __u64 *count)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), out_batch = 0, n;
	void *keys, *vals, *in = NULL, *prev = NULL;
	int err = 0;

	*count = 0;
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	keys = calloc(COUNT_CHUNK, info.key_size);
	vals = calloc(COUNT_CHUNK, info.value_size);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		n = COUNT_CHUNK;
		err = bpf_map_lookup_batch(map_fd, in, &out_batch, keys, vals, &n, &opts);
		*count += n;
		if (err) {
			err = -errno;
			break;
		}
		in = &out_batch;
	}
	if (err == -ENOENT) {
		err = 0;
		goto out;
	}
	if (err != -EINVAL || *count)
		goto out;
	/* Kernels before 5.6 have no batch reads of hash maps. */
	for (err = 0; !bpf_map_get_next_key(map_fd, prev, keys); prev = vals) {
		memcpy(vals, keys, info.key_size);
		(*count)++;
	}
out:
	free(keys);
	free(vals);
	return err;
}

int state_snap_live(struct state_snap *s, int flows_fd, int stats_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	s->now_ms = state_now_ms();
	err = stats_read(stats_fd, &s->stats);
	if (!err && bpf_obj_get_info_by_fd(flows_fd, &info, &len))
		err = -errno;
	if (err)
		return err;
	s->cache_size = info.max_entries;
	return state_count_entries(flows_fd, &s->active_flows);
}

int state_snap(struct state *s, struct state_snap *out)
{
	memset(out, 0, sizeof(*out));
	out->st = s->st;
	out->running = true;
	out->now_ms = state_now_ms();
	/* Counting a 256k cache takes ~150 ms: a scrape reuses what the scan read anyway. */
	out->active_flows = s->st.scan_entries;
	out->cache_size = s->st.cache_entries;
	return stats_read(s->stats_fd, &out->stats);
}
