/* loader.c - skeleton open/load, XDP and tc attach per interface, bpffs and pins. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include "ifmatch.h"
#include "collect.h"
#include "loader.h"
#include "log.h"
#include "tflow.h"
#include "tflow.skel.h"

#define BPF_FS_MAGIC 0xcafe4a11
#define BPF_FS_ROOT "/sys/fs/bpf"

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	/* libbpf's own messages are detail: show them with --verbose, warnings always. */
	if (lvl == LIBBPF_DEBUG && log_level < LOG_LVL_DEBUG)
		return 0;
	if (lvl == LIBBPF_INFO && log_level < LOG_LVL_DEBUG)
		return 0;
	/* The kernel's extack for an existing clsact qdisc: expected, we then share it. */
	if (strstr(fmt, "Kernel error message") && log_level < LOG_LVL_DEBUG)
		return 0;
	fputs("tflow: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int bpffs_ensure(void)
{
	struct statfs st;

	if (!statfs(BPF_FS_ROOT, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPF_FS_ROOT, 0700) && errno != EEXIST) {
		pr_err("cannot create %s: %s", BPF_FS_ROOT, strerror(errno));
		return -errno;
	}
	if (mount("bpf", BPF_FS_ROOT, "bpf", 0, "mode=0700")) {
		pr_err("cannot mount bpffs on %s: %s", BPF_FS_ROOT, strerror(errno));
		return -errno;
	}
	pr_info("mounted bpffs on %s", BPF_FS_ROOT);
	return 0;
}

/* Every map is pinned; libbpf reuses a compatible pin and creates and pins what is missing. */
static const char *const pinned_maps[] = { "tflow_flows",  "tflow_ext",	     "tflow_stats",
					   "tflow_config", "tflow_overflow", "tflow_sampler" };
#define N_PINNED (sizeof(pinned_maps) / sizeof(pinned_maps[0]))

static void pin_path(const struct loader *l, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", l->pin_dir, name);
}

/* One tflow per pin directory: the lock dies with the process, however it ends. */
static int pin_dir_lock(struct loader *l)
{
	struct statfs st;

	if (mkdir(l->pin_dir, 0700) && errno != EEXIST) {
		pr_err("cannot create %s: %s", l->pin_dir, strerror(errno));
		return -errno;
	}
	if (statfs(l->pin_dir, &st) || st.f_type != BPF_FS_MAGIC) {
		pr_err("%s is not on a bpf filesystem (mount -t bpf bpf DIR)", l->pin_dir);
		rmdir(l->pin_dir); /* only if empty: ours, just made */
		return -EINVAL;
	}
	l->lock_fd = open(l->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->lock_fd < 0 || flock(l->lock_fd, LOCK_EX | LOCK_NB)) {
		pr_err("another tflow is running with %s (stop it first)", l->pin_dir);
		return -EBUSY;
	}
	return 0;
}

/* libbpf reuses a pin only if it is the object's map exactly: type, sizes, entries, flags. */
static bool pin_matches(int fd, const struct bpf_map *m, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	return !bpf_obj_get_info_by_fd(fd, info, &len) && info->type == bpf_map__type(m) &&
	       info->key_size == bpf_map__key_size(m) &&
	       info->value_size == bpf_map__value_size(m) &&
	       info->max_entries == bpf_map__max_entries(m) &&
	       info->map_flags == bpf_map__map_flags(m);
}

/*
 * A previous run left its maps pinned (a restart, an upgrade, or a crash). Pins that are the
 * object's maps exactly are reused. A flow map of another size or layout cannot be: it (with its
 * tflow_ext) is handed to the caller to export, and every pin goes. Any other pin that changed
 * (an upgrade) is replaced on its own.
 */
static void pins_check(struct loader *l)
{
	struct bpf_map_info info, flows_info = {};
	char path[300];
	int fd, flows_fd = -1;

	for (size_t i = 0; i < N_PINNED; i++) {
		const struct bpf_map *m =
			bpf_object__find_map_by_name(l->skel->obj, pinned_maps[i]);

		pin_path(l, pinned_maps[i], path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (pin_matches(fd, m, &info)) {
			l->resumed |= i == 0;
		} else if (i == 0) {
			flows_fd = fd;
			flows_info = info;
			continue;
		} else {
			pr_info("%s: the pinned map has another layout (tflow was upgraded): replaced",
				pinned_maps[i]);
			unlink(path);
		}
		close(fd);
	}
	if (flows_fd < 0)
		return;
	if (flows_info.max_entries != bpf_map__max_entries(l->skel->maps.tflow_flows))
		pr_info("cache-entries changed (%u -> %u): the previous cache is exported, not reused",
			flows_info.max_entries, bpf_map__max_entries(l->skel->maps.tflow_flows));
	else
		pr_info("the previous cache has another layout (tflow was upgraded): it is exported, "
			"not reused");
	l->stale_flows = flows_fd;
	pin_path(l, "tflow_ext", path, sizeof(path));
	fd = bpf_obj_get(path);
	/* Read with struct tflow_ext: only the same layout (its size may have changed alone). */
	if (fd >= 0 && !pin_matches(fd, l->skel->maps.tflow_ext, &info) &&
	    (info.key_size != sizeof(struct tflow_key) ||
	     info.value_size != sizeof(struct tflow_ext))) {
		close(fd);
		fd = -1;
	}
	l->stale_ext = fd;
	for (size_t i = 0; i < N_PINNED; i++) {
		pin_path(l, pinned_maps[i], path, sizeof(path));
		unlink(path);
	}
}

/* tflow_exported lives in userspace only; pinned so a restart does not export a delta twice. */
static int exported_map_open(struct loader *l, __u32 cache_entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	char path[300];

	pin_path(l, "tflow_exported", path, sizeof(path));
	l->exported_fd = bpf_obj_get(path);
	if (l->exported_fd >= 0 && !l->resumed) {
		/* Baselines of a cache we did not keep mean nothing. */
		close(l->exported_fd);
		unlink(path);
		l->exported_fd = -1;
	}
	if (l->exported_fd >= 0)
		return 0;
	l->exported_fd =
		bpf_map_create(BPF_MAP_TYPE_HASH, "tflow_exported", sizeof(struct tflow_key),
			       4 * sizeof(__u64), cache_entries, &o);
	if (l->exported_fd < 0 || bpf_obj_pin(l->exported_fd, path)) {
		pr_err("cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

int loader_load(struct loader *l, const struct cfg *c, const char *pin_dir)
{
	char path[300];
	int err;

	memset(l, 0, sizeof(*l));
	l->lock_fd = l->stale_flows = l->stale_ext = l->exported_fd = -1;
	snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir);
	libbpf_set_print(libbpf_print);
	err = bpffs_ensure();
	if (!err)
		err = pin_dir_lock(l);
	if (err)
		return err;
	l->skel = tflow_bpf__open();
	if (!l->skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	/* tflow_ext holds at most one entry per cached flow. */
	err = bpf_map__set_max_entries(l->skel->maps.tflow_flows, c->cache_entries);
	if (!err)
		err = bpf_map__set_max_entries(l->skel->maps.tflow_ext, c->cache_entries);
	if (!err)
		pins_check(l);
	for (size_t i = 0; !err && i < N_PINNED; i++) {
		pin_path(l, pinned_maps[i], path, sizeof(path));
		err = bpf_map__set_pin_path(
			bpf_object__find_map_by_name(l->skel->obj, pinned_maps[i]), path);
	}
	if (err) {
		pr_err("cannot prepare the maps (%u cache entries): %s", c->cache_entries,
		       strerror(-err));
		return err;
	}
	err = tflow_bpf__load(l->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			pr_err("permission denied loading the BPF programs: run as root, or with "
			       "CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON");
		else
			pr_err("cannot load the BPF programs: %s (run with --verbose for the "
			       "verifier log)",
			       strerror(-err));
		return err;
	}
	err = exported_map_open(l, c->cache_entries);
	if (err)
		return err;
	return loader_write_config(l, c);
}

/* Entries a previous run left in tflow_ext for flows this run will never ask about. */
static void ext_purge(struct loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.tflow_ext);
	struct tflow_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		if (bpf_map_delete_elem(fd, &k))
			break;
}

int loader_write_config(struct loader *l, const struct cfg *c)
{
	struct tflow_config bc = {};
	__u32 zero = 0;

	if (c->packet_sampling) {
		bc.sampling_interval = c->sampling_interval;
		bc.sampling_space = c->sampling_space;
	}
	bc.collect = collect_bits(c);
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.tflow_config), &zero, &bc, BPF_ANY)) {
		pr_err("cannot write the datapath configuration: %s", strerror(errno));
		return -errno;
	}
	/*
	 * Once the datapath has collected, the scanner takes every removed flow's tflow_ext entry
	 * for the rest of the run, even if a reload stops collecting: none is left behind.
	 */
	if (bc.collect)
		l->ext_used = true;
	else if (!l->ext_used)
		ext_purge(l);
	return 0;
}

/* The name of the program attached with id, or "" */
static void prog_name(__u32 id, char *name, size_t size)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	name[0] = '\0';
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		snprintf(name, size, "%s", info.name);
	close(fd);
}

