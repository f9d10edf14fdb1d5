/* SPDX-License-Identifier: GPL-2.0-only */
/* metrics.h - Prometheus metrics: GET /metrics from the event loop, and a node_exporter textfile.
 */
#ifndef TFLOW_METRICS_H
#define TFLOW_METRICS_H

#include <stddef.h>
#include <linux/types.h>

#define METRICS_MAX_CONNS 8  /* connections served at once; more are closed at accept */
#define METRICS_REQ_MAX 2048 /* request bytes read; a longer request head is refused */
#define METRICS_IDLE_NS (10ULL * 1000000000ULL) /* a connection is closed after this long */

struct state;

enum metrics_phase { CONN_READ, CONN_SEND, CONN_DRAIN };

struct metrics_conn {
	int fd; /* -1: free */
	enum metrics_phase phase;
	__u64 since_ns;
	size_t in_len;
	char in[METRICS_REQ_MAX];
	char *out; /* the response, sent as the socket takes it */
	size_t out_len, out_off;
};

struct metrics {
	int ep;	 /* our own epoll set (listening socket and connections), or -1 */
	int lfd; /* the listening socket, or -1 */
	const char *textfile;
	struct state *state;
	struct metrics_conn conns[METRICS_MAX_CONNS];
	__u64 refused; /* connections closed at once: all slots busy */
};

/* Check an --metrics address: ADDR:PORT or [IPV6]:PORT. 0, or -EINVAL with a message in err. */
int metrics_check_addr(const char *spec, char *err, size_t errlen);

/*
 * Listen on addr (or not, when NULL) and write textfile after every scan (or not, when NULL).
 * Call before privileges are dropped. s is read when metrics are rendered. 0 or -errno (logged).
 */
int metrics_open(struct metrics *m, const char *addr, const char *textfile, struct state *s);

/* The fd to watch for readability in the event loop, or -1 when not listening. */
int metrics_fd(const struct metrics *m);

/* Accept, read, answer, send what the sockets take now; never waits. */
void metrics_serve(struct metrics *m);

/* After every scan: write the textfile; close connections idle too long. */
void metrics_tick(struct metrics *m);

/* Close everything; remove the textfile (its figures would go stale). */
void metrics_close(struct metrics *m);

#endif
