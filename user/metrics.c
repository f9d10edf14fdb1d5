/* SPDX-License-Identifier: GPL-2.0-only */
/* metrics.c - GET /metrics over HTTP/1.0 from the event loop; the textfile written each scan. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "util/clock.h"
#include "util/log.h"
#include "metrics.h"
#include "status/prom.h"
#include "state/state.h"

#define LISTEN_TAG 0xffffffffu /* epoll data of the listening socket; connections: their slot */

static int parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 2], *end;
	const char *colon;
	unsigned long port;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		colon = strstr(spec, "]:");
		if (!colon)
			return -EINVAL;
		hlen = colon - spec - 1;
		colon++;
		spec++;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return -EINVAL;
		hlen = colon - spec;
	}
	if (hlen >= sizeof(host) || !colon[1])
		return -EINVAL;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] < '0' || colon[1] > '9' || port < 1 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

int metrics_check_addr(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!parse_addr(spec, &ss, &len))
		return 0;
	snprintf(err, errlen,
		 "--metrics: '%.64s' is not accepted (ADDR:PORT, e.g. 127.0.0.1:9469, or "
		 "[IPV6]:PORT; port 1-65535)",
		 spec);
	return -EINVAL;
}

static void conn_close(struct metrics *m, struct metrics_conn *c)
{
	epoll_ctl(m->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
}

int metrics_open(struct metrics *m, const char *addr, const char *textfile, struct state *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = LISTEN_TAG };
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	memset(m, 0, sizeof(*m));
	m->ep = m->lfd = -1;
	m->textfile = textfile;
	m->state = s;
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		m->conns[i].fd = -1;
	if (!addr)
		return 0;
	if (parse_addr(addr, &ss, &len)) {
		pr_err("--metrics %s: expected ADDR:PORT", addr);
		return -EINVAL;
	}
	m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto fail;
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->lfd, (struct sockaddr *)&ss, len) || listen(m->lfd, METRICS_MAX_CONNS))
		goto fail;
	m->ep = epoll_create1(EPOLL_CLOEXEC);
	if (m->ep < 0 || epoll_ctl(m->ep, EPOLL_CTL_ADD, m->lfd, &ev))
		goto fail;
	pr_info("metrics: serving http://%s/metrics", addr);
	return 0;
fail:
	pr_err("--metrics %s: %s", addr, strerror(errno));
	m->textfile = NULL; /* not ours to remove */
	metrics_close(m);
	return -errno;
}

int metrics_fd(const struct metrics *m)
{
	return m->ep;
}

/* The metrics text, malloc'd; NULL when the maps cannot be read. */
static char *render(struct metrics *m, size_t *len)
{
	struct state_snap *snap = calloc(1, sizeof(*snap));
	char *buf = NULL;
	FILE *f;
	int err;

	*len = 0;
	if (!snap)
		return NULL;
	err = state_snap(m->state, snap);
	if (err) {
		pr_warn("metrics: cannot read the maps: %s", strerror(-err));
		free(snap);
		return NULL;
	}
	f = open_memstream(&buf, len);
	if (f) {
		prom_render(snap, f);
		if (fclose(f)) {
			free(buf);
			buf = NULL;
		}
	}
	free(snap);
	return buf;
}

static void respond(struct metrics *m, struct metrics_conn *c, bool whole)
{
	static const char *const status_text[] = { "200 OK", "404 Not Found",
						   "405 Method Not Allowed", "400 Bad Request",
						   "500 Internal Server Error" };
	char method[8] = "", target[64] = "", version[16] = "", hdr[256];
	const char *body = NULL;
	char *text = NULL;
	size_t blen = 0, hlen;
	int code = 3; /* index in status_text */
	bool head = false;

	c->in[c->in_len < METRICS_REQ_MAX ? c->in_len : METRICS_REQ_MAX - 1] = '\0';
	/* Only the request line is looked at; headers are read and ignored. */
	if (whole && sscanf(c->in, "%7s %63s %15s", method, target, version) == 3 &&
	    (!strcmp(version, "HTTP/1.0") || !strcmp(version, "HTTP/1.1"))) {
		head = !strcmp(method, "HEAD");
		target[strcspn(target, "?")] = '\0';
		code = strcmp(method, "GET") && !head ? 2 : strcmp(target, "/metrics") ? 1 : 0;
	}
	if (code == 0) {
		text = render(m, &blen);
		body = text;
		code = text ? 0 : 4;
	}
	if (!body) {
		body = code == 1 ? "tflow: the metrics are at /metrics\n" : "tflow: not served\n";
		blen = strlen(body);
	}
	hlen = snprintf(hdr, sizeof(hdr),
			"HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n",
			status_text[code], code ? "text/plain; charset=utf-8" : PROM_CONTENT_TYPE,
			blen);
	if (head)
		blen = 0;
	c->out = malloc(hlen + blen);
	if (c->out) {
		memcpy(c->out, hdr, hlen);
		memcpy(c->out + hlen, body, blen);
		c->out_len = hlen + blen;
		c->out_off = 0;
	}
	free(text);
}

