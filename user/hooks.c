/* hooks.c - tflow's XDP and tc programs on interfaces: attach, detach, tell ours from others. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include "ifmatch.h"
#include "loader.h"
#include "log.h"
#include "tflow.skel.h"

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