static int attach_xdp(struct loader_if *li, int prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[BPF_OBJ_NAME_LEN];
	int err;

	if (!bpf_xdp_query(li->ifindex, 0, &q) && q.prog_id) {
		__u32 mode =
			q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;

		prog_name(q.prog_id, name, sizeof(name));
		if (strcmp(name, "tflow_xdp")) {
			pr_err("%s: another XDP program ('%s', id %u) is already attached; tflow "
			       "does not replace it (see 'ip link show dev %s')",
			       li->name, name, q.prog_id, li->name);
			return -EBUSY;
		}
		/* A previous tflow's: swap programs in one step, so no packet goes uncounted. */
		LIBBPF_OPTS(bpf_xdp_attach_opts, o,
			    .old_prog_fd = bpf_prog_get_fd_by_id(q.prog_id));
		err = bpf_xdp_attach(li->ifindex, prog_fd, mode | XDP_FLAGS_REPLACE, &o);
		close(o.old_prog_fd);
		if (err) {
			pr_err("%s: cannot replace the previous tflow XDP program: %s", li->name,
			       strerror(-err));
			return err;
		}
		li->xdp_mode = mode;
		return 0;
	}
	err = bpf_xdp_attach(li->ifindex, prog_fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (!err) {
		li->xdp_mode = XDP_FLAGS_DRV_MODE;
		return 0;
	}
	if (err == -EBUSY || err == -EEXIST) {
		pr_err("%s: another XDP program is already attached; tflow does not replace it "
		       "(see 'ip link show dev %s')",
		       li->name, li->name);
		return err;
	}
	pr_info("%s: native XDP not available (%s), using generic XDP", li->name, strerror(-err));
	err = bpf_xdp_attach(li->ifindex, prog_fd, XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (err) {
		pr_err("%s: cannot attach XDP: %s", li->name, strerror(-err));
		return err;
	}
	li->xdp_mode = XDP_FLAGS_SKB_MODE;
	return 0;
}

static int attach_tc(struct loader_if *li, int prog_fd)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = li->ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, q, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY, .flags = BPF_TC_F_REPLACE);
	char name[BPF_OBJ_NAME_LEN];
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("%s: cannot create the clsact qdisc: %s", li->name, strerror(-err));
		return err;
	}
	li->tc_own_qdisc = !err;
	/* Replace only a previous tflow's filter at our handle, never someone else's. */
	if (!li->tc_own_qdisc && !bpf_tc_query(&hook, &q)) {
		prog_name(q.prog_id, name, sizeof(name));
		if (strcmp(name, "tflow_tc_egress")) {
			pr_err("%s: tc egress handle 0x%x priority 0x%x holds another program "
			       "('%s'); tflow does not replace it",
			       li->name, LOADER_TC_HANDLE, LOADER_TC_PRIORITY, name);
			return -EBUSY;
		}
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_err("%s: cannot attach the tc egress program: %s", li->name, strerror(-err));
		return err;
	}
	li->tc = true;
	return 0;
}

