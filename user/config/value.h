/* SPDX-License-Identifier: GPL-2.0-only */
/* value.h - config values: parsers, formatters, the text check and error-message helpers. */
#ifndef TFLOW_VALUE_H
#define TFLOW_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>

#define LINE_MAX_BYTES 4096 /* longer (joined) lines are refused, never truncated */
#define SHOW_MAX 40	    /* bytes of a bad value quoted back, so the accepted list still fits */
#define NS_MS 1000000ULL
#define NS_S 1000000000ULL

/* What the parsers below accept, for messages. */
#define ACC_BOOL "yes or no"
#define ACC_TIME "a time such as 15s, 30m, 1h, 1d, 1w, 500ms, 1m30s or hh:mm:ss"
#define ACC_TIME1 ACC_TIME ", not 0"
#define ACC_ENTRIES "1k, 2k, 4k ... 256k, or a power of two up to 4M"
#define ACC_U32 "an integer from 0 to 4294967295"
#define ACC_IP "an IPv4 or IPv6 address"

/* Where a message comes from: "FILE:LINE: ", "line N: ", "WHAT: " or nothing. */
struct pctx {
	const char *file;
	int lineno;
	const char *what; /* checked text only: "target 'SPEC'" or a long option's name */
	char *err;
	size_t errlen;
};

/* printf arguments for "%.*s%s": s cut at SHOW_MAX bytes (UTF-8 safe), "..." when cut. */
int value_show_len(const char *s);
#define SHOW(s) value_show_len(s), (s), (strnlen((s), SHOW_MAX + 1) > SHOW_MAX ? "..." : "")

/* Write the message with p's prefix into p->err (when there is one); always returns -EINVAL. */
int value_fail(const struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "NAME: 'VAL' is not accepted[: WHY] (ACC)"; returns -EINVAL. */
int value_bad(const struct pctx *p, const char *name, const char *val, const char *why,
	      const char *acc);

/* 0 for UTF-8 text without control characters (tab allowed) of at most LINE_MAX_BYTES. */
int value_check_text(const struct pctx *p, const char *s);

/* Each returns 0 or -EINVAL; the whole string must match. */
/* RouterOS time: 15s, 30m, 1h, 1d, 1w, 500ms, combinations (1m30s), hh:mm:ss; bare number = s. */
int value_parse_time(const char *s, __u64 *ns);
/* cache-entries: 1k..256k or any power of two up to 4M ("4k", "4096", "1M"). */
int value_parse_entries(const char *s, __u32 *n);
int value_parse_bool(const char *s, bool *b);
int value_parse_u32(const char *s, __u32 *v);
int value_parse_ip(const char *s, struct sockaddr_storage *ss);

bool value_ip_is_any(const struct sockaddr_storage *ss);
/* "0.0.0.0" for AF_UNSPEC. */
const char *value_ip_str(const struct sockaddr_storage *ss, char *buf, size_t size);

/* Formatted so value_parse_time / value_parse_entries read them back. */
const char *value_fmt_time(__u64 ns, char *buf, size_t size);
const char *value_fmt_entries(__u32 n, char *buf, size_t size);

#endif
