/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_config.c - fuzz target: config lines, files, long options, target specs, times, sizes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"
#include "config/config.h"
#include "config/value.h"

/*
 * The first input byte picks what the rest is fed to (a letter of mode_tags, or any byte). Besides
 * "no crash, no sanitizer report", each call is held to its contract:
 * - returns 0 or -EINVAL; on an error the message is set, terminated, within CFG_ERR_LEN and
 *   starts with where it comes from ("FILE:LINE: "); on success there is no message;
 * - a line, long option or target that is refused changes nothing in the configuration;
 * - a configuration that was accepted prints (config_print) as text that reads back to the
 *   very same configuration;
 * - times and cache sizes that parse format back to text that parses to the same value.
 */

enum mode { M_LINE, M_FILE, M_SET, M_TARGET, M_TIME, M_ENTRIES, M_FMT_TIME, N_MODES };

/* The long options tflow run maps to config_set (main.c). */
static const char *const props[] = {
	"interfaces",	   "cache-entries",	"active-flow-timeout", "inactive-flow-timeout",
	"packet-sampling", "sampling-interval", "sampling-space",      "scan-interval",
	"enabled",	   "direction",
};

static char *err_buf(void)
{
	char *err = malloc(CFG_ERR_LEN); /* exactly: ASan sees a message written past it */

	if (!err)
		abort();
	memset(err, 'x', CFG_ERR_LEN); /* and an unterminated one shows */
	return err;
}

static void check_result(int ret, const char *err, const char *prefix)
{
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, "returned %d", ret);
	FUZZ_CHECK(memchr(err, '\0', CFG_ERR_LEN), "message not terminated");
	if (!ret) {
		FUZZ_CHECK(!err[0], "success with a message: %s", err);
		return;
	}
	FUZZ_CHECK(err[0], "an error without a message");
	if (prefix)
		FUZZ_CHECK(!strncmp(err, prefix, strlen(prefix)),
			   "message '%s' does not start with '%s'", err, prefix);
}

