/* SPDX-License-Identifier: GPL-2.0-only */
/* hooks.c - tflow's XDP and tc programs on interfaces: attach, detach, tell ours from others. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include "config/ifmatch.h"
#include "datapath/hooks.h"
#include "util/log.h"
#include "tflow.skel.h"

#define XDP_NAME "tflow_xdp"
#define TC_NAME "tflow_tc_egress"
/* Maps a tflow program uses: ours are 6 and libbpf's data sections. */
#define PROG_MAX_MAPS 16

enum owner {
	OWNER_NONE,    /* no program there */
	OWNER_FOREIGN, /* someone else's, or one that cannot be named (that takes CAP_SYS_ADMIN) */
	OWNER_THIS,    /* this run's */
	OWNER_PREV,    /* a previous run's, on this pin directory's maps */
	OWNER_TFLOW,   /* a tflow's on other maps: its pins are gone, or another pin directory's */
};

static bool id_in(__u32 id, const __u32 *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The name of program id, or "" when it cannot be had (opening a program by id is privileged). */
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

/*
 * Whose program id is, the one wanted being named want. Ids need no privilege, so this run's and
 * the previous runs' programs are known after the privilege drop too; a name is only had before.
 */
static enum owner prog_owner(const struct loader *l, __u32 id, const char *want, char *name,
			     size_t size)
{
	name[0] = '\0';
	if (!id)
		return OWNER_NONE;
	if (id_in(id, l->own_ids, 2))
		return OWNER_THIS;
	if (id_in(id, l->prev_ids, l->n_prev))
		return OWNER_PREV;
	prog_name(id, name, size);
	return strcmp(name, want) ? OWNER_FOREIGN : OWNER_TFLOW;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Whether a tflow program uses one of the maps the previous run had pinned. */
static bool prog_on_prev_maps(const struct loader *l, int fd)
{
	__u32 maps[PROG_MAX_MAPS];
	struct bpf_prog_info info = { .nr_map_ids = PROG_MAX_MAPS,
				      .map_ids = (__u64)(unsigned long)maps };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    (strcmp(info.name, XDP_NAME) && strcmp(info.name, TC_NAME)))
		return false;
	for (__u32 i = 0; i < info.nr_map_ids && i < PROG_MAX_MAPS; i++)
		if (id_in(maps[i], l->prev_maps, l->n_prev_maps))
			return true;
	return false;
}

void hooks_learn_programs(struct loader *l)
{
	__u32 id = 0;
	int fd, err = 0;

	l->own_ids[0] = prog_id(bpf_program__fd(l->skel->progs.tflow_xdp));
	l->own_ids[1] = prog_id(bpf_program__fd(l->skel->progs.tflow_tc_egress));
	if (!l->n_prev_maps)
		return; /* no previous run left pins */
	while (l->n_prev < LOADER_MAX_PREV && !(err = bpf_prog_get_next_id(id, &id))) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		if (!id_in(id, l->own_ids, 2) && prog_on_prev_maps(l, fd))
			l->prev_ids[l->n_prev++] = id;
		close(fd);
	}
	if (err == -EPERM)
		pr_warn("cannot list the BPF programs without CAP_SYS_ADMIN: the previous run's "
			"programs are not recognised, so neither replaced nor removed");
}

static __u32 xdp_flags(__u8 attach_mode)
{
	return attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

/*
 * Replace the XDP program old_id on ifindex by prog_fd, or remove it (prog_fd -1), in one step.
 * The kernel checks old_id is still there when we can hold it by fd, which takes CAP_SYS_ADMIN:
 * after the privilege drop, the check is the query just made.
 */
static int xdp_swap(int ifindex, __u32 old_id, int prog_fd, __u32 mode)
{
	int old_fd = bpf_prog_get_fd_by_id(old_id);
	/* libbpf adds XDP_FLAGS_REPLACE for a nonzero old_prog_fd. */
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = old_fd >= 0 ? old_fd : 0);
	int err = bpf_xdp_attach(ifindex, prog_fd, mode, &o);

	if (old_fd >= 0)
		close(old_fd);
	return err;
}

