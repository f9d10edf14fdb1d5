/* log.c - leveled logging to stderr in a form journald shows well. */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

enum log_level log_level = LOG_LVL_INFO;

static const char *const prefix[] = {
	[LOG_LVL_ERR] = "error: ",
	[LOG_LVL_WARN] = "warning: ",
	[LOG_LVL_INFO] = "",
	[LOG_LVL_DEBUG] = "debug: ",
};

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	fprintf(stderr, "tflow: %s", prefix[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
