// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for devices/backend/disk-image.c: what the image is (raw,
 * another format, kept in memory or not), its size, and its lock.
 */
#include "tests/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "devices/backend/disk-image.h"
#include "vmm/config.h"

/* A file of @size bytes starting with @head, in @dir; its path in @cfg. */
static void make_image(struct disk_cfg *cfg, const char *dir, const char *head, size_t size)
{
	int fd;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s/lkvm-disk-XXXXXX", dir);
	fd = mkstemp(cfg->path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	if (head)
		ck_assert_int_eq(pwrite(fd, head, strlen(head), 0), (ssize_t)strlen(head));
	close(fd);
}

static bool dir_in_memory(const char *dir)
{
	struct statfs sfs;

	ck_assert_int_eq(statfs(dir, &sfs), 0);
	return (uint32_t)sfs.f_type == TMPFS_MAGIC || (uint32_t)sfs.f_type == RAMFS_MAGIC;
}

START_TEST(test_tmpfs_image_is_in_memory)
{
	struct disk_image img;
	struct disk_cfg cfg;

	/* Debian mounts /dev/shm as tmpfs, as every systemd host does. */
	ck_assert_msg(dir_in_memory("/dev/shm"), "/dev/shm is not tmpfs on this machine");
	make_image(&cfg, "/dev/shm", NULL, 8192);
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert(img.in_memory);
	ck_assert(!img.block_device);
	ck_assert_uint_eq(img.size, 8192);
	disk_image_close(&img);
	unlink(cfg.path);
}
END_TEST

START_TEST(test_image_on_a_disk_is_not_in_memory)
{
	struct disk_image img;
	struct disk_cfg cfg;

	/* The build tree: on a disk wherever this runs but a tmpfs checkout. */
	if (dir_in_memory("build"))
		return;
	make_image(&cfg, "build", NULL, 4096);
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert(!img.in_memory);
	disk_image_close(&img);
	unlink(cfg.path);
}
END_TEST

START_TEST(test_odd_size_is_rounded_down)
{
	struct disk_image img;
	struct disk_cfg cfg;

	make_image(&cfg, "/dev/shm", NULL, 4096 + 100);
	capture_log();
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert_uint_eq(img.size, 4096);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "not a multiple of 512"));
	disk_image_close(&img);
	unlink(cfg.path);
}
END_TEST

START_TEST(test_qcow2_is_refused)
{
	struct disk_image img;
	struct disk_cfg cfg;

	make_image(&cfg, "/dev/shm", "QFI\xfb", 65536);
	capture_log();
	ck_assert_int_eq(disk_image_open(&img, &cfg), -EINVAL);
	ck_assert_int_eq(img.fd, -1);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "a qcow2 image"));
	ck_assert_ptr_nonnull(strstr(captured_log(), "qemu-img convert -O raw"));
	unlink(cfg.path);
}
END_TEST

START_TEST(test_second_writer_is_refused)
{
	struct disk_image first, second;
	struct disk_cfg cfg;

	/* Open file description locks: a second open conflicts in one process too. */
	make_image(&cfg, "/dev/shm", NULL, 4096);
	ck_assert_int_eq(disk_image_open(&first, &cfg), 0);
	capture_log();
	ck_assert_int_lt(disk_image_open(&second, &cfg), 0);
	ck_assert_int_eq(second.fd, -1);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "in use by another VMM"));
	disk_image_close(&first);
	ck_assert_int_eq(disk_image_open(&second, &cfg), 0);
	disk_image_close(&second);
	unlink(cfg.path);
}
END_TEST

Suite *disk_image_suite(void)
{
	Suite *s = suite_create("disk-image");
	TCase *tc = tcase_create("open");

	tcase_add_test(tc, test_tmpfs_image_is_in_memory);
	tcase_add_test(tc, test_image_on_a_disk_is_not_in_memory);
	tcase_add_test(tc, test_odd_size_is_rounded_down);
	tcase_add_test(tc, test_qcow2_is_refused);
	tcase_add_test(tc, test_second_writer_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
