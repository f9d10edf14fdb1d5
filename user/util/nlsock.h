/* SPDX-License-Identifier: GPL-2.0-only */
/* nlsock.h - netlink sockets for the tables tflow follows: subscribe, dump, read events. */
#ifndef TFLOW_NLSOCK_H
#define TFLOW_NLSOCK_H

#include <stddef.h>
#include <linux/netlink.h>
#include <linux/types.h>

typedef void (*nls_msg_fn)(void *arg, const struct nlmsghdr *h);

/*
 * A non-blocking socket of netlink protocol proto joined to groups, its receive buffer raised to
 * rcvbuf bytes (beyond rmem_max where CAP_NET_ADMIN allows; 0 keeps the system's default). The
 * fd, or -errno.
 */
int nls_subscribe(int proto, const unsigned int *groups, int n_groups, int rcvbuf);

/*
 * Dump request `type` with payload on a socket of its own (so a dump never mixes with events);
 * fn sees every message until the end of the dump. 0, or -errno (the kernel's refusal).
 */
int nls_dump(int proto, __u16 type, const void *payload, size_t len, nls_msg_fn fn, void *arg);

/*
 * Read what is queued on a subscribed socket, fn for each message. 0 once drained; -ENOBUFS when
 * the kernel dropped messages for lack of buffer (the socket goes on; read again); or -errno.
 */
int nls_read(int fd, nls_msg_fn fn, void *arg);

#endif
