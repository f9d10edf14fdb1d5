/* SPDX-License-Identifier: GPL-2.0-only */
/* log.h - leveled logging to stderr (priority prefixes under journald), with rate limiting. */
#ifndef TFLOW_LOG_H
#define TFLOW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,	 /* the default; -q shows errors and warnings only */
	LOG_LVL_VERBOSE, /* -v: tflow's own detail (pr_debug) */
	LOG_LVL_DEBUG,	 /* -vv: libbpf's messages and the verifier log too */
};

extern enum log_level log_level;

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define pr_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_VERBOSE, __VA_ARGS__)

/*
 * True when JOURNAL_STREAM ("DEV:INODE", set by systemd for a service whose stderr goes to the
 * journal) names the stderr we have: not inherited by a child that redirected it.
 */
bool log_journal_match(const char *journal_stream, unsigned long long dev, unsigned long long ino);

/*
 * One message as it is written: "tflow: error: MSG\n" on a terminal or a file; for the journal,
 * every line of MSG prefixed "<N>" (the syslog priority, as sd-daemon(3) reads it), no program
 * name (journald adds it and the time). A trailing newline in MSG is not doubled. Returns the
 * length; a message longer than size is cut and still ends with a newline.
 */
size_t log_format(char *buf, size_t size, enum log_level lvl, bool journal, const char *msg);

/* A message that may repeat: at most one per interval; counts what it held back. */
struct log_ratelimit {
	time_t last;
	unsigned int suppressed;
};

/* True when the caller may log now; *suppressed tells how many were held back since. */
bool log_ratelimit_ok(struct log_ratelimit *rl, int interval_s, unsigned int *suppressed);

#endif