static void detach_xdp(struct loader *l, struct loader_if *li)
{
	int xdp_fd = l->skel ? bpf_program__fd(l->skel->progs.tflow_xdp) : -1;
	/* old_prog_fd: detach only if the program there is still ours. */
	DECLARE_LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = xdp_fd);
	int err;

	if (!li->xdp_mode)
		return;
	err = bpf_xdp_detach(li->ifindex, li->xdp_mode, &xo);
	if (err && err != -ENODEV)
		pr_warn("%s: XDP detach: %s", li->name, strerror(-err));
	li->xdp_mode = 0;
}

static void detach_tc(struct loader_if *li)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = li->ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, to, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY);

	if (!li->tc)
		return;
	bpf_tc_detach(&hook, &to);
	if (li->tc_own_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	li->tc = false;
}

/*
 * A previous tflow's hook that this run's direction does not want (a restart with another
 * direction) would count on into the pinned maps: remove it.
 */
static void drop_previous(struct loader_if *li)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = li->ifindex,
			    .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, q, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, to, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY);
	LIBBPF_OPTS(bpf_xdp_query_opts, xq);
	char name[BPF_OBJ_NAME_LEN];

	if (!(li->dir & CFG_DIR_INGRESS) && !bpf_xdp_query(li->ifindex, 0, &xq) && xq.prog_id) {
		prog_name(xq.prog_id, name, sizeof(name));
		if (!strcmp(name, "tflow_xdp")) {
			LIBBPF_OPTS(bpf_xdp_attach_opts, o,
				    .old_prog_fd = bpf_prog_get_fd_by_id(xq.prog_id));

			if (!bpf_xdp_detach(li->ifindex,
					    xq.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE
									       : XDP_FLAGS_DRV_MODE,
					    &o))
				pr_info("%s: removed the previous run's XDP program (direction %s)",
					li->name, ifmatch_dir_name(li->dir));
			close(o.old_prog_fd);
		}
	}
	if (!(li->dir & CFG_DIR_EGRESS) && !bpf_tc_query(&hook, &q)) {
		prog_name(q.prog_id, name, sizeof(name));
		if (!strcmp(name, "tflow_tc_egress") && !bpf_tc_detach(&hook, &to))
			pr_info("%s: removed the previous run's tc egress program (direction %s)",
				li->name, ifmatch_dir_name(li->dir));
	}
}

