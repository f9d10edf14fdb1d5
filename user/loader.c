/* loader.c - skeleton open/load, XDP and tc attach per interface, bpffs and pins. */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
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

int loader_load(struct loader *l, const struct cfg *c)
{
	int err;

	memset(l, 0, sizeof(*l));
	libbpf_set_print(libbpf_print);
	err = bpffs_ensure();
	if (err)
		return err;
	l->skel = tflow_bpf__open();
	if (!l->skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = bpf_map__set_max_entries(l->skel->maps.tflow_flows, c->cache_entries);
	if (err) {
		pr_err("cannot size the flow cache to %u entries: %s", c->cache_entries,
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
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.tflow_config), &zero, &bc, BPF_ANY)) {
		pr_err("cannot write the datapath configuration: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int attach_xdp(struct loader_if *li, int prog_fd)
{
	int err;

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
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("%s: cannot create the clsact qdisc: %s", li->name, strerror(-err));
		return err;
	}
	li->tc_own_qdisc = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_err("%s: cannot attach the tc egress program: %s", li->name, strerror(-err));
		return err;
	}
	li->tc = true;
	li->tc_handle = opts.handle;
	li->tc_priority = opts.priority;
	return 0;
}

static int add_interface(struct loader *l, const char *name)
{
	struct loader_if *li;
	int ifindex = if_nametoindex(name);

	if (!ifindex) {
		pr_err("interface '%s' does not exist", name);
		return -ENODEV;
	}
	if (l->n_ifs >= CFG_MAX_IFACES) {
		pr_err("more than %d interfaces", CFG_MAX_IFACES);
		return -E2BIG;
	}
	li = &l->ifs[l->n_ifs++];
	snprintf(li->name, sizeof(li->name), "%s", name);
	li->ifindex = ifindex;
	return 0;
}

/* interfaces=all: every interface that is up and not loopback, as RouterOS means it. */
static int add_all_interfaces(struct loader *l)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int sock, err = 0;

	if (!ifs)
		return -errno;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = ifs; sock >= 0 && i->if_index && !err; i++) {
		struct ifreq ifr = {};

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(sock, SIOCGIFFLAGS, &ifr))
			continue;
		if ((ifr.ifr_flags & IFF_LOOPBACK) || !(ifr.ifr_flags & IFF_UP))
			continue;
		err = add_interface(l, i->if_name);
	}
	if (sock >= 0)
		close(sock);
	if_freenameindex(ifs);
	if (!err && !l->n_ifs) {
		pr_err("interfaces=all: no interface other than loopback is up");
		return -ENODEV;
	}
	return err;
}

int loader_attach(struct loader *l, const struct cfg *c)
{
	int xdp_fd = bpf_program__fd(l->skel->progs.tflow_xdp);
	int tc_fd = bpf_program__fd(l->skel->progs.tflow_tc_egress);
	int err = 0;

	if (c->all_interfaces)
		err = add_all_interfaces(l);
	for (int i = 0; !c->all_interfaces && i < c->n_interfaces && !err; i++)
		err = add_interface(l, c->interfaces[i]);
	for (int i = 0; i < l->n_ifs && !err; i++) {
		struct loader_if *li = &l->ifs[i];

		err = attach_xdp(li, xdp_fd);
		if (!err)
			err = attach_tc(li, tc_fd);
		if (!err)
			pr_info("%s: attached (XDP %s, tc egress)", li->name,
				li->xdp_mode == XDP_FLAGS_DRV_MODE ? "native" : "generic");
	}
	return err;
}

void loader_detach(struct loader *l)
{
	int xdp_fd = l->skel ? bpf_program__fd(l->skel->progs.tflow_xdp) : -1;

	for (int i = 0; i < l->n_ifs; i++) {
		struct loader_if *li = &l->ifs[i];

		if (li->xdp_mode) {
			/* old_prog_fd: detach only if the program there is still ours. */
			DECLARE_LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = xdp_fd);
			int err = bpf_xdp_detach(li->ifindex, li->xdp_mode, &xo);

			if (err && err != -ENODEV)
				pr_warn("%s: XDP detach: %s", li->name, strerror(-err));
			li->xdp_mode = 0;
		}
		if (li->tc) {
			DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = li->ifindex,
					    .attach_point = BPF_TC_EGRESS);
			DECLARE_LIBBPF_OPTS(bpf_tc_opts, to, .handle = li->tc_handle,
					    .priority = li->tc_priority);

			bpf_tc_detach(&hook, &to);
			if (li->tc_own_qdisc) {
				hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
				bpf_tc_hook_destroy(&hook);
			}
			li->tc = false;
		}
	}
}

static const char *const pinned_maps[] = { "tflow_flows", "tflow_stats", "tflow_config",
					   "tflow_overflow" };

int loader_pin(struct loader *l)
{
	char path[256];
	int err;

	if (mkdir(TFLOW_PIN_DIR, 0700) && errno != EEXIST) {
		pr_err("cannot create %s: %s", TFLOW_PIN_DIR, strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(l->skel->obj, pinned_maps[i]);

		snprintf(path, sizeof(path), "%s/%s", TFLOW_PIN_DIR, pinned_maps[i]);
		if (!access(path, F_OK)) {
			pr_err("%s exists: another tflow is running, or one did not exit cleanly "
			       "(if none runs, remove %s)",
			       path, TFLOW_PIN_DIR);
			return -EEXIST;
		}
		err = bpf_map__pin(m, path);
		if (err) {
			pr_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
		l->pinned = true;
	}
	return 0;
}

void loader_destroy(struct loader *l)
{
	if (l->pinned) {
		for (size_t i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
			struct bpf_map *m =
				bpf_object__find_map_by_name(l->skel->obj, pinned_maps[i]);

			if (m && bpf_map__is_pinned(m))
				bpf_map__unpin(m, NULL);
		}
		rmdir(TFLOW_PIN_DIR);
		l->pinned = false;
	}
	tflow_bpf__destroy(l->skel);
	l->skel = NULL;
}

int loader_flows_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.tflow_flows);
}

int loader_stats_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.tflow_stats);
}

struct bpf_map *loader_overflow_map(const struct loader *l)
{
	return l->skel->maps.tflow_overflow;
}
