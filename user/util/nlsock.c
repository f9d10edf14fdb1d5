/* SPDX-License-Identifier: GPL-2.0-only */
/* nlsock.c - netlink sockets for the conntrack and routing tables: subscribe, dump, read. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "util/nlsock.h"

#define NLS_BUF 65536 /* a dump's datagrams are at most 32 KiB; events are far smaller */
#define NLS_DUMP_TIMEOUT_S 5

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int nls_subscribe(int proto, const unsigned int *groups, int n_groups, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int err, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	if (fd < 0)
		return -errno;
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	for (int i = 0; i < n_groups; i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i])))
			goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* NLMSG_OK and NLMSG_NEXT on an unsigned length (the macros compare signed with unsigned). */
static bool msg_ok(const struct nlmsghdr *h, size_t left)
{
	return left >= sizeof(*h) && h->nlmsg_len >= sizeof(*h) && h->nlmsg_len <= left;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *h, size_t *left)
{
	size_t step = NLMSG_ALIGN(h->nlmsg_len);

	step = step < *left ? step : *left;
	*left -= step;
	return (const struct nlmsghdr *)((const char *)h + step);
}

/* Walk one datagram: fn per message; 1 at the dump's end, -errno for an error message, else 0. */
static int walk(const void *buf, ssize_t n, __u32 seq, nls_msg_fn fn, void *arg)
{
	size_t left = n > 0 ? (size_t)n : 0;

	for (const struct nlmsghdr *h = buf; msg_ok(h, left); h = msg_next(h, &left)) {
		if (seq && h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EINVAL;
			if (e->error)
				return e->error;
			continue; /* an acknowledgment */
		}
		if (h->nlmsg_type >= NLMSG_MIN_TYPE)
			fn(arg, h);
	}
	return 0;
}

int nls_dump(int proto, __u16 type, const void *payload, size_t len, nls_msg_fn fn, void *arg)
{
	struct timeval tv = { .tv_sec = NLS_DUMP_TIMEOUT_S };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr h;
		char payload[64];
	} req = { 0 };
	__u32 seq = (__u32)time(NULL) | 1;
	char *buf = NULL;
	int fd, err = 0;

	if (len > sizeof(req.payload))
		return -EINVAL;
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = seq;
	memcpy(req.payload, payload, len);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	buf = malloc(NLS_BUF);
	if (!buf || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = buf ? -errno : -ENOMEM;
		goto out;
	}
	while (!err) {
		ssize_t n = recv(fd, buf, NLS_BUF, 0);

		if (n < 0) {
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (n == 0) {
			err = -EIO;
			break;
		}
		err = walk(buf, n, seq, fn, arg);
	}
	if (err == 1)
		err = 0;
out:
	free(buf);
	close(fd);
	return err;
}

int nls_read(int fd, nls_msg_fn fn, void *arg)
{
	static char buf[NLS_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0)
			return 0;
		walk(buf, n, 0, fn, arg);
	}
}
