/* SPDX-License-Identifier: GPL-2.0-only */
/* iter_cases.h - the cache scan cases (iter_cases.c), run by test_bpf's main. */
#ifndef TFLOW_TEST_ITER_CASES_H
#define TFLOW_TEST_ITER_CASES_H

/*
 * The in-kernel scans (a kernel that refuses one: a skip naming the refusal) and the batched
 * fallback on the same flows, then the store of first-packet
 * fields on its own (ext_cases.c); adds to the counts.
 */
void iter_cases(int *n_pass, int *n_fail, int *n_skip);

#endif
