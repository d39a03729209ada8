/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the unit tests: the suites, and a way to capture what the
 * code under test reports.
 */
#ifndef LKVM_TESTS_CHECK_H
#define LKVM_TESTS_CHECK_H

#include <check.h>

Suite *config_suite(void);
Suite *ram_suite(void);
Suite *image_suite(void);
Suite *dt_suite(void);
Suite *virtq_suite(void);
Suite *virtio_mmio_suite(void);
Suite *loop_suite(void);
Suite *host_node_suite(void);
Suite *vfio_bind_suite(void);
Suite *virtio_gpio_suite(void);
Suite *console_input_suite(void);
Suite *record_suite(void);
Suite *blk_req_suite(void);
Suite *disk_image_suite(void);
Suite *seccomp_bpf_suite(void);
Suite *mmio_ring_suite(void);
Suite *rng_fill_suite(void);

/* Send log messages into a buffer from now on (one test at a time). */
void capture_log(void);
/* What was logged since capture_log(), NUL-terminated. */
const char *captured_log(void);
/* Number of lines logged since capture_log(). */
int captured_lines(void);

#endif
