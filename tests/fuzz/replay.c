/* SPDX-License-Identifier: GPL-2.0-only */
/* replay.c - main() for a fuzz target built without libFuzzer: every corpus file, one run each. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

/*
 * usage: replay_TARGET [-v] PATH...    (a PATH is a corpus directory or one input file)
 *
 * Built with gcc -fsanitize=address,undefined, so normal CI replays the seed corpus and every
 * input a fuzzing run once found (tests/fuzz/corpus/TARGET) without clang's libFuzzer. A failed
 * check or a sanitizer report aborts the process with the input's name on stderr; success prints
 * one `ok - ...` line.
 */

static int verbose;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (size == cap) {
			cap = cap ? 2 * cap : 4096;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n);
	fclose(f);
	if (verbose)
		fprintf(stderr, "# %s (%zu bytes)\n", path, size);
	fuzz_input = path;
	/* An exact copy: ASan sees a read past the input's end. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	fuzz_input = NULL;
	free(copy);
	free(data);
	return 0;
}

static int replay_path(const char *path, int *count)
{
	struct dirent **ents;
	struct stat st;
	char sub[4096];
	int n, err = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err = replay_file(path);
		*count += !err;
		return err;
	}
	n = scandir(path, &ents, NULL, alphasort); /* sorted: a failure reproduces in order */
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && !err) {
			snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
			err = replay_path(sub, count);
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int count = 0, err = 0, first = 1;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-v] CORPUS_DIR_OR_FILE...\n", name);
		return 2;
	}
	for (int i = first; i < argc && !err; i++)
		err = replay_path(argv[i], &count);
	if (err || !count) {
		printf("not ok - %s: %s\n", name, err ? "an input could not be read" : "no inputs");
		return 1;
	}
	printf("ok - %s: %d inputs replayed under ASan/UBSan\n", name, count);
	return 0;
}