/* A file holding text, as /proc/self/fd/N; returns the fd (closed by the caller). */
static int text_file(const void *text, size_t len, char *path, size_t path_size)
{
	int fd = memfd_create("fuzz.rsc", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0, "memfd_create failed");
	FUZZ_CHECK(write(fd, text, len) == (ssize_t)len, "write failed");
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

/* What config_print writes reads back to the same configuration. */
static void check_round_trip(const struct cfg *c)
{
	char *text = NULL, *err = err_buf(), path[64];
	size_t len = 0;
	struct cfg *back = malloc(sizeof(*back));
	FILE *f = open_memstream(&text, &len);
	int fd, ret;

	FUZZ_CHECK(f && back, "out of memory");
	config_print(c, f);
	fclose(f);
	fd = text_file(text, len, path, sizeof(path));
	config_defaults(back);
	ret = config_parse_file(back, path, err, CFG_ERR_LEN);
	FUZZ_CHECK(!ret, "config_print's output does not parse: %s\n--- output:\n%s", err, text);
	FUZZ_CHECK(!memcmp(back, c, sizeof(*c)),
		   "config_print's output parses to another configuration:\n%s", text);
	close(fd);
	free(back);
	free(err);
	free(text);
}

static void fuzz_line(const char *s)
{
	struct cfg *c = malloc(sizeof(*c)), *before = malloc(sizeof(*c));
	char *err = err_buf();
	int ret;

	FUZZ_CHECK(c && before, "out of memory");
	config_defaults(c);
	*before = *c;
	ret = config_parse_line(c, s, "fuzz.rsc", 7, err, CFG_ERR_LEN);
	check_result(ret, err, "fuzz.rsc:7: ");
	if (ret)
		FUZZ_CHECK(!memcmp(c, before, sizeof(*c)), "a refused line changed the config");
	else
		check_round_trip(c);
	config_validate(c, err, CFG_ERR_LEN);
	FUZZ_CHECK(memchr(err, '\0', CFG_ERR_LEN), "validate: message not terminated");
	free(err);
	free(before);
	free(c);
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	struct cfg *c = malloc(sizeof(*c));
	char *err = err_buf(), path[64], prefix[80];
	int fd = text_file(data, size, path, sizeof(path)), ret;

	FUZZ_CHECK(c, "out of memory");
	config_defaults(c);
	ret = config_parse_file(c, path, err, CFG_ERR_LEN);
	snprintf(prefix, sizeof(prefix), "%s:", path);
	check_result(ret, err, prefix);
	if (!ret)
		check_round_trip(c);
	close(fd);
	free(err);
	free(c);
}

/* PROPERTY '\n' VALUE; a property byte < N picks a real option name. */
static void fuzz_set(const char *s)
{
	struct cfg *c = malloc(sizeof(*c)), *before = malloc(sizeof(*c));
	const char *nl = strchr(s, '\n'), *value = nl ? nl + 1 : "";
	char *prop = strndup(s, nl ? (size_t)(nl - s) : strlen(s)), *err = err_buf();
	const char *name = prop;
	int ret;

	FUZZ_CHECK(c && before && prop, "out of memory");
	if (strlen(prop) == 1 && (unsigned char)prop[0] < sizeof(props) / sizeof(props[0]))
		name = props[(unsigned char)prop[0]];
	config_defaults(c);
	*before = *c;
	ret = config_set(c, name, value, err, CFG_ERR_LEN);
	check_result(ret, err, NULL);
	if (ret) {
		FUZZ_CHECK(!memcmp(c, before, sizeof(*c)), "a refused option changed the config");
		/* A real option's message names it, whatever was wrong with the value. */
		if (name != prop)
			FUZZ_CHECK(strstr(err, name), "message '%s' does not name %s", err, name);
	} else {
		check_round_trip(c);
	}
	free(err);
	free(prop);
	free(before);
	free(c);
}

static void fuzz_target(const char *s)
{
	struct cfg *c = malloc(sizeof(*c)), *before = malloc(sizeof(*c));
	char *err = err_buf();
	int ret, n;

	FUZZ_CHECK(c && before, "out of memory");
	config_defaults(c);
	/* Sometimes with the table full, so "too many targets" is reached too. */
	n = s[0] == '!' ? CFG_MAX_TARGETS - 1 : 0;
	for (int i = 0; i < n; i++) {
		char spec[32];

		/* Distinct ports: the same collector twice is refused. */
		snprintf(spec, sizeof(spec), "192.0.2.1:%d", 3000 + i);
		FUZZ_CHECK(!config_add_target_spec(c, spec, err, CFG_ERR_LEN), "%s", err);
	}
	*before = *c;
	ret = config_add_target_spec(c, s + (n ? 1 : 0), err, CFG_ERR_LEN);
	check_result(ret, err, NULL);
	if (ret) {
		FUZZ_CHECK(!memcmp(c, before, sizeof(*c)), "a refused target changed the config");
	} else {
		FUZZ_CHECK(c->n_targets == n + 1, "%d targets", c->n_targets);
		check_round_trip(c);
	}
	free(err);
	free(before);
	free(c);
}

static void fuzz_time(const char *s)
{
	__u64 ns, back;
	char buf[64];

	if (value_parse_time(s, &ns))
		return;
	value_fmt_time(ns, buf, sizeof(buf));
	FUZZ_CHECK(!value_parse_time(buf, &back), "'%s' formats as '%s', which does not parse", s,
		   buf);
	/* The parser's smallest unit is the ms: nothing finer can come out of it. */
	FUZZ_CHECK(back == ns && ns % NS_MS == 0, "'%s' = %llu ns formats as '%s' = %llu ns", s,
		   (unsigned long long)ns, buf, (unsigned long long)back);
}

static void fuzz_entries(const char *s)
{
	__u32 n, back;
	char buf[32];

	if (value_parse_entries(s, &n))
		return;
	FUZZ_CHECK(n >= 1024 && n <= 4194304 && !(n & (n - 1)), "'%s' gives %u entries", s, n);
	value_fmt_entries(n, buf, sizeof(buf));
	FUZZ_CHECK(!value_parse_entries(buf, &back) && back == n, "'%s' formats as '%s'", s, buf);
}

/* Any time value_fmt_time is given (the parser's or not) reads back to its whole ms. */
static void fuzz_fmt_time(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	__u64 ns = fin_u64(&in), back;
	char buf[64];

	value_fmt_time(ns, buf, sizeof(buf));
	FUZZ_CHECK(!value_parse_time(buf, &back) && back == ns - ns % NS_MS,
		   "%llu ns formats as '%s'", (unsigned long long)ns, buf);
}

/* Mode letters, so that corpus files read as text ("L/ip traffic-flow set ..."). */
static const char mode_tags[N_MODES] = { 'L', 'F', 'S', 'T', 'D', 'E', 'U' };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tag;
	enum mode mode;
	char *s;

	if (!size)
		return 0;
	tag = memchr(mode_tags, data[0], N_MODES);
	mode = tag ? (enum mode)(tag - mode_tags) : (enum mode)(data[0] % N_MODES);
	if (mode == M_FILE) {
		fuzz_file(data + 1, size - 1);
		return 0;
	}
	if (mode == M_FMT_TIME) {
		fuzz_fmt_time(data + 1, size - 1);
		return 0;
	}
	s = strndup((const char *)data + 1, size - 1); /* the text up to a NUL, as C sees it */
	FUZZ_CHECK(s, "out of memory");
	switch (mode) {
	case M_LINE:
		fuzz_line(s);
		break;
	case M_SET:
		fuzz_set(s);
		break;
	case M_TARGET:
		fuzz_target(s);
		break;
	case M_TIME:
		fuzz_time(s);
		break;
	case M_ENTRIES:
		fuzz_entries(s);
		break;
	default:
		break;
	}
	free(s);
	return 0;
}
