/* SPDX-License-Identifier: GPL-2.0-only */
/* ifsel.c - which interfaces are attached: the selection applied at start, reload, link events. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "config/ifmatch.h"
#include "datapath/hooks.h"
#include "datapath/ifsel.h"
#include "util/log.h"
#include "datapath/netlink.h"

struct sysif {
	char name[IF_NAMESIZE];
	int ifindex;
	unsigned int flags;
};

/* Every interface of the network namespace, with its flags; *out is to be freed. */
static int sys_list(struct sysif **out, int *n)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int sock, cnt = 0, err = 0;

	*n = 0;
	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++)
		cnt++;
	*out = calloc((size_t)cnt + 1, sizeof(**out));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!*out || sock < 0)
		err = *out ? -errno : -ENOMEM;
	for (i = ifs; !err && i->if_index; i++) {
		struct ifreq ifr = {};
		struct sysif *s = &(*out)[*n];

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(sock, SIOCGIFFLAGS, &ifr))
			continue; /* gone since it was listed */
		snprintf(s->name, sizeof(s->name), "%s", i->if_name);
		s->ifindex = (int)i->if_index;
		s->flags = (unsigned short)ifr.ifr_flags;
		(*n)++;
	}
	if (sock >= 0)
		close(sock);
	if_freenameindex(ifs);
	return err;
}

static struct loader_if *find_ifindex(struct loader *l, int ifindex)
{
	for (int i = 0; i < l->n_ifs; i++)
		if (l->ifs[i].ifindex == ifindex)
			return &l->ifs[i];
	return NULL;
}

/* Say which entries of interfaces= select nothing yet: a typo shows, a late interface is fine. */
static void report_unmatched(const struct loader *l, const struct cfg *c)
{
	for (int e = 0; !c->all_interfaces && e < c->n_interfaces; e++) {
		const char *entry = c->interfaces[e];
		bool hit = false;

		for (int i = 0; i < l->n_ifs && !hit; i++)
			hit = ifmatch_entry(c, entry, l->ifs[i].name);
		if (hit)
			continue;
		if (ifmatch_is_pattern(entry) || ifmatch_list(c, entry) >= 0)
			pr_info("interfaces: '%s' matches no interface yet: interfaces it matches "
				"are attached when they appear",
				entry);
		else
			/* PPP sessions, VLANs and veths come and go: wait for it rather than fail.
			 */
			pr_warn("interface '%s' does not exist (yet): it is attached when it appears",
				entry);
	}
}

int ifsel_attach(struct loader *l, const struct cfg *c)
{
	struct sysif *sys = NULL;
	int n, err = sys_list(&sys, &n);

	if (err) {
		pr_err("cannot list the interfaces: %s", strerror(-err));
		free(sys);
		return err;
	}
	/* Interfaces no longer selected (a reload) go first. A link that is down stays. */
	for (int i = 0; i < l->n_ifs;) {
		struct loader_if *li = &l->ifs[i];
		const struct sysif *s = NULL;

		for (int k = 0; k < n && !s; k++)
			s = sys[k].ifindex == li->ifindex ? &sys[k] : NULL;
		if (s && !ifmatch_selected(c, s->name, s->flags | IFF_UP)) {
			pr_info("%s: detached (not selected by interfaces= any more)", s->name);
			hooks_remove(l, li, true);
		} else if (!s) {
			/* Deleted, its link event not read yet or lost (nl_read's -ENOBUFS). */
			pr_warn("%s: deleted; its flows stay in the cache and are exported as usual",
				li->name);
			hooks_remove(l, li, false);
		} else {
			snprintf(li->name, sizeof(li->name), "%s", s->name);
			i++;
		}
	}
	for (int i = 0; !err && i < l->n_ifs; i++) {
		int dir = ifmatch_direction(c, l->ifs[i].name);

		if (dir != l->ifs[i].dir)
			err = hooks_set_dir(l, &l->ifs[i], dir);
	}
	for (int k = 0; !err && k < n; k++)
		if (!find_ifindex(l, sys[k].ifindex) &&
		    ifmatch_selected(c, sys[k].name, sys[k].flags))
			err = hooks_attach(l, sys[k].name, sys[k].ifindex, sys[k].flags,
					   ifmatch_direction(c, sys[k].name));
	if (err == -E2BIG)
		err = 0; /* logged: the interfaces past the limit are not attached */
	for (int k = 0; !err && k < n; k++)
		if (!find_ifindex(l, sys[k].ifindex))
			hooks_sweep(l, sys[k].name, sys[k].ifindex);
	free(sys);
	if (err)
		return err;
	report_unmatched(l, c);
	if (c->all_interfaces && !l->n_ifs) {
		pr_err("interfaces=all: no interface other than loopback is up");
		return -ENODEV;
	}
	return 0;
}

void ifsel_link_event(struct loader *l, const struct cfg *c, const struct nl_link_event *ev)
{
	struct loader_if *li = find_ifindex(l, ev->ifindex);
	int dir, n = l->n_ifs;

	if (li && ev->deleted) {
		pr_warn("%s: deleted; its flows stay in the cache and are exported as usual",
			li->name);
		hooks_remove(l, li, false);
		return;
	}
	if (li && ev->name[0] && strcmp(ev->name, li->name)) {
		/* Linux renames only a link that is down: whether it is up does not matter. */
		if (!ifmatch_selected(c, ev->name, ev->flags | IFF_UP)) {
			pr_info("%s: renamed to %s, which interfaces= does not select: detached",
				li->name, ev->name);
			hooks_remove(l, li, true);
			return;
		}
		pr_info("%s: renamed to %s, still attached", li->name, ev->name);
		snprintf(li->name, sizeof(li->name), "%s", ev->name);
		dir = ifmatch_direction(c, li->name);
		if (dir != li->dir)
			hooks_set_dir(l, li, dir);
	}
	if (li) {
		if ((ev->flags ^ li->flags) & IFF_UP)
			pr_info("%s: link %s", li->name, ev->flags & IFF_UP ? "up" : "down");
		li->flags = ev->flags;
		return;
	}
	if (ev->deleted || !ev->name[0] || !ifmatch_selected(c, ev->name, ev->flags))
		return;
	if (hooks_attach(l, ev->name, ev->ifindex, ev->flags, ifmatch_direction(c, ev->name)) &&
	    l->n_ifs > n)
		hooks_remove(l, &l->ifs[l->n_ifs - 1], true); /* half attached: undone */
}
