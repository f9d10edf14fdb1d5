/* SPDX-License-Identifier: GPL-2.0-only */
/* t.h - minimal unit-test harness: each case prints "ok - name" or "not ok - name". */
#ifndef TFLOW_T_H
#define TFLOW_T_H

#include <stdio.h>
#include <string.h>

static int t_case_failed;
static int t_total_failed;

#define T_CHECK(cond, ...)                                                                  \
	({                                                                                 \
		int t_ok_ = !!(cond);                                                      \
		if (!t_ok_) {                                                              \
			fprintf(stderr, "  %s:%d: check failed: %s", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, ": " __VA_ARGS__);                                 \
			fprintf(stderr, "\n");                                             \
			t_case_failed = 1;                                                 \
		}                                                                          \
		t_ok_;                                                                     \
	})

#define T_EQ_INT(a, b)                                                                      \
	T_CHECK((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))

#define T_EQ_MEM(a, b, n)                                                                   \
	({                                                                                 \
		int t_same_ = memcmp((a), (b), (n)) == 0;                                  \
		if (!t_same_)                                                              \
			t_hexdiff((const unsigned char *)(a), (const unsigned char *)(b), (n)); \
		T_CHECK(t_same_, "bytes differ");                                          \
	})

static inline void t_hexdiff(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			fprintf(stderr, "  byte %zu: got %02x want %02x\n", i, a[i], b[i]);
}

#define T_RUN(fn)                                                                           \
	do {                                                                               \
		t_case_failed = 0;                                                         \
		fn();                                                                      \
		printf("%s - %s\n", t_case_failed ? "not ok" : "ok", #fn);                 \
		t_total_failed += t_case_failed;                                           \
	} while (0)

#define T_EXIT() return t_total_failed ? 1 : 0

#endif
