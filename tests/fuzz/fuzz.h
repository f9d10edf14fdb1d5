/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz.h - what the fuzz targets share: an input reader and checks that abort with a reason. */
#ifndef TFLOW_FUZZ_H
#define TFLOW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every target is built twice: with libFuzzer (clang -fsanitize=fuzzer,address,undefined), and
 * with replay.c's main() under ASan/UBSan to replay tests/fuzz/corpus/TARGET in normal CI.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input being replayed (replay.c sets it), named when a check fails. */
__attribute__((weak)) const char *fuzz_input;

#define FUZZ_CHECK(cond, ...)                                                                     \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "fuzz check failed at %s:%d%s%s: %s: ", __FILE__,         \
				__LINE__, fuzz_input ? " on " : "", fuzz_input ? fuzz_input : "", \
				#cond);                                                           \
			fprintf(stderr, __VA_ARGS__);                                             \
			fputc('\n', stderr);                                                      \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

/* Reads the input front to back; past its end every read gives zeros. */
struct fin {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fin_u8(struct fin *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fin_u16(struct fin *in)
{
	uint16_t hi = fin_u8(in);

	return (uint16_t)(hi << 8 | fin_u8(in));
}

static inline uint32_t fin_u32(struct fin *in)
{
	uint32_t hi = fin_u16(in);

	return hi << 16 | fin_u16(in);
}

static inline uint64_t fin_u64(struct fin *in)
{
	uint64_t hi = fin_u32(in);

	return hi << 32 | fin_u32(in);
}

static inline void fin_bytes(struct fin *in, void *out, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

#endif