static int attach_xdp(struct loader *l, struct loader_if *li, int prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[BPF_OBJ_NAME_LEN];
	int err;

	if (!bpf_xdp_query(li->ifindex, 0, &q) && q.prog_id) {
		switch (prog_owner(l, q.prog_id, XDP_NAME, name, sizeof(name))) {
		case OWNER_THIS:
			/* The interface left the namespace and came back: XDP went with it. */
			li->xdp_mode = xdp_flags(q.attach_mode);
			return 0;
		case OWNER_PREV:
		case OWNER_TFLOW:
			break;
		default:
			pr_err("%s: another XDP program (%s%s%sid %u) is already attached; tflow "
			       "does not replace it (see 'ip link show dev %s')",
			       li->name, name[0] ? "'" : "", name, name[0] ? "', " : "", q.prog_id,
			       li->name);
			return -EBUSY;
		}
		/* A previous tflow's: swap programs in one step, so no packet goes uncounted. */
		err = xdp_swap(li->ifindex, q.prog_id, prog_fd, xdp_flags(q.attach_mode));
		if (err) {
			pr_err("%s: cannot replace the previous tflow XDP program: %s", li->name,
			       strerror(-err));
			return err;
		}
		li->xdp_mode = xdp_flags(q.attach_mode);
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

static int attach_tc(struct loader *l, struct loader_if *li, int prog_fd)
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
	/* Replace only a tflow's filter at our handle, never someone else's. */
	if (!li->tc_own_qdisc && !bpf_tc_query(&hook, &q) &&
	    prog_owner(l, q.prog_id, TC_NAME, name, sizeof(name)) == OWNER_FOREIGN) {
		pr_err("%s: tc egress handle 0x%x priority 0x%x holds another program (%s%s%sid "
		       "%u); tflow does not replace it",
		       li->name, LOADER_TC_HANDLE, LOADER_TC_PRIORITY, name[0] ? "'" : "", name,
		       name[0] ? "', " : "", q.prog_id);
		return -EBUSY;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_err("%s: cannot attach the tc egress program: %s", li->name, strerror(-err));
		return err;
	}
	li->tc = true;
	return 0;
}

/* Remove a previous run's XDP program from ifindex, or any tflow's if any_tflow. */
static bool xdp_remove_previous(const struct loader *l, int ifindex, bool any_tflow)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[BPF_OBJ_NAME_LEN];
	enum owner o;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return false;
	o = prog_owner(l, q.prog_id, XDP_NAME, name, sizeof(name));
	if (o != OWNER_PREV && !(o == OWNER_TFLOW && any_tflow))
		return false;
	return !xdp_swap(ifindex, q.prog_id, -1, xdp_flags(q.attach_mode));
}

/* Remove a previous run's tc egress filter from ifindex, or any tflow's if any_tflow. */
static bool tc_remove_previous(const struct loader *l, int ifindex, bool any_tflow)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, q, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, to, .handle = LOADER_TC_HANDLE,
			    .priority = LOADER_TC_PRIORITY);
	char name[BPF_OBJ_NAME_LEN];
	enum owner o;

	if (bpf_tc_query(&hook, &q))
		return false;
	o = prog_owner(l, q.prog_id, TC_NAME, name, sizeof(name));
	if (o != OWNER_PREV && !(o == OWNER_TFLOW && any_tflow))
		return false;
	return !bpf_tc_detach(&hook, &to);
}

/*
 * A previous tflow's hook that this run's direction does not want (a restart with another
 * direction) would count on into the pinned maps: remove it.
 */
static void drop_previous(const struct loader *l, struct loader_if *li)
{
	if (!(li->dir & CFG_DIR_INGRESS) && xdp_remove_previous(l, li->ifindex, true))
		pr_info("%s: removed the previous run's XDP program (direction %s)", li->name,
			ifmatch_dir_name(li->dir));
	if (!(li->dir & CFG_DIR_EGRESS) && tc_remove_previous(l, li->ifindex, true))
		pr_info("%s: removed the previous run's tc egress program (direction %s)", li->name,
			ifmatch_dir_name(li->dir));
}

void hooks_sweep(const struct loader *l, const char *name, int ifindex)
{
	bool xdp, tc;

	if (!l->n_prev)
		return;
	xdp = xdp_remove_previous(l, ifindex, false);
	tc = tc_remove_previous(l, ifindex, false);
	if (xdp || tc)
		pr_info("%s: removed the previous run's %s%s%s (not selected)", name,
			xdp ? "XDP program" : "", xdp && tc ? " and " : "",
			tc ? "tc egress filter" : "");
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
		err = attach_xdp(l, li, bpf_program__fd(l->skel->progs.tflow_xdp));
	if (!err && (li->dir & CFG_DIR_EGRESS) && !li->tc)
		err = attach_tc(l, li, bpf_program__fd(l->skel->progs.tflow_tc_egress));
	return err;
}

int hooks_attach(struct loader *l, const char *name, int ifindex, unsigned int flags, int dir)
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
	/* Counted before attaching, so a half-done attach is undone by hooks_detach_all. */
	l->n_ifs++;
	err = set_hooks(l, li);
	if (!err) {
		drop_previous(l, li);
		pr_info("%s: attached (%s)", li->name, hooks_str(li, hooks, sizeof(hooks)));
	}
	return err;
}

int hooks_set_dir(struct loader *l, struct loader_if *li, int dir)
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

void hooks_remove(struct loader *l, struct loader_if *li, bool detach)
{
	if (detach) {
		detach_xdp(l, li);
		detach_tc(li);
	}
	*li = l->ifs[--l->n_ifs];
}

void hooks_detach_all(struct loader *l)
{
	for (int i = 0; i < l->n_ifs; i++) {
		detach_xdp(l, &l->ifs[i]);
		detach_tc(&l->ifs[i]);
	}
}
