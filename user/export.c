/* export.c - UDP targets: batching, sending, errors that never block another target. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "export.h"

#define SNDBUF_BYTES (4 << 20)

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

static int target_open(struct target *t)
{
	int sndbuf = SNDBUF_BYTES;
	char name[64];

	t->fd = socket(t->cfg.dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
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

int export_open(struct exporter *e, const struct cfg *c, FILE *json_out)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->nf5_sampling =
		c->packet_sampling ? nf5_sampling(c->sampling_interval, c->sampling_space) : 0;
	for (int i = 0; i < c->n_targets; i++) {
		struct target *t = &e->targets[e->n_targets];

		if (c->targets[i].disabled)
			continue;
		if (c->targets[i].version != 5) {
			pr_err("target %d: version %d export is not implemented yet (use version=5)",
			       i, c->targets[i].version);
			export_close(e);
			return -ENOTSUP;
		}
		t->cfg = c->targets[i];
		err = target_open(t);
		if (err) {
			export_close(e);
			return err;
		}
		e->n_targets++;
	}
	if (!c->n_targets)
		e->json = json_out;
	return 0;
}

void export_close(struct exporter *e)
{
	for (int i = 0; i < e->n_targets; i++)
		if (e->targets[i].fd >= 0)
			close(e->targets[i].fd);
	e->n_targets = 0;
}

static void target_send(struct target *t, const void *buf, size_t len, __u32 nrec)
{
	unsigned int suppressed = 0;
	char name[64];
	ssize_t n;

	for (int attempt = 0; attempt < 3; attempt++) {
		n = send(t->fd, buf, len, 0);
		if (n == (ssize_t)len) {
			t->datagrams++;
			t->records += nrec;
			return;
		}
		/* ECONNREFUSED reports an earlier datagram's ICMP error: this one was not sent. */
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = t->fd, .events = POLLOUT };

			/* A short wait for the socket buffer; never long enough to stall the rest.
			 */
			poll(&p, 1, 10);
		} else if (!(n < 0 && errno == ECONNREFUSED)) {
			break;
		}
	}
	t->send_errors++;
	if (log_ratelimit_ok(&t->rl, 10, &suppressed))
		pr_warn("target %s: send failed: %s (%u similar messages suppressed)",
			target_name(t, name, sizeof(name)), n < 0 ? strerror(errno) : "short write",
			suppressed);
}

static void target_flush_v5(struct exporter *e, struct target *t)
{
	unsigned char buf[NF5_HDR_LEN + NF5_MAX_RECS * NF5_REC_LEN];
	struct nf5_hdr_ctx h = { .sampling = e->nf5_sampling, .flow_sequence = t->flow_seq };
	struct timespec mono, real;
	int len;

	if (!t->n_pending)
		return;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	/* sysUptime is CLOCK_MONOTONIC in ms: the same clock as the datapath's timestamps. */
	h.sys_uptime_ms = (__u32)(mono.tv_sec * 1000ULL + mono.tv_nsec / 1000000);
	h.unix_secs = real.tv_sec;
	h.unix_nsecs = real.tv_nsec;
	len = nf5_encode(&h, t->pending, t->n_pending, buf, sizeof(buf));
	if (len > 0)
		target_send(t, buf, len, t->n_pending);
	/* The v5 sequence counts flows offered, so a collector sees a gap for a lost datagram. */
	t->flow_seq += t->n_pending;
	t->n_pending = 0;
}

void export_record(struct exporter *e, const struct tflow_record *r)
{
	if (e->json) {
		char line[1024];

		record_to_json(r, line, sizeof(line));
		fprintf(e->json, "%s\n", line);
		e->json_records++;
		return;
	}
	for (int i = 0; i < e->n_targets; i++) {
		struct target *t = &e->targets[i];

		if (!record_is_ipv4(r)) {
			t->skipped_ipv6++;
			continue;
		}
		t->pending[t->n_pending++] = *r;
		if (t->n_pending == NF5_MAX_RECS)
			target_flush_v5(e, t);
	}
}

void export_flush(struct exporter *e)
{
	for (int i = 0; i < e->n_targets; i++)
		target_flush_v5(e, &e->targets[i]);
	if (e->json)
		fflush(e->json);
}
