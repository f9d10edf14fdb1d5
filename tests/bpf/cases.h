/* SPDX-License-Identifier: GPL-2.0-only */
/* cases.h - what the cache cases share (cases.c, iter_cases.c, ext_cases.c): results, flows. */
#ifndef TFLOW_TEST_CASES_H
#define TFLOW_TEST_CASES_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "tflow.h"

/* One `ok - NAME` or `not ok - NAME` line a case, counted into iter_cases()'s totals. */
void case_counts(int *n_pass, int *n_fail, int *n_skip); /* where the totals are (iter_cases) */
void case_start(const char *name);
void case_stop(void);
/* The case cannot run: the kernel refused what it tests (why says what and why). */
void case_skip(const char *why);
extern const char *case_cur; /* the case running */
extern bool case_bad;	     /* one of its EXPECTs failed */

#define EXPECT(cond, ...)                                            \
	do {                                                         \
		if (!(cond)) {                                       \
			if (!case_bad)                               \
				fprintf(stderr, "# %s\n", case_cur); \
			fprintf(stderr, "  line %d: ", __LINE__);    \
			fprintf(stderr, __VA_ARGS__);                \
			fputc('\n', stderr);                         \
			case_bad = true;                             \
		}                                                    \
	} while (0)

/* Test flow i: its key, and the first-packet fields it has when it has some. */
void flow_key(struct tflow_key *k, __u32 i);
void flow_ext(struct tflow_ext *x, __u32 i);

/* Entries of a hash map keyed by struct tflow_key. */
__u32 map_count(int fd);

/* ext_cases.c: the store of first-packet fields on its own (restart, ring). */
void ext_cases(void);

#endif
