/* SPDX-License-Identifier: GPL-2.0-only */
/* netlink.h - link events (interfaces appearing, going up/down, renamed, deleted). */
#ifndef TFLOW_NETLINK_H
#define TFLOW_NETLINK_H

#include <stdbool.h>
#include <net/if.h>

struct nl_link_event {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned int flags; /* IFF_* */
	bool deleted;
};

typedef void (*nl_link_fn)(void *arg, const struct nl_link_event *ev);

/* A non-blocking rtnetlink socket subscribed to link events; the fd, or -errno. */
int nl_open(void);

/*
 * Read what is queued and call fn for each link event. 0 once drained; -ENOBUFS when the kernel
 * dropped events for lack of buffer (the rest of the queue is dropped too: the caller lists the
 * links again, as at start); or -errno.
 */
int nl_read(int fd, nl_link_fn fn, void *arg);

#endif
