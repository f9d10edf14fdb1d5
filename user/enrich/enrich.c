/* SPDX-License-Identifier: GPL-2.0-only */
/* enrich.c - follow conntrack and the routing table over netlink; fill records from them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/rtnetlink.h>
#include "util/clock.h"
#include "enrich/enrich.h"
#include "record/fields.h"
#include "util/nlsock.h"

#define NS_PER_S 1000000000ULL
#define CT_RCVBUF (8 << 20) /* events of a burst of new connections wait here for the loop */
#define RT_RCVBUF (1 << 20)
#define RT_DUMP_GAP_NS NS_PER_S /* route changes coalesce: one dump a second at most */
#define SWEEP_GAP_NS NS_PER_S
/*
 * With nf_conntrack_events=2 (the default since 5.19) a connection made before tflow subscribed
 * has no event extension: its end is never announced. A periodic dump finds it gone.
 */
#define CT_REDUMP_NS (300 * NS_PER_S)
#define KEEP_MARGIN_NS (10 * NS_PER_S)
#define CT_MAX_DEFAULT 262144 /* when nf_conntrack_max cannot be read */
#define CT_MAX_PATH "/proc/sys/net/netfilter/nf_conntrack_max"
#define CT_EVENTS_PATH "/proc/sys/net/netfilter/nf_conntrack_events"

/* An integer sysctl of this network namespace, or dflt. */
static long sysctl_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v = dflt;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

/*
 * The fields some output carries: v9/IPFIX targets and JSON lines follow the selection. With NAT
 * fields, gateway and out-interface need the routing table too (nat_route).
 */
static __u64 wanted(const struct cfg *c)
{
	__u64 f = c->ipfix_fields;
	bool v9 = c->n_targets == 0;

	for (int i = 0; i < c->n_targets; i++)
		if (!c->targets[i].disabled && c->targets[i].version >= 9)
			v9 = true;
	if (!v9)
		return 0;
	return f & (TF_NAT_MASK | TF_BIT(TF_NAT_EVENTS) | TF_ROUTE_MASK |
		    (f & TF_NAT_MASK ? TF_FIB_MASK : 0));
}

static void watch(struct enrich *e, int fd, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	epoll_ctl(e->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev);
}

/* ---- conntrack ---- */

static const char *ct_why(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return "no privilege for conntrack netlink (CAP_NET_ADMIN)";
	case -EPROTONOSUPPORT:
		return "the kernel has no nfnetlink (CONFIG_NETFILTER_NETLINK)";
	case -EOPNOTSUPP:
	case -ENOENT:
		return "conntrack netlink is not available (nf_conntrack_netlink)";
	default:
		return strerror(-err);
	}
}

static void on_ct_dump(void *arg, const struct nlmsghdr *h)
{
	struct enrich *e = arg;
	struct ct_conn c;
	int err = ct_parse(h, &c);

	if (err == -EINVAL)
		e->ct_errors++;
	if (!err && ct_is_nat(&c)) {
		ct_table_apply(&e->ct, &c, 0);
		e->ct_dumped++;
	}
}

/* Read the whole table; live entries it does not show ended unseen (events were lost). */
static int ct_dump(struct enrich *e)
{
	struct nfgenmsg g = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0 };
	int err;

	e->ct_dumped = 0;
	ct_table_sync_begin(&e->ct);
	err = nls_dump(NETLINK_NETFILTER, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET, &g,
		       sizeof(g), on_ct_dump, e);
	e->ct_dump_ns = mono_ns();
	if (!err)
		ct_table_sync_end(&e->ct, e->ct_dump_ns + e->keep_ns);
	return err;
}

static void on_ct_event(void *arg, const struct nlmsghdr *h)
{
	struct enrich *e = arg;
	struct tflow_record r;
	struct ct_conn c;
	__u64 now;
	int err = ct_parse(h, &c);

	if (err == -EINVAL)
		e->ct_errors++;
	if (err || !ct_is_nat(&c))
		return;
	now = mono_ns();
	ct_table_apply(&e->ct, &c, c.kind == CT_DESTROY ? now + e->keep_ns : 0);
	if (e->fields & TF_BIT(TF_NAT_EVENTS)) {
		ct_event_record(&c, now, &r);
		e->emit(e->emit_ctx, &r);
	}
}

static void ct_stop(struct enrich *e)
{
	if (e->ct_fd < 0)
		return;
	watch(e, e->ct_fd, false);
	close(e->ct_fd);
	e->ct_fd = -1;
	ct_table_free(&e->ct);
}

