/* SPDX-License-Identifier: GPL-2.0-only */
/* log.c - leveled logging to stderr in a form journald shows well. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/log.h"

enum log_level log_level = LOG_LVL_INFO;

static const char *const prefix[] = {
	[LOG_LVL_ERR] = "error: ",     [LOG_LVL_WARN] = "warning: ", [LOG_LVL_INFO] = "",
	[LOG_LVL_VERBOSE] = "debug: ", [LOG_LVL_DEBUG] = "debug: ",
};

/* syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const char priority[] = {
	[LOG_LVL_ERR] = '3',	 [LOG_LVL_WARN] = '4',	[LOG_LVL_INFO] = '6',
	[LOG_LVL_VERBOSE] = '7', [LOG_LVL_DEBUG] = '7',
};

bool log_journal_match(const char *journal_stream, unsigned long long dev, unsigned long long ino)
{
	unsigned long long d, i;
	int end = 0;

	if (!journal_stream || sscanf(journal_stream, "%llu:%llu%n", &d, &i, &end) != 2 ||
	    journal_stream[end])
		return false;
	return d == dev && i == ino;
}

/* Appends s (n bytes) if it fits before the byte kept for the final newline. */
static size_t put(char *buf, size_t size, size_t len, const char *s, size_t n)
{
	if (len + n > size - 1)
		n = size - 1 - len;
	memcpy(buf + len, s, n);
	return len + n;
}

size_t log_format(char *buf, size_t size, enum log_level lvl, bool journal, const char *msg)
{
	const char *line = msg, *nl;
	char pri[3] = { '<', priority[lvl], '>' };
	size_t len = 0, n;

	if (size < 2)
		return 0;
	if (!journal)
		len = put(buf, size, len, "tflow: ", 7);
	do {
		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		/* Each line is a journal entry of its own: each needs its priority. */
		if (journal)
			len = put(buf, size, len, pri, sizeof(pri));
		if (line == msg)
			len = put(buf, size, len, prefix[lvl], strlen(prefix[lvl]));
		len = put(buf, size, len, line, n);
		if (nl && nl[1])
			len = put(buf, size, len, "\n", 1);
		line = nl ? nl + 1 : NULL;
	} while (line && *line);
	buf[len++] = '\n';
	return len;
}

static bool stderr_is_journal(void)
{
	static int journal = -1;
	struct stat st;

	if (journal < 0)
		journal = !fstat(STDERR_FILENO, &st) &&
			  log_journal_match(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
	return journal;
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	/* Room for the -v configuration dump: 16 targets and 64 interface names. */
	char msg[8192], out[8192 + 1024];
	size_t len;

	if (lvl > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = log_format(out, sizeof(out), lvl, stderr_is_journal(), msg);
	/* One write: lines from one message stay together. */
	fwrite(out, 1, len, stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_ok(struct log_ratelimit *rl, int interval_s, unsigned int *suppressed)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (rl->last && ts.tv_sec - rl->last < interval_s) {
		rl->suppressed++;
		return false;
	}
	rl->last = ts.tv_sec ? ts.tv_sec : 1;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
