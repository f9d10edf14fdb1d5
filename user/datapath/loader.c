/* SPDX-License-Identifier: GPL-2.0-only */
/* loader.c - skeleton open/load, bpffs and pins; hooks.c attaches the programs to interfaces. */
#include <dirent.h>
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
#include <bpf/bpf.h>
#include "config/collect.h"
#include "datapath/hooks.h"
#include "datapath/loader.h"
#include "util/log.h"
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
static const char *const pinned_maps[] = { "tflow_flows",  "tflow_ext",	   "tflow_ext_ring",
					   "tflow_stats",  "tflow_config", "tflow_overflow",
					   "tflow_sampler" };
#define N_PINNED (sizeof(pinned_maps) / sizeof(pinned_maps[0]))
_Static_assert(N_PINNED <= LOADER_MAX_PINS, "loader.prev_maps holds every pinned map");

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
	bool same, ext_changed = false;

	for (size_t i = 0; i < N_PINNED; i++) {
		const struct bpf_map *m =
			bpf_object__find_map_by_name(l->skel->obj, pinned_maps[i]);

		pin_path(l, pinned_maps[i], path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		same = pin_matches(fd, m, &info);
		/* The previous run's programs use it: that is how hooks.c tells them. */
		if (info.id)
			l->prev_maps[l->n_prev_maps++] = info.id;
		if (same) {
			l->resumed |= i == 0;
		} else if (i == 0) {
			flows_fd = fd;
			flows_info = info;
			continue;
		} else if (i == 1) {
			/* Sized by cache-entries: what a stale cache left is read below. */
			ext_changed = true;
		} else {
			pr_info("%s: the pinned map has another layout (tflow was upgraded): replaced",
				pinned_maps[i]);
			unlink(path);
		}
		close(fd);
	}
	if (flows_fd < 0) {
		if (ext_changed) {
			pr_info("tflow_ext: the pinned map has another layout (tflow was upgraded): "
				"replaced");
			pin_path(l, "tflow_ext", path, sizeof(path));
			unlink(path);
		}
		return;
	}
	if (flows_info.max_entries != bpf_map__max_entries(l->skel->maps.tflow_flows))
		pr_info("cache-entries changed (%u -> %u): the previous cache is exported, not reused",
			flows_info.max_entries, bpf_map__max_entries(l->skel->maps.tflow_flows));
	else
		pr_info("the previous cache has another layout (tflow was upgraded): it is exported, "
			"not reused");
	l->stale_flows = flows_fd;
	pin_path(l, "tflow_ext", path, sizeof(path));
	fd = bpf_obj_get(path);
	/* Read as struct tflow_ext_entry: only that layout (its size may have changed alone). */
	if (fd >= 0 && !pin_matches(fd, l->skel->maps.tflow_ext, &info) &&
	    (info.key_size != sizeof(struct tflow_key) ||
	     info.value_size != sizeof(struct tflow_ext_entry))) {
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
		/*
		 * Baselines of a cache we did not keep: what its active timeouts exported. A stale
		 * cache, exported now, needs them (or those deltas go out twice); none else does.
		 */
		if (l->stale_flows >= 0)
			l->stale_exported = l->exported_fd;
		else
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
	l->lock_fd = l->stale_flows = l->stale_ext = l->stale_exported = l->exported_fd = -1;
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
		err = bpf_map__set_max_entries(l->skel->maps.tflow_ext_ring,
					       loader_ext_ring_size(c->cache_entries));
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
	hooks_learn_programs(l);
	err = exported_map_open(l, c->cache_entries);
	if (err)
		return err;
	return loader_write_config(l, c);
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
	return 0;
}

/*
 * Remove every pin (tflow_*; state.c's too) through the directory's fd: the user tflow runs as may
 * not reach the directory by path, as under a bpffs root of mode 0700 (systemd mounts /sys/fs/bpf
 * so). Removing the directory itself takes write access to its parent, which no fd gives.
 */
static void pins_remove(struct loader *l)
{
	int fd = openat(l->lock_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		pr_warn("cannot list %s to remove the pins: %s", l->pin_dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "tflow_", 6) && unlinkat(l->lock_fd, e->d_name, 0))
			pr_warn("cannot remove the pin %s/%s: %s; its map stays allocated until it is "
				"removed",
				l->pin_dir, e->d_name, strerror(errno));
	closedir(d);
	if (!rmdir(l->pin_dir) || errno == ENOENT)
		return;
	if (errno == EACCES || errno == EPERM)
		pr_info("the empty pin directory %s stays: uid %u may not remove it from its parent "
			"directory",
			l->pin_dir, getuid());
	else
		pr_info("the pin directory %s stays: %s", l->pin_dir, strerror(errno));
}

void loader_destroy(struct loader *l, bool keep)
{
	if (!keep && l->skel)
		pins_remove(l);
	if (l->exported_fd >= 0)
		close(l->exported_fd);
	if (l->stale_flows >= 0)
		close(l->stale_flows);
	if (l->stale_ext >= 0)
		close(l->stale_ext);
	if (l->stale_exported >= 0)
		close(l->stale_exported);
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

__u32 loader_ext_ring_size(__u32 cache_entries)
{
	/*
	 * Room for a quarter of the cache's flows' records (112 bytes and an 8-byte header each):
	 * the datapath wakes userspace at half, so a burst of new flows has the other half as
	 * slack.
	 */
	__u64 want = (__u64)cache_entries * 32, size = LOADER_EXT_RING_MIN;

	while (size < want && size < LOADER_EXT_RING_MAX)
		size <<= 1;
	return (__u32)size;
}

int loader_stats_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.tflow_stats);
}

struct bpf_map *loader_overflow_map(const struct loader *l)
{
	return l->skel->maps.tflow_overflow;
}
