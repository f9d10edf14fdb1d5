/* log.h - leveled logging to stderr, with rate limiting for messages that can repeat. */
#ifndef TFLOW_LOG_H
#define TFLOW_LOG_H

#include <stdbool.h>
#include <time.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern enum log_level log_level;

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* A message that may repeat: at most one per interval; counts what it held back. */
struct log_ratelimit {
	time_t last;
	unsigned int suppressed;
};

/* True when the caller may log now; *suppressed tells how many were held back since. */
bool log_ratelimit_ok(struct log_ratelimit *rl, int interval_s, unsigned int *suppressed);

#endif
