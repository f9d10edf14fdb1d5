/* SPDX-License-Identifier: GPL-2.0-only */
/* value.c - config values: parsers, formatters, the text check and error-message helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "config/value.h"

/* Bad values are quoted back cut at a UTF-8 boundary, so one long value cannot hide the rest. */
int value_show_len(const char *s)
{
	size_t n = strnlen(s, SHOW_MAX + 1);

	if (n > SHOW_MAX)
		for (n = SHOW_MAX; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80;)
			n--;
	return (int)n;
}

int value_fail(const struct pctx *p, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!p->err || !p->errlen)
		return -EINVAL;
	p->err[0] = '\0';
	if (p->file)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->lineno);
	else if (p->lineno > 0)
		n = snprintf(p->err, p->errlen, "line %d: ", p->lineno);
	else if (p->what)
		n = snprintf(p->err, p->errlen, "%s: ", p->what);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int value_bad(const struct pctx *p, const char *name, const char *val, const char *why,
	      const char *acc)
{
	return value_fail(p, "%s: '%.*s%s' is not accepted%s%s (%s)", name, SHOW(val),
			  why ? ": " : "", why ? why : "", acc);
}

/* Everything parsed is checked here first, so later messages can quote it safely. */
int value_check_text(const struct pctx *p, const char *s)
{
	static const unsigned int min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strnlen(s, LINE_MAX_BYTES + 1), i, n, k;
	unsigned int cp;

	if (len > LINE_MAX_BYTES)
		return value_fail(p, "longer than %d bytes (split lines with a trailing '\\')",
				  LINE_MAX_BYTES);
	for (i = 0; i < len; i += n) {
		n = u[i] < 0x80 ? 1 : u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;
		cp = n == 1 ? u[i] : u[i] & (0x7fu >> n);
		/* The terminating NUL is no continuation byte, so this stops at it. */
		for (k = 1; k < n && (u[i + k] & 0xc0) == 0x80; k++)
			cp = cp << 6 | (u[i + k] & 0x3f);
		if (n == 1 && ((cp < 0x20 && cp != '\t') || cp == 0x7f))
			return value_fail(
				p, "control character 0x%02x at byte %zu (only text is accepted)",
				cp, i + 1);
		if (k < n || (u[i] & 0xc0) == 0x80 || u[i] > 0xf4 || cp < min_cp[n] ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return value_fail(p,
					  "invalid UTF-8 at byte %zu (only UTF-8 text is accepted)",
					  i + 1);
	}
	return 0;
}

static int read_num(const char **sp, __u64 *v)
{
	const char *s = *sp;
	__u64 n = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (__u64)(*s - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (__u64)(*s - '0');
	}
	*sp = s;
	*v = n;
	return 0;
}

static int add_mul(__u64 *acc, __u64 n, __u64 unit)
{
	if (n > UINT64_MAX / unit || *acc > UINT64_MAX - n * unit)
		return -EINVAL;
	*acc += n * unit;
	return 0;
}

/* Units largest first; index 5 is "ms". */
static const char time_sfx[] = "wdhms";
static const __u64 time_ns[] = { 604800 * NS_S, 86400 * NS_S, 3600 * NS_S, 60 * NS_S, NS_S, NS_MS };

int value_parse_time(const char *s, __u64 *ns)
{
	__u64 acc = 0, n, f[2];
	const char *x;
	int last = -1, u, nf;

	if (!s || !ns || !*s)
		return -EINVAL;
	while (*s) {
		if (read_num(&s, &n))
			return -EINVAL;
		if (*s == ':') {
			/* H:MM:SS or M:SS, last, and only after larger units ("1d02:00:00"). */
			for (nf = 0; *s == ':' && nf < 2; s += 3) {
				if (s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9')
					return -EINVAL;
				f[nf++] = (__u64)(s[1] - '0') * 10 + (__u64)(s[2] - '0');
			}
			if (*s || last >= (nf == 2 ? 2 : 3) ||
			    add_mul(&acc, n, nf == 2 ? 3600 * NS_S : 60 * NS_S) ||
			    add_mul(&acc, f[0], nf == 2 ? 60 * NS_S : NS_S) ||
			    (nf == 2 && add_mul(&acc, f[1], NS_S)))
				return -EINVAL;
			break;
		}
		if (!*s) {
			/* A bare number means seconds, but only alone: "1m30" is ambiguous. */
			if (last >= 0 || add_mul(&acc, n, NS_S))
				return -EINVAL;
			break;
		}
		x = memchr(time_sfx, *s, 5);
		u = !strncmp(s, "ms", 2) ? 5 : x ? (int)(x - time_sfx) : -1;
		/* Large to small, each once: "30s1m" is more likely a typo than meant. */
		if (u <= last || add_mul(&acc, n, time_ns[u]))
			return -EINVAL;
		last = u;
		s += u == 5 ? 2 : 1;
	}
	*ns = acc;
	return 0;
}

int value_parse_entries(const char *s, __u32 *n)
{
	const char *p = s;
	__u64 v;

	if (!s || !n || read_num(&p, &v) || v > 4194304)
		return -EINVAL;
	if (*p == 'k' && !p[1])
		v *= 1024;
	else if (*p == 'M' && !p[1])
		v *= 1048576;
	else if (*p)
		return -EINVAL;
	/* A power of two for the flow table; RouterOS's 1k..256k plus up to 4M for big hosts. */
	if (v < 1024 || v > 4194304 || (v & (v - 1)))
		return -EINVAL;
	*n = (__u32)v;
	return 0;
}

int value_parse_bool(const char *s, bool *b)
{
	*b = !strcasecmp(s, "yes");
	return *b || !strcasecmp(s, "no") ? 0 : -EINVAL;
}

int value_parse_u32(const char *s, __u32 *v)
{
	__u64 n;

	if (read_num(&s, &n) || *s || n > UINT32_MAX)
		return -EINVAL;
	*v = (__u32)n;
	return 0;
}

int value_parse_ip(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1)
		a4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1)
		a6->sin6_family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

bool value_ip_is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == 0;
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

const char *value_ip_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const void *a = ss->ss_family == AF_INET
				? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
				: (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (ss->ss_family == AF_UNSPEC || !inet_ntop(ss->ss_family, a, buf, (socklen_t)size))
		snprintf(buf, size, "0.0.0.0");
	return buf;
}

/* Whole units, weeks down to ms ("1h30m"); the parser cannot produce a sub-ms rest. */
const char *value_fmt_time(__u64 ns, char *buf, size_t size)
{
	size_t off = 0;
	int i;

	snprintf(buf, size, "0s");
	for (i = 0; i < 6 && off < size; ns %= time_ns[i++])
		if (ns / time_ns[i])
			off += (size_t)snprintf(buf + off, size - off, "%llu%.*s",
						(unsigned long long)(ns / time_ns[i]),
						i == 5 ? 2 : 1, i == 5 ? "ms" : &time_sfx[i]);
	return buf;
}

const char *value_fmt_entries(__u32 n, char *buf, size_t size)
{
	if (n && n % 1048576 == 0)
		snprintf(buf, size, "%uM", n / 1048576);
	else if (n && n % 1024 == 0)
		snprintf(buf, size, "%uk", n / 1024);
	else
		snprintf(buf, size, "%u", n);
	return buf;
}
