// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for devices/backend/disk-image.c: what the image is (raw,
 * another format, kept in memory or not), its size, its lock, and
 * direct I/O (,direct).
 */
#include "tests/check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

	/* The build tree, or /var/tmp where the checkout is on tmpfs. */
	const char *dir = dir_in_memory("build") ? "/var/tmp" : "build";

	ck_assert_msg(!dir_in_memory(dir), "neither build/ nor /var/tmp is on a disk here");
	make_image(&cfg, dir, NULL, 4096);
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

/*
 * Discard is offered for a writable file on a file system that punches
 * holes (tmpfs does), found out without touching the image; not for a
 * read-only one.
 */
START_TEST(test_discard_where_holes_can_be_punched)
{
	struct disk_image img;
	struct disk_cfg cfg;
	struct stat st;
	char buf[5] = "";
	int fd;

	make_image(&cfg, "/dev/shm", "data", 4096);
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert(img.can_punch);
	disk_image_close(&img);
	fd = open(cfg.path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 4096);
	ck_assert_int_eq(pread(fd, buf, 4, 0), 4);
	ck_assert_str_eq(buf, "data");
	close(fd);
	cfg.read_only = true;
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert(!img.can_punch);
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

/* @cfg's image refused as in use: one line, nothing left open. */
static void assert_in_use(const struct disk_cfg *cfg)
{
	struct disk_image img;

	capture_log();
	ck_assert_int_lt(disk_image_open(&img, cfg), 0);
	ck_assert_int_eq(img.fd, -1);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "in use by another VMM"));
}

START_TEST(test_second_writer_is_refused)
{
	struct disk_image first, second;
	struct disk_cfg cfg;

	/* Open file description locks: a second open conflicts in one process too. */
	make_image(&cfg, "/dev/shm", NULL, 4096);
	ck_assert_int_eq(disk_image_open(&first, &cfg), 0);
	assert_in_use(&cfg);
	disk_image_close(&first);
	ck_assert_int_eq(disk_image_open(&second, &cfg), 0);
	disk_image_close(&second);
	unlink(cfg.path);
}
END_TEST

/* A lock on the one byte @at of @path, as QEMU takes them; its fd. */
static int qemu_lock_byte(const char *path, off_t at)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = at, .l_len = 1 };
	int fd = open(path, O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_OFD_SETLK, &fl), 0);
	return fd;
}

/*
 * QEMU's byte locks: 100 + n for a permission n it holds, 200 + n for one
 * it does not share; writing is permission 1. Its reader (byte 100, and
 * 201: it lets nobody write) shares with ours; its writer (101 as well)
 * does not.
 */
START_TEST(test_qemu_locks)
{
	struct disk_image img;
	struct disk_cfg cfg;
	int reader, no_writers, writer;

	make_image(&cfg, "/dev/shm", NULL, 4096);
	reader = qemu_lock_byte(cfg.path, 100);
	no_writers = qemu_lock_byte(cfg.path, 201);
	cfg.read_only = true;
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	disk_image_close(&img);

	/* A writer of ours is refused on an image a QEMU reads. */
	cfg.read_only = false;
	assert_in_use(&cfg);

	writer = qemu_lock_byte(cfg.path, 101);
	cfg.read_only = true;
	assert_in_use(&cfg);
	close(writer);
	close(no_writers);
	close(reader);
	unlink(cfg.path);
}
END_TEST

/* The same image by another path is the same; another file is not. */
START_TEST(test_same_image_by_any_path)
{
	struct disk_cfg cfg, other;
	struct disk_image img;
	char link[sizeof(cfg.path) + 8];
	struct stat st;

	make_image(&cfg, "/dev/shm", NULL, 4096);
	make_image(&other, "/dev/shm", NULL, 4096);
	snprintf(link, sizeof(link), "%s.link", cfg.path);
	ck_assert_int_eq(symlink(cfg.path, link), 0);
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert_int_eq(stat(link, &st), 0);
	ck_assert(disk_image_is(&img, &st));
	ck_assert_int_eq(stat(other.path, &st), 0);
	ck_assert(!disk_image_is(&img, &st));
	disk_image_close(&img);
	ck_assert_int_eq(stat(cfg.path, &st), 0);
	ck_assert(!disk_image_is(&img, &st));	/* closed: nothing is open */
	unlink(link);
	unlink(other.path);
	unlink(cfg.path);
}
END_TEST