static void ct_start(struct enrich *e)
{
	static const unsigned int groups[] = { NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_DESTROY };
	long ct_max = sysctl_long(CT_MAX_PATH, CT_MAX_DEFAULT);
	int err;

	/* Subscribed before the dump: a connection made meanwhile is in one or the other. */
	e->ct_fd = nls_subscribe(NETLINK_NETFILTER, groups, 2, CT_RCVBUF);
	if (e->ct_fd < 0) {
		err = e->ct_fd;
		goto fail;
	}
	/* four keys a connection; as many again for ended ones kept a while */
	err = ct_table_init(&e->ct, 8 * (size_t)(ct_max > 0 ? ct_max : CT_MAX_DEFAULT));
	if (err) {
		close(e->ct_fd);
		e->ct_fd = -1;
		goto fail;
	}
	err = ct_dump(e);
	if (err) {
		ct_stop(e);
		goto fail;
	}
	watch(e, e->ct_fd, true);
	pr_info("NAT: following conntrack, %llu NAT'd connection(s) now",
		(unsigned long long)e->ct_dumped);
	if (sysctl_long(CT_EVENTS_PATH, 1) == 0)
		pr_warn("NAT: net.netfilter.nf_conntrack_events is 0: new connections are seen only "
			"by the dump every 5 minutes, and there are no NAT events (set it to 2)");
	return;
fail:
	pr_warn("NAT fields and events off: %s; records carry no NAT translation", ct_why(err));
}

static void ct_read(struct enrich *e)
{
	unsigned int held;
	int err = nls_read(e->ct_fd, on_ct_event, e);

	if (err == -ENOBUFS) {
		/*
		 * The kernel dropped events: what they said is only in a new dump. Events queued
		 * after the loss are read on the next wake-up (the fd stays readable).
		 */
		e->resyncs++;
		err = ct_dump(e);
		if (log_ratelimit_ok(&e->ct_rl, 10, &held))
			pr_warn("NAT: conntrack events lost (socket buffer full): table read again "
				"(%llu time(s) so far)%s%s",
				(unsigned long long)e->resyncs, err ? ", failed: " : "",
				err ? strerror(-err) : "");
		return;
	}
	if (err && log_ratelimit_ok(&e->ct_rl, 10, &held))
		pr_warn("NAT: reading conntrack events: %s", strerror(-err));
}

/* ---- routes ---- */

/* arg: the new main (0) and local (1) tables */
static void on_route(void *arg, const struct nlmsghdr *h)
{
	struct route_table *n = arg;
	struct route_pfx p;

	if (!route_parse(h, &p))
		route_table_add(&n[p.local], &p);
}

static void rt_free(struct enrich *e)
{
	route_table_free(&e->rt);
	route_table_free(&e->rt_local);
}

static int rt_dump(struct enrich *e)
{
	struct rtmsg rt = { .rtm_family = AF_UNSPEC };
	struct route_table n[2];
	int err;

	route_table_init(&n[0]);
	route_table_init(&n[1]);
	err = nls_dump(NETLINK_ROUTE, RTM_GETROUTE, &rt, sizeof(rt), on_route, n);
	e->rt_dump_ns = mono_ns();
	if (err) {
		route_table_free(&n[0]);
		route_table_free(&n[1]);
		return err;
	}
	route_table_finish(&n[0]);
	route_table_finish(&n[1]);
	rt_free(e);
	e->rt = n[0];
	e->rt_local = n[1];
	e->rt_dirty = false;
	return 0;
}

static void on_route_event(void *arg, const struct nlmsghdr *h)
{
	struct enrich *e = arg;
	struct route_pfx p;

	if (!route_parse(h, &p))
		e->rt_dirty = true;
}

static void rt_stop(struct enrich *e)
{
	if (e->rt_fd < 0)
		return;
	watch(e, e->rt_fd, false);
	close(e->rt_fd);
	e->rt_fd = -1;
	rt_free(e);
}

static void rt_start(struct enrich *e)
{
	static const unsigned int groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE };
	int err;

	route_table_init(&e->rt);
	route_table_init(&e->rt_local);
	e->rt_fd = nls_subscribe(NETLINK_ROUTE, groups, 2, RT_RCVBUF);
	if (e->rt_fd < 0) {
		err = e->rt_fd;
	} else {
		watch(e, e->rt_fd, true);
		err = rt_dump(e);
	}
	if (err) {
		rt_stop(e);
		pr_warn("address masks off: cannot read the routing table: %s", strerror(-err));
		return;
	}
	pr_info("address masks: %zu route(s) in the main table", e->rt.n);
}

static void rt_read(struct enrich *e)
{
	if (nls_read(e->rt_fd, on_route_event, e) == -ENOBUFS)
		e->rt_dirty = true; /* missed changes: dump again */
}

/* ---- the module ---- */

