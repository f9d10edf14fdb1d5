/* SPDX-License-Identifier: GPL-2.0-only */
/* netlink.c - rtnetlink link events, so tflow follows interfaces that come and go. */
#include <errno.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "datapath/netlink.h"
#include "util/nlattr.h"
#include "util/nlsock.h"

#define NL_DRAIN_MAX 16 /* reads of the queue after a loss (each until empty or lost again) */

struct nl_cb {
	nl_link_fn fn;
	void *arg;
};

int nl_open(void)
{
	static const unsigned int groups[] = { RTNLGRP_LINK };

	/* The system's default receive buffer: after a loss the caller lists the links again. */
	return nls_subscribe(NETLINK_ROUTE, groups, 1, 0);
}

static void on_msg(void *arg, const struct nlmsghdr *h)
{
	const struct nl_cb *cb = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct nlattr *tb[IFLA_MAX + 1];
	struct nl_link_event ev = { 0 };

	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	ev.ifindex = ifi->ifi_index;
	ev.flags = ifi->ifi_flags;
	ev.deleted = h->nlmsg_type == RTM_DELLINK;
	nla_table((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)),
		  h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)), tb, IFLA_MAX);
	if (tb[IFLA_IFNAME]) {
		size_t n = strnlen(nla_data(tb[IFLA_IFNAME]), nla_len(tb[IFLA_IFNAME]));

		if (n >= sizeof(ev.name))
			n = sizeof(ev.name) - 1;
		memcpy(ev.name, nla_data(tb[IFLA_IFNAME]), n);
	}
	cb->fn(cb->arg, &ev);
}

static void discard(void *arg, const struct nlmsghdr *h)
{
	(void)arg, (void)h;
}

int nl_read(int fd, nl_link_fn fn, void *arg)
{
	struct nl_cb cb = { fn, arg };
	int err = nls_read(fd, on_msg, &cb);

	if (err != -ENOBUFS)
		return err;
	/*
	 * What is still queued is older than the listing the caller does next: applied after it,
	 * a stale event could undo a newer state (a rename). Bounded: the kernel may go on
	 * dropping while we read.
	 */
	for (int i = 0; i < NL_DRAIN_MAX && nls_read(fd, discard, NULL) == -ENOBUFS; i++)
		;
	return -ENOBUFS;
}