/* "XDP native, tc egress", "XDP generic; direction ingress", "tc egress; direction egress" */
static const char *hooks_str(const struct loader_if *li, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", !li->xdp_mode ? "" : "XDP ",
		 !li->xdp_mode			      ? ""
		 : li->xdp_mode == XDP_FLAGS_DRV_MODE ? "native"
						      : "generic",
		 li->xdp_mode && li->tc ? ", " : "", li->tc ? "tc egress" : "",
		 li->dir == CFG_DIR_BOTH      ? ""
		 : li->dir == CFG_DIR_INGRESS ? "; direction ingress"
					      : "; direction egress");
	return buf;
}

/* Attach the hooks li->dir wants and li lacks, detach those it has and does not want. */
static int set_hooks(struct loader *l, struct loader_if *li)
{
	int err = 0;

	if (!(li->dir & CFG_DIR_INGRESS))
		detach_xdp(l, li);
	if (!(li->dir & CFG_DIR_EGRESS))
		detach_tc(li);
	if ((li->dir & CFG_DIR_INGRESS) && !li->xdp_mode)
		err = attach_xdp(li, bpf_program__fd(l->skel->progs.tflow_xdp));
	if (!err && (li->dir & CFG_DIR_EGRESS) && !li->tc)
		err = attach_tc(li, bpf_program__fd(l->skel->progs.tflow_tc_egress));
	return err;
}

int loader_if_attach(struct loader *l, const char *name, int ifindex, unsigned int flags, int dir)
{
	struct loader_if *li;
	char hooks[64];
	int err;

	if (l->n_ifs >= LOADER_MAX_IFS) {
		pr_warn("%s: not attached: %d interfaces are attached already (the most tflow "
			"attaches)",
			name, LOADER_MAX_IFS);
		return -E2BIG;
	}
	li = &l->ifs[l->n_ifs];
	memset(li, 0, sizeof(*li));
	snprintf(li->name, sizeof(li->name), "%s", name);
	li->ifindex = ifindex;
	li->flags = flags;
	li->dir = dir;
	/* Counted before attaching, so a half-done attach is undone by loader_detach. */
	l->n_ifs++;
	err = set_hooks(l, li);
	if (!err) {
		drop_previous(li);
		pr_info("%s: attached (%s)", li->name, hooks_str(li, hooks, sizeof(hooks)));
	}
	return err;
}

int loader_if_set_dir(struct loader *l, struct loader_if *li, int dir)
{
	char hooks[64];
	int old = li->dir, err;

	li->dir = dir;
	err = set_hooks(l, li);
	if (!err)
		pr_info("%s: direction %s -> %s (%s)", li->name, ifmatch_dir_name(old),
			ifmatch_dir_name(dir), hooks_str(li, hooks, sizeof(hooks)));
	return err;
}

void loader_if_remove(struct loader *l, struct loader_if *li, bool detach)
{
	if (detach) {
		detach_xdp(l, li);
		detach_tc(li);
	}
	*li = l->ifs[--l->n_ifs];
}

void loader_detach(struct loader *l)
{
	for (int i = 0; i < l->n_ifs; i++) {
		detach_xdp(l, &l->ifs[i]);
		detach_tc(&l->ifs[i]);
	}
}

void loader_destroy(struct loader *l, bool keep)
{
	char path[300];

	if (!keep && l->skel) {
		for (size_t i = 0; i < N_PINNED; i++) {
			pin_path(l, pinned_maps[i], path, sizeof(path));
			unlink(path);
		}
		pin_path(l, "tflow_exported", path, sizeof(path));
		unlink(path);
		rmdir(l->pin_dir);
	}
	if (l->exported_fd >= 0)
		close(l->exported_fd);
	if (l->stale_flows >= 0)
		close(l->stale_flows);
	if (l->stale_ext >= 0)
		close(l->stale_ext);
	tflow_bpf__destroy(l->skel);
	l->skel = NULL;
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	l->lock_fd = -1;
}

int loader_flows_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.tflow_flows);
}

int loader_ext_fd(const struct loader *l)
{
	return l->ext_used ? bpf_map__fd(l->skel->maps.tflow_ext) : -1;
}

int loader_stats_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.tflow_stats);
}

struct bpf_map *loader_overflow_map(const struct loader *l)
{
	return l->skel->maps.tflow_overflow;
}
