/* SPDX-License-Identifier: GPL-2.0-only */
/* export.c - UDP targets: packing per version, templates, sending without blocking others. */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "export/export.h"
#include "export/fmt.h"
#include "export/json.h"
#include "export/layout.h"

#define SNDBUF_BYTES (4 << 20)
#define UDP_HDR_LEN 8

static struct enc_clock clock_now(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return (struct enc_clock){
		.mono_ns = mono.tv_sec * ENC_NS_PER_S + mono.tv_nsec,
		.real_ns = real.tv_sec * ENC_NS_PER_S + real.tv_nsec,
	};
}

static const char *target_name(const struct target *t, char *buf, size_t size)
{
	const struct sockaddr_storage *ss = &t->cfg.dst;
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, a, sizeof(a));
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
	snprintf(buf, size, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, t->cfg.port);
	return buf;
}

static struct sock_filter drop_all_insn[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
static const struct sock_fprog drop_all = { 1, drop_all_insn };

static int target_open(struct target *t)
{
	size_t ip_hdr = t->cfg.dst.ss_family == AF_INET6 ? 40 : 20;
	int sndbuf = SNDBUF_BYTES;
	char name[64];

	t->ops = fmt_of(t->cfg.version);
	t->max_len = t->cfg.mtu - ip_hdr - UDP_HDR_LEN;
	if (t->max_len > EXPORT_MAX_DATAGRAM)
		t->max_len = EXPORT_MAX_DATAGRAM;
	if (!t->ops->templated) {
		t->max_recs = (int)(t->max_len - t->ops->hdr_len) / t->ops->rec_len;
		if (t->max_recs > t->ops->max_recs)
			t->max_recs = t->ops->max_recs;
	}
	t->fd = socket(t->cfg.dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	/* tflow only sends: a filter that accepts nothing keeps even spoofed input out. */
	if (setsockopt(t->fd, SOL_SOCKET, SO_ATTACH_FILTER, &drop_all, sizeof(drop_all)))
		goto fail;
	if (t->cfg.src.ss_family != AF_UNSPEC &&
	    bind(t->fd, (const struct sockaddr *)&t->cfg.src, t->cfg.src_len))
		goto fail;
	/* Connected: the kernel reports ICMP port unreachable back to us as ECONNREFUSED. */
	if (connect(t->fd, (const struct sockaddr *)&t->cfg.dst, t->cfg.dst_len))
		goto fail;
	return 0;
fail:
	pr_err("target %s: %s", target_name(t, name, sizeof(name)), strerror(errno));
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	return -errno;
}

/* Something went wrong with this target: say so at most every 10 s, with what was held back. */
static void target_warn(struct target *t, const char *what)
{
	unsigned int suppressed = 0;
	char name[64];

	if (log_ratelimit_ok(&t->rl, 10, &suppressed))
		pr_warn("target %s: %s (%u similar messages suppressed)",
			target_name(t, name, sizeof(name)), what, suppressed);
}

static void target_send(struct target *t, const void *buf, size_t len, __u32 nrec)
{
	ssize_t n = -1;

	/*
	 * Never wait: one loop serves every target, so a slow path to one collector must not
	 * delay the others. A datagram the socket cannot queue now (4 MB of backlog) is dropped
	 * and counted; the sequence numbers tell its collector what it missed.
	 */
	for (int attempt = 0; attempt < 2; attempt++) {
		n = send(t->fd, buf, len, 0);
		if (n == (ssize_t)len) {
			t->datagrams++;
			t->records += nrec;
			return;
		}
		if (!(n < 0 && errno == ECONNREFUSED))
			break;
		/* An ICMP port unreachable answered an earlier datagram: it was lost. */
		t->refused++;
		target_warn(t, "the collector refuses datagrams (ICMP port unreachable): "
			       "is it running?");
	}
	t->send_errors++;
	target_warn(t, n < 0 ? strerror(errno) : "short write");
}

/* ---- v1 and v5: fixed records, up to max_recs a datagram ---- */

static void flush_fixed(struct exporter *e, struct target *t)
{
	struct enc_clock clk = clock_now();
	int len;

	if (!t->n_pending)
		return;
	len = t->ops->encode(e, t, &clk);
	if (len > 0)
		target_send(t, t->buf, len, t->n_pending);
	else
		pr_err("v%d encoder: %s", t->cfg.version, strerror(-len));
	t->n_pending = 0;
}

/* ---- v9 and IPFIX: templates, options, data sets in one message ---- */

static bool templates_due(const struct target *t, __u64 now)
{
	return !t->templates_ns || t->since_templates + 1 >= t->cfg.template_refresh ||
	       now - t->templates_ns >= t->cfg.template_timeout_ns;
}

/* Start a message, with the templates when they are due unless no_templates. */
static int msg_begin(struct exporter *e, struct target *t, bool no_templates)
{
	const struct fmt_ops *ops = t->ops;
	struct enc_clock clk = clock_now();
	int err;

	err = ops->begin(&t->msg, t->buf, t->max_len, &clk, t->seq, t->cfg.source_id);
	if (err)
		return err;
	t->msg_open = true;
	t->msg_has_templates = false;
	if (no_templates || !templates_due(t, clk.mono_ns))
		return 0;
	/* Sampling rides with the templates: always announced, rate 1 when off. */
	err = ops->add_templates(&t->msg, ops->layout(e));
	if (!err)
		err = ops->add_options(&t->msg, &e->sampling, &clk, t->cfg.source_id);
	/* Interface names: the template now, every name after it (send_ifnames). */
	if (!err && e->ifnames_on)
		err = ops->add_ifname_template(&t->msg);
	if (err)
		return err;
	t->msg_has_templates = true;
	t->templates_ns = clk.mono_ns;
	t->ifnames_sent = 0;
	return 0;
}

static void msg_send(struct target *t)
{
	size_t len;
	__u32 data;

	if (!t->msg_open)
		return;
	len = t->ops->finish(&t->msg);
	data = t->msg.data_records;
	target_send(t, t->buf, len, data);
	/* v9 numbers export datagrams; IPFIX numbers data records, templates excluded. */
	t->seq += t->ops->seq_counts_records ? data : 1;
	if (t->msg_has_templates) {
		t->templates_sent++;
		t->since_templates = 0;
	} else {
		t->since_templates++;
	}
	t->msg_open = false;
}

/*
 * The interface names t has not had since its last templates, or that changed since it had them,
 * into the open message and as many more as they need (without templates), which stays open.
 */
static void send_ifnames(struct exporter *e, struct target *t)
{
	if (!e->ifnames_on || t->ifnames_sent == e->ifnames.gen)
		return;
	for (int i = 0; i < e->ifnames.n; i++) {
		const struct ifname *n = &e->ifnames.v[i];
		int err = -ENOSPC;

		for (int attempt = 0; n->gen > t->ifnames_sent && err == -ENOSPC && attempt < 2;
		     attempt++) {
			if (!t->msg_open && msg_begin(e, t, true))
				return;
			err = tmsg_add_ifname(&t->msg, n->ifindex, n->name);
			if (err == -ENOSPC && t->msg.records)
				msg_send(t);
		}
	}
	t->ifnames_sent = e->ifnames.gen;
}

static void add_templated(struct exporter *e, struct target *t, const struct tflow_record *r)
{
	struct enc_clock clk;
	int err;

	/*
	 * The open message may be full; the next may be due templates that leave no room for a
	 * record (every field selected, mtu 576): it then leaves with the templates alone, and a
	 * third message, without them, takes the record.
	 */
	for (int attempt = 0; attempt < 3; attempt++) {
		if (!t->msg_open && msg_begin(e, t, attempt == 2))
			break;
		send_ifnames(e, t); /* before a record that may carry a new ifindex */
		if (!t->msg_open)
			break;
		clk = clock_now();
		err = t->ops->add_record(&t->msg, t->ops->layout(e), r, &clk);
		if (!err)
			return;
		if (err != -ENOSPC || !t->msg.records) /* even an empty message is too small */
			break;
		msg_send(t);
	}
	pr_err("target %d: a record does not fit an empty datagram of %zu bytes (mtu %u)",
	       (int)(t - e->targets), t->max_len, t->cfg.mtu);
}

/* ---- the exporter ---- */

int export_open(struct exporter *e, const struct cfg *c, FILE *json_out)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->sampling = (struct enc_sampling){ 1, 0 };
	if (c->packet_sampling && c->sampling_space)
		e->sampling = (struct enc_sampling){ c->sampling_interval, c->sampling_space };
	e->nf5_sampling =
		c->packet_sampling ? nf5_sampling(c->sampling_interval, c->sampling_space) : 0;
	e->json_out = json_out;
	/* Template layouts once per selection: records are then written without lookups. */
	fields_layout(&e->v9, c->ipfix_fields, IE_FMT_V9);
	fields_layout(&e->ipfix, c->ipfix_fields, IE_FMT_IPFIX);
	if (!c->n_targets) {
		e->json = json_out;
		return 0;
	}
	e->targets = calloc(c->n_targets, sizeof(*e->targets));
	if (!e->targets)
		return -ENOMEM;
	for (int i = 0; i < c->n_targets; i++) {
		struct target *t = &e->targets[e->n_targets];

		if (c->targets[i].disabled)
			continue;
		t->cfg = c->targets[i];
		err = target_open(t);
		if (err) {
			export_close(e);
			return err;
		}
		e->n_targets++;
		if (t->ops->templated)
			e->ifnames_on = c->ipfix_fields &
					(TF_BIT(TF_IN_INTERFACE) | TF_BIT(TF_OUT_INTERFACE));
	}
	return 0;
}

static bool same_target(const struct cfg_target *a, const struct cfg_target *b)
{
	return a->dst_len == b->dst_len && !memcmp(&a->dst, &b->dst, a->dst_len) &&
	       a->version == b->version && a->source_id == b->source_id;
}

int export_reconfigure(struct exporter *e, const struct cfg *c)
{
	struct exporter n;
	int err;

	export_flush(e); /* what is pending leaves with the settings it was made under */
	err = export_open(&n, c, e->json_out);
	if (err)
		return err;
	/* A target that stays keeps its sequence, so its collector sees no gap. */
	for (int i = 0; i < n.n_targets; i++)
		for (int j = 0; j < e->n_targets; j++)
			if (same_target(&n.targets[i].cfg, &e->targets[j].cfg)) {
				struct target *t = &n.targets[i], *o = &e->targets[j];

				t->seq = o->seq;
				t->datagrams = o->datagrams;
				t->records = o->records;
				t->templates_sent = o->templates_sent;
				t->send_errors = o->send_errors;
				t->refused = o->refused;
				t->skipped_ipv6 = o->skipped_ipv6;
			}
	ifnames_move(&n.ifnames, &e->ifnames);
	export_close(e);
	*e = n;
	/* Every target gets templates at once, new or re-enabled or unchanged. */
	export_flush(e);
	return 0;
}

void export_close(struct exporter *e)
{
	for (int i = 0; i < e->n_targets; i++)
		if (e->targets[i].fd >= 0)
			close(e->targets[i].fd);
	free(e->targets);
	e->targets = NULL;
	e->n_targets = 0;
	ifnames_free(&e->ifnames);
}

/* An ifindex a record carries (an out-interface from the FIB, say): named when first seen. */
static void ifname_seen(struct exporter *e, __u32 ifindex)
{
	char name[IF_NAMESIZE];

	if (!ifindex || e->ifnames.n >= IFNAMES_MAX || ifnames_find(&e->ifnames, ifindex))
		return;
	ifnames_set(&e->ifnames, ifindex, if_indextoname(ifindex, name));
}

void export_ifname_attached(struct exporter *e, __u32 ifindex, const char *name)
{
	ifnames_set(&e->ifnames, ifindex, name);
}

void export_ifname_link(struct exporter *e, __u32 ifindex, const char *name)
{
	if (!name)
		ifnames_del(&e->ifnames, ifindex);
	else if (ifnames_find(&e->ifnames, ifindex))
		ifnames_set(&e->ifnames, ifindex, name);
}

void export_record(struct exporter *e, const struct tflow_record *r)
{
	if (e->json) {
		char line[2048]; /* the longest line, every field set, is about 900 bytes */

		record_to_json(r, line, sizeof(line));
		fprintf(e->json, "%s\n", line);
		e->json_records++;
		return;
	}
	if (e->ifnames_on && !r->nat_event) {
		ifname_seen(e, r->in_ifindex);
		ifname_seen(e, r->out_ifindex);
	}
	for (int i = 0; i < e->n_targets; i++) {
		struct target *t = &e->targets[i];

		if (t->ops->templated) {
			/* NAT events only where nat-events=yes gave them a template */
			if (!r->nat_event || ie_layout_pick(&e->v9, r))
				add_templated(e, t, r);
			continue;
		}
		if (r->nat_event) /* v1/v5 records are flows only */
			continue;
		if (!record_is_ipv4(r)) {
			t->skipped_ipv6++;
			continue;
		}
		t->pending[t->n_pending++] = *r;
		if (t->n_pending >= t->max_recs)
			flush_fixed(e, t);
	}
}

void export_flush(struct exporter *e)
{
	struct enc_clock clk = clock_now();

	for (int i = 0; i < e->n_targets; i++) {
		struct target *t = &e->targets[i];

		if (!t->ops->templated) {
			flush_fixed(e, t);
			continue;
		}
		/* With no data to carry them, templates still go out when they are due by time. */
		if (!t->msg_open && (!t->templates_ns ||
				     clk.mono_ns - t->templates_ns >= t->cfg.template_timeout_ns))
			msg_begin(e, t, false);
		send_ifnames(e, t); /* those that changed since the last datagram */
		msg_send(t);
	}
	if (e->json)
		fflush(e->json);
}
