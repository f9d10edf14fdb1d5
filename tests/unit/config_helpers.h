/* SPDX-License-Identifier: GPL-2.0-only */
/* config_helpers.h - for tests/unit/test_config*.c: config files in /tmp, errors, round-trips. */
#ifndef TFLOW_TEST_CONFIG_HELPERS_H
#define TFLOW_TEST_CONFIG_HELPERS_H

#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t.h"
#include "config/config.h"
#include "config/ifmatch.h"
#include "config/value.h"
#include "record/fields.h"

#define S(x) ((__u64)(x)*1000000000ULL)
#define MS(x) ((__u64)(x)*1000000ULL)

static char tmp_path[64];

/* Write text to a fresh file under /tmp; the path stays in tmp_path until unlinked. */
static inline void write_tmp(const char *text, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/tflow-test-XXXXXX");
	fd = mkstemp(tmp_path);
	if (!T_CHECK(fd >= 0, "mkstemp"))
		return;
	T_CHECK(write(fd, text, len) == (ssize_t)len, "write");
	close(fd);
}

static inline int parse_text(struct cfg *c, const char *text, char *err, size_t errlen)
{
	int ret;

	config_defaults(c);
	write_tmp(text, strlen(text));
	ret = config_parse_file(c, tmp_path, err, errlen);
	unlink(tmp_path);
	return ret;
}

/* The file must fail with a message holding "FILE:LINE: " and every given fragment. */
static inline void expect_file_err(const char *text, int line, const char *frag1, const char *frag2)
{
	char err[CFG_ERR_LEN], where[96];
	struct cfg c;
	int ret = parse_text(&c, text, err, sizeof(err));

	snprintf(where, sizeof(where), "%s:%d: ", tmp_path, line);
	T_CHECK(ret == -EINVAL, "ret %d for: %s", ret, text);
	T_CHECK(!strncmp(err, where, strlen(where)), "want '%s' in: %s", where, err);
	T_CHECK(strstr(err, frag1), "want '%s' in: %s", frag1, err);
	if (frag2)
		T_CHECK(strstr(err, frag2), "want '%s' in: %s", frag2, err);
}

static inline const struct sockaddr_in *in4(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr_in *)ss;
}

static inline const struct sockaddr_in6 *in6(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr_in6 *)ss;
}

static inline int is_ip4(const struct sockaddr_storage *ss, const char *ip, __u16 port)
{
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	return ss->ss_family == AF_INET && in4(ss)->sin_addr.s_addr == a.s_addr &&
	       in4(ss)->sin_port == htons(port);
}

static inline int is_ip6(const struct sockaddr_storage *ss, const char *ip, __u16 port)
{
	struct in6_addr a;

	inet_pton(AF_INET6, ip, &a);
	return ss->ss_family == AF_INET6 && !memcmp(&in6(ss)->sin6_addr, &a, sizeof(a)) &&
	       in6(ss)->sin6_port == htons(port);
}

static inline void roundtrip(const struct cfg *c, const char *want_first_line)
{
	static char buf[65536];
	char err[CFG_ERR_LEN] = "";
	struct cfg back;
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	size_t n;

	if (!T_CHECK(f, "fmemopen"))
		return;
	config_print(c, f);
	n = (size_t)ftell(f);
	fclose(f);
	if (!T_CHECK(n < sizeof(buf) - 1, "output too long"))
		return;
	buf[n] = '\0';
	if (want_first_line)
		T_CHECK(!strncmp(buf, want_first_line, strlen(want_first_line)), "got: %s", buf);
	T_EQ_INT(parse_text(&back, buf, err, sizeof(err)), 0);
	T_CHECK(!err[0], "%s\nin:\n%s", err, buf);
	T_CHECK(!memcmp(c, &back, sizeof(back)), "round-trip differs:\n%s", buf);
}

#endif
