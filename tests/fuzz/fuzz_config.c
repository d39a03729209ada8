// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the command line. The input is split at NUL bytes into
 * arguments after "lkvm-rcar".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/config.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char *argv[MAX_ARGS + 2] = { "lkvm-rcar" };
	struct vm_config cfg;
	int argc = 1;
	size_t i, start = 0;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (text[i] == '\0') {
			argv[argc++] = text + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	config_parse(&cfg, argc, argv);
	free(text);
	return 0;
}
