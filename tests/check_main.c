// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every unit test suite. Check forks per test by default, so a crash
 * is one failed test rather than the end of the run (CK_FORK=no for gdb).
 */
#include "tests/check.h"

#include <errno.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/log.h"

static int log_memfd = -1;
static char log_text[8192];

void capture_log(void)
{
	if (log_memfd < 0)
		log_memfd = memfd_create("log", MFD_CLOEXEC);
	ck_assert_int_ge(log_memfd, 0);
	ck_assert_int_eq(ftruncate(log_memfd, 0), 0);
	lseek(log_memfd, 0, SEEK_SET);
	log_set_fd(log_memfd);
}

const char *captured_log(void)
{
	ssize_t n = pread(log_memfd, log_text, sizeof(log_text) - 1, 0);

	log_text[n > 0 ? n : 0] = '\0';
	return log_text;
}

int captured_lines(void)
{
	const char *p = captured_log();
	int n = 0;

	for (; *p; p++)
		n += *p == '\n';
	return n;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed, devnull;

	/* Tests that look at messages capture them; the rest stay quiet. */
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull >= 0)
		log_set_fd(devnull);

	srunner_add_suite(sr, image_suite());
	srunner_add_suite(sr, dt_suite());
	srunner_add_suite(sr, virtq_suite());
	srunner_add_suite(sr, virtio_mmio_suite());
	srunner_add_suite(sr, loop_suite());
	srunner_add_suite(sr, host_node_suite());
	srunner_add_suite(sr, vfio_bind_suite());
	srunner_add_suite(sr, virtio_gpio_suite());
	srunner_add_suite(sr, console_input_suite());
	srunner_add_suite(sr, record_suite());
	srunner_add_suite(sr, blk_req_suite());
	srunner_add_suite(sr, disk_image_suite());
	srunner_add_suite(sr, ram_suite());
	srunner_add_suite(sr, seccomp_bpf_suite());
	srunner_add_suite(sr, mmio_ring_suite());
	srunner_add_suite(sr, rng_fill_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