/*
 * Two readers of ours share an image (neither lock is a QEMU writer's);
 * a writer that comes after them is refused.
 */
START_TEST(test_readers_share)
{
	struct disk_image first, second;
	struct disk_cfg cfg;

	make_image(&cfg, "/dev/shm", NULL, 4096);
	cfg.read_only = true;
	ck_assert_int_eq(disk_image_open(&first, &cfg), 0);
	ck_assert_int_eq(disk_image_open(&second, &cfg), 0);
	disk_image_close(&second);
	cfg.read_only = false;
	assert_in_use(&cfg);
	disk_image_close(&first);
	unlink(cfg.path);
}
END_TEST

/* Whether the file system holding @path opens it O_DIRECT, asked directly. */
static bool takes_direct_io(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);

	if (fd < 0) {
		ck_assert_int_eq(errno, EINVAL);
		return false;
	}
	close(fd);
	return true;
}

/*
 * ,direct where the file system takes it (the build tree on a disk;
 * tmpfs since Linux 6.6) and is refused with one line where it does not
 * (tmpfs before): either way what disk_image_open() does must match.
 */
static void check_direct_in(const char *dir)
{
	struct disk_image img;
	struct disk_cfg cfg;
	bool can;
	int ret;

	make_image(&cfg, dir, NULL, 65536);
	cfg.direct = true;
	can = takes_direct_io(cfg.path);
	capture_log();
	ret = disk_image_open(&img, &cfg);
	if (can) {
		ck_assert_int_eq(ret, 0);
		ck_assert(img.direct);
		ck_assert(fcntl(img.fd, F_GETFL) & O_DIRECT);
		ck_assert_uint_ge(img.block_size, 512);
		ck_assert_uint_le(img.block_size, 4096);
		ck_assert_uint_eq(img.block_size & (img.block_size - 1), 0);
		ck_assert_int_eq(captured_lines(), 0);
	} else {
		ck_assert_int_eq(ret, -EINVAL);
		ck_assert_int_eq(img.fd, -1);
		ck_assert_int_eq(captured_lines(), 1);
		ck_assert_ptr_nonnull(strstr(captured_log(), "cannot do direct I/O; drop ,direct"));
	}
	disk_image_close(&img);
	unlink(cfg.path);
}

START_TEST(test_direct_where_the_file_system_takes_it)
{
	check_direct_in("/dev/shm");
	check_direct_in("build");
}
END_TEST

START_TEST(test_without_direct_the_page_cache)
{
	struct disk_image img;
	struct disk_cfg cfg;

	make_image(&cfg, "build", NULL, 4096);
	ck_assert_int_eq(disk_image_open(&img, &cfg), 0);
	ck_assert(!img.direct);
	ck_assert(!(fcntl(img.fd, F_GETFL) & O_DIRECT));
	ck_assert_uint_eq(img.block_size, 512);
	disk_image_close(&img);
	unlink(cfg.path);
}
END_TEST

START_TEST(test_direct_still_reads_the_header)
{
	struct disk_image img;
	struct disk_cfg cfg;

	/* The header is read before O_DIRECT, into a buffer it would refuse. */
	make_image(&cfg, "build", "QFI\xfb", 65536);
	cfg.direct = true;
	capture_log();
	ck_assert_int_eq(disk_image_open(&img, &cfg), -EINVAL);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "a qcow2 image"));
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
	tcase_add_test(tc, test_discard_where_holes_can_be_punched);
	tcase_add_test(tc, test_qcow2_is_refused);
	tcase_add_test(tc, test_second_writer_is_refused);
	tcase_add_test(tc, test_qemu_locks);
	tcase_add_test(tc, test_readers_share);
	tcase_add_test(tc, test_same_image_by_any_path);
	tcase_add_test(tc, test_direct_where_the_file_system_takes_it);
	tcase_add_test(tc, test_without_direct_the_page_cache);
	tcase_add_test(tc, test_direct_still_reads_the_header);
	suite_add_tcase(s, tc);
	return s;
}