/* Coalesced work: a route dump after changes, the sweep of ended connections. */
static void maintain(struct enrich *e, __u64 now)
{
	unsigned int held;
	int err;

	if (e->rt_fd >= 0 && e->rt_dirty && now - e->rt_dump_ns >= RT_DUMP_GAP_NS) {
		err = rt_dump(e);
		if (err && log_ratelimit_ok(&e->rt_rl, 10, &held))
			pr_warn("address masks: reading the routing table again: %s",
				strerror(-err));
	}
	if (e->ct_fd >= 0 && now - e->ct_dump_ns >= CT_REDUMP_NS) {
		err = ct_dump(e);
		if (err && log_ratelimit_ok(&e->ct_rl, 10, &held))
			pr_warn("NAT: reading the conntrack table again: %s", ct_why(err));
	}
	if (e->ct_fd >= 0 && now >= e->sweep_ns) {
		ct_table_expire(&e->ct, now);
		e->sweep_ns = now + SWEEP_GAP_NS;
	}
}

int enrich_init(struct enrich *e, enrich_emit_fn emit, void *emit_ctx)
{
	memset(e, 0, sizeof(*e));
	e->ct_fd = -1;
	e->rt_fd = -1;
	e->emit = emit;
	e->emit_ctx = emit_ctx;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	return e->epfd < 0 ? -errno : 0;
}

void enrich_configure(struct enrich *e, const struct cfg *c)
{
	__u64 want = wanted(c);
	bool ct_want = want & (TF_NAT_MASK | TF_BIT(TF_NAT_EVENTS)), reread = e->fields != 0;
	int err;

	e->fields = want;
	/* a flow is exported within about the inactive timeout after its connection ends */
	e->keep_ns = c->inactive_timeout_ns + 2 * c->scan_interval_ns + KEEP_MARGIN_NS;
	if (!ct_want)
		ct_stop(e);
	else if (e->ct_fd < 0)
		ct_start(e);
	else if (reread && (err = ct_dump(e)))
		pr_warn("NAT: reading the conntrack table again: %s", ct_why(err));
	else if (reread)
		pr_info("NAT: conntrack read again, %llu NAT'd connection(s)",
			(unsigned long long)e->ct_dumped);
	if (!(want & (TF_ROUTE_MASK | TF_FIB_MASK)))
		rt_stop(e);
	else if (e->rt_fd < 0)
		rt_start(e);
	else
		e->rt_dirty = true;
}

int enrich_fd(const struct enrich *e)
{
	return e->epfd;
}

void enrich_read(struct enrich *e)
{
	struct epoll_event evs[2];
	int n = epoll_wait(e->epfd, evs, 2, 0);

	for (int i = 0; i < n; i++) {
		if (evs[i].data.fd == e->ct_fd)
			ct_read(e);
		else if (evs[i].data.fd == e->rt_fd)
			rt_read(e);
	}
	maintain(e, mono_ns());
}

/*
 * The datapath looks an ingress flow's route up before conntrack translates the packet: for a
 * port forward, or the replies of a masquerade, the destination is then the gateway's own
 * address and the answer "no route out". The packets leave by the route of the translated
 * destination: out-interface and gateway are that route's (main table; none when the translated
 * destination is the host itself, as for a redirect).
 */
static void nat_route(const struct enrich *e, struct tflow_record *r)
{
	if (e->rt_fd < 0 || !(e->fields & TF_FIB_MASK) || r->key.dir != TFLOW_DIR_INGRESS ||
	    !memcmp(r->nat_dst, r->key.dst, 16))
		return;
	route_out(&e->rt, &e->rt_local, r->key.family, r->nat_dst, &r->out_ifindex, r->ext.gateway);
}

void enrich_record(struct enrich *e, struct tflow_record *r)
{
	const struct tflow_key *k = &r->key;
	int plen;

	if (!e->fields)
		return;
	maintain(e, mono_ns());
	if (e->rt_fd >= 0 && (e->fields & TF_ROUTE_MASK)) {
		plen = route_lookup(&e->rt, k->family, k->src);
		r->src_mask = plen > 0 ? (__u8)plen : 0;
		plen = route_lookup(&e->rt, k->family, k->dst);
		r->dst_mask = plen > 0 ? (__u8)plen : 0;
	}
	if (e->ct_fd >= 0 && (e->fields & TF_NAT_MASK) && ct_table_translate(&e->ct, r))
		nat_route(e, r);
}

void enrich_free(struct enrich *e)
{
	if (e->resyncs || e->ct.full || e->ct_errors)
		pr_info("NAT: %llu conntrack re-read(s) after lost events, %llu connection(s) not "
			"kept (table full), %llu message(s) not understood",
			(unsigned long long)e->resyncs, (unsigned long long)e->ct.full,
			(unsigned long long)e->ct_errors);
	ct_stop(e);
	rt_stop(e);
	if (e->epfd >= 0)
		close(e->epfd);
	e->epfd = -1;
}
