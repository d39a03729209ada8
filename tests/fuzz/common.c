// SPDX-License-Identifier: GPL-2.0
/*
 * Set-up shared by every fuzz target, linked into each: the code under
 * test reports bad input on purpose, so its messages go to /dev/null and
 * the fuzzer's own output stays readable.
 */
#include <fcntl.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_fd(open("/dev/null", O_WRONLY | O_CLOEXEC));
	return 0;
}
