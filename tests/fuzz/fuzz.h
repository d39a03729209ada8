/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every fuzz target shares. Each defines LLVMFuzzerTestOneInput;
 * common.c defines LLVMFuzzerInitialize for all of them.
 */
#ifndef LKVM_TESTS_FUZZ_H
#define LKVM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
