/* SPDX-License-Identifier: GPL-2.0-only */
/* test_log.c - log lines for a terminal and for the journal, and JOURNAL_STREAM matching. */
#include <string.h>
#include "t.h"
#include "util/log.h"

static void check_fmt(enum log_level lvl, bool journal, const char *msg, const char *want)
{
	char buf[256];
	size_t n = log_format(buf, sizeof(buf), lvl, journal, msg);

	T_EQ_INT(n, strlen(want));
	T_CHECK(n == strlen(want) && !memcmp(buf, want, n), "got '%.*s' want '%s'", (int)n, buf,
		want);
}

static void test_terminal_format(void)
{
	check_fmt(LOG_LVL_ERR, false, "cannot load", "tflow: error: cannot load\n");
	check_fmt(LOG_LVL_WARN, false, "no native XDP", "tflow: warning: no native XDP\n");
	check_fmt(LOG_LVL_INFO, false, "running on 2 interface(s)",
		  "tflow: running on 2 interface(s)\n");
	check_fmt(LOG_LVL_VERBOSE, false, "scan", "tflow: debug: scan\n");
	check_fmt(LOG_LVL_DEBUG, false, "libbpf: x\n", "tflow: debug: libbpf: x\n");
	check_fmt(LOG_LVL_INFO, false, "a\nb", "tflow: a\nb\n");
	check_fmt(LOG_LVL_INFO, false, "", "tflow: \n");
}

static void test_journal_format(void)
{
	check_fmt(LOG_LVL_ERR, true, "cannot load", "<3>error: cannot load\n");
	check_fmt(LOG_LVL_WARN, true, "no native XDP", "<4>warning: no native XDP\n");
	check_fmt(LOG_LVL_INFO, true, "running", "<6>running\n");
	check_fmt(LOG_LVL_VERBOSE, true, "scan", "<7>debug: scan\n");
	check_fmt(LOG_LVL_DEBUG, true, "libbpf: x\n", "<7>debug: libbpf: x\n");
	/* every line of a message is an entry of its own, each with the priority */
	check_fmt(LOG_LVL_INFO, true, "configuration:\n/ip a\n/ip b\n",
		  "<6>configuration:\n<6>/ip a\n<6>/ip b\n");
	check_fmt(LOG_LVL_ERR, true, "a\n\nb", "<3>error: a\n<3>\n<3>b\n");
}

static void test_truncated(void)
{
	char buf[16];
	size_t n = log_format(buf, sizeof(buf), LOG_LVL_ERR, true, "0123456789abcdef");

	T_EQ_INT(n, 16);
	T_EQ_MEM(buf, "<3>error: 01234\n", 16);
	T_EQ_INT(log_format(buf, 1, LOG_LVL_INFO, true, "x"), 0);
	T_EQ_INT(log_format(buf, 2, LOG_LVL_INFO, true, "x"), 2);
	T_EQ_MEM(buf, "<\n", 2);
}

static void test_journal_stream(void)
{
	T_CHECK(log_journal_match("8:1234", 8, 1234), "match");
	T_CHECK(log_journal_match("0:18446744073709551615", 0, 18446744073709551615ULL), "max");
	T_CHECK(!log_journal_match("8:1234", 8, 1235), "other inode");
	T_CHECK(!log_journal_match("9:1234", 8, 1234), "other device");
	T_CHECK(!log_journal_match(NULL, 8, 1234), "unset");
	T_CHECK(!log_journal_match("", 8, 1234), "empty");
	T_CHECK(!log_journal_match("8:1234x", 8, 1234), "trailing junk");
	T_CHECK(!log_journal_match("8", 8, 1234), "no inode");
	T_CHECK(!log_journal_match("8-1234", 8, 1234), "wrong separator");
}

int main(void)
{
	T_RUN(test_terminal_format);
	T_RUN(test_journal_format);
	T_RUN(test_truncated);
	T_RUN(test_journal_stream);
	T_EXIT();
}
