/* SPDX-License-Identifier: GPL-2.0-only */
/* bpf_bench.c - bench: the options, the sections in turn, the one-line verdicts they print. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"

struct bench_opts bench = { .runs = 5 };
int bench_misses;

__u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

__u64 bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void verdict(const char *name, const char *text, bool pass, const char *op, double limit)
{
	printf("bench: %s: %s (target %s %g) %s\n", name, text, op, limit, pass ? "PASS" : "MISS");
	fflush(stdout);
	if (!pass)
		bench_misses++;
}

void bench_target_le(const char *name, const char *text, double value, double limit)
{
	verdict(name, text, value <= limit, "<=", limit);
}

void bench_target_ge(const char *name, const char *text, double value, double limit)
{
	verdict(name, text, value >= limit, ">=", limit);
}

void bench_info(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("bench: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (info)\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f, "usage: bpf_bench [--quick] [--runs N] [--only datapath|encoders|scan|memory]\n"
		   "                 [--figure TEXT]  (datapath figures whose name contains TEXT)\n"
		   "Prints one line per figure; exits 1 when a target is missed, 2 on error.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "runs", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "figure", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static const struct {
		const char *name;
		int (*fn)(void);
	} sections[] = {
		{ "datapath", bench_datapath },
		{ "encoders", bench_encoders },
		{ "scan", bench_scan },
		{ "memory", bench_memory },
	};
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "qr:o:f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			bench.quick = true;
			break;
		case 'r':
			bench.runs = atoi(optarg);
			if (bench.runs < 1 || bench.runs > BENCH_MAX_RUNS) {
				fprintf(stderr, "bpf_bench: --runs: 1 to %d\n", BENCH_MAX_RUNS);
				return 2;
			}
			break;
		case 'o':
			bench.only = optarg;
			break;
		case 'f':
			bench.figure = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (bench.quick && bench.runs > 3)
		bench.runs = 3;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (bench.only && strncmp(sections[i].name, bench.only, strlen(bench.only)))
			continue;
		if (sections[i].fn()) {
			printf("bench: %s: could not run (see above) ERROR\n", sections[i].name);
			failed++;
		}
	}
	if (failed)
		return 2;
	return bench_misses ? 1 : 0;
}