/*
 * The response is out: half-close, then read and drop what the client still sends until it
 * closes. Closing with unread input would reset the connection and could destroy the response.
 */
static void conn_finish(struct metrics *m, struct metrics_conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = c - m->conns };

	shutdown(c->fd, SHUT_WR);
	free(c->out);
	c->out = NULL;
	c->phase = CONN_DRAIN;
	epoll_ctl(m->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_drain(struct metrics *m, struct metrics_conn *c)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		conn_close(m, c);
}

/* Send what the socket takes now; a slow reader gets the rest when it has room. */
static void conn_send(struct metrics *m, struct metrics_conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = c - m->conns };

	while (c->out && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			epoll_ctl(m->ep, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		}
		if (n <= 0) {
			conn_close(m, c);
			return;
		}
		c->out_off += n;
	}
	if (c->out)
		conn_finish(m, c);
	else
		conn_close(m, c); /* out of memory for the response */
}

static bool head_done(const struct metrics_conn *c)
{
	return strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n");
}

static void conn_read(struct metrics *m, struct metrics_conn *c)
{
	while (!head_done(c) && c->in_len < METRICS_REQ_MAX - 1) {
		ssize_t n = recv(c->fd, c->in + c->in_len, METRICS_REQ_MAX - 1 - c->in_len,
				 MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* the rest of the request head comes later */
		if (n <= 0) {
			conn_close(m, c);
			return;
		}
		c->in_len += n;
		c->in[c->in_len] = '\0';
	}
	/* A whole request head, or as much of one as we take (answered 400). */
	respond(m, c, head_done(c));
	c->phase = CONN_SEND;
	conn_send(m, c);
}

static void accept_all(struct metrics *m)
{
	for (;;) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return;
		for (i = 0; i < METRICS_MAX_CONNS && m->conns[i].fd >= 0; i++)
			;
		if (i == METRICS_MAX_CONNS) {
			m->refused++;
			close(fd);
			continue;
		}
		ev.data.u32 = i;
		if (epoll_ctl(m->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			continue;
		}
		m->conns[i] = (struct metrics_conn){ .fd = fd, .since_ns = mono_ns() };
	}
}

void metrics_serve(struct metrics *m)
{
	struct epoll_event evs[METRICS_MAX_CONNS + 1];
	int n = epoll_wait(m->ep, evs, METRICS_MAX_CONNS + 1, 0);

	for (int i = 0; i < n; i++) {
		struct metrics_conn *c;

		if (evs[i].data.u32 == LISTEN_TAG) {
			accept_all(m);
			continue;
		}
		c = &m->conns[evs[i].data.u32];
		if (c->fd < 0)
			continue;
		if (c->phase == CONN_READ)
			conn_read(m, c);
		else if (c->phase == CONN_SEND)
			conn_send(m, c);
		else
			conn_drain(m, c);
	}
}

/* Written whole under another name, then renamed: node_exporter never reads half a file. */
static void write_textfile(struct metrics *m)
{
	char tmp[4096];
	size_t len;
	char *text = render(m, &len);
	bool ok;
	FILE *f;

	if (!text)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", m->textfile);
	f = fopen(tmp, "we");
	ok = f && fwrite(text, 1, len, f) == len;
	if (f && fclose(f))
		ok = false;
	if (ok && rename(tmp, m->textfile))
		ok = false;
	if (!ok) {
		static struct log_ratelimit rl;
		unsigned int suppressed;

		if (log_ratelimit_ok(&rl, 60, &suppressed))
			pr_warn("--metrics-textfile %s: %s (%u similar messages suppressed)",
				m->textfile, strerror(errno), suppressed);
		if (f)
			unlink(tmp);
	}
	free(text);
}

void metrics_tick(struct metrics *m)
{
	__u64 now = mono_ns();

	if (m->textfile)
		write_textfile(m);
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		if (m->conns[i].fd >= 0 && now - m->conns[i].since_ns > METRICS_IDLE_NS)
			conn_close(m, &m->conns[i]);
}

void metrics_close(struct metrics *m)
{
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		if (m->conns[i].fd >= 0)
			conn_close(m, &m->conns[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->ep >= 0)
		close(m->ep);
	m->lfd = m->ep = -1;
	if (m->textfile)
		unlink(m->textfile);
	m->textfile = NULL;
}
