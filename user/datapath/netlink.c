/* netlink.c - rtnetlink link events, so tflow follows interfaces that come and go. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "datapath/netlink.h"

int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void parse_link(const struct nlmsghdr *h, nl_link_fn fn, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	struct nl_link_event ev = { .ifindex = ifi->ifi_index,
				    .flags = ifi->ifi_flags,
				    .deleted = h->nlmsg_type == RTM_DELLINK };

	if (len < 0)
		return;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME) {
			size_t n = RTA_PAYLOAD(a);

			if (n >= sizeof(ev.name))
				n = sizeof(ev.name) - 1;
			memcpy(ev.name, RTA_DATA(a), n);
			ev.name[n] = '\0';
		}
	fn(arg, &ev);
}

void nl_read(int fd, nl_link_fn fn, void *arg)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		int len = (int)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
				parse_link(h, fn, arg);
	}
}
