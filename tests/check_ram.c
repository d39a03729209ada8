// SPDX-License-Identifier: GPL-2.0
/*
 * Host memory behind guest RAM: the host's transparent huge page size
 * read from sysfs, the aligned anonymous mapping, and --hugetlbfs
 * refusing what cannot serve, in one line and with nothing left open.
 */
#include "tests/check.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/ram.h"

#define MIB	(1024 * 1024ull)

static char sysfs[64];

static void setup(void)
{
	snprintf(sysfs, sizeof(sysfs), "/tmp/lkvm-thp-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sysfs));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", sysfs);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(thp_size_in_madvise_and_always_modes)
{
	put("hpage_pmd_size", "2097152\n");
	put("enabled", "always [madvise] never\n");
	ck_assert_uint_eq(ram_thp_size(sysfs), 2 * MIB);
	put("enabled", "[always] madvise never\n");
	ck_assert_uint_eq(ram_thp_size(sysfs), 2 * MIB);
}
END_TEST

START_TEST(thp_size_is_zero_when_turned_off_or_absent)
{
	ck_assert_uint_eq(ram_thp_size(sysfs), 0);
	ck_assert_uint_eq(ram_thp_size("/nonexistent/lkvm-thp"), 0);
	put("enabled", "always madvise [never]\n");
	put("hpage_pmd_size", "2097152\n");
	ck_assert_uint_eq(ram_thp_size(sysfs), 0);
	/* Turned on, but a size that is no page size. */
	put("enabled", "always [madvise] never\n");
	put("hpage_pmd_size", "3000000\n");
	ck_assert_uint_eq(ram_thp_size(sysfs), 0);
	put("hpage_pmd_size", "garbage\n");
	ck_assert_uint_eq(ram_thp_size(sysfs), 0);
}
END_TEST

/* Every byte is there to write, the first and the last included. */
static void check_usable(const struct ram_map *r, uint64_t size)
{
	uint8_t *p = r->host;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(r->size, size);
	p[0] = 0x5a;
	p[size - 1] = 0xa5;
	ck_assert_uint_eq(p[0] + p[size - 1], 0xff);
}

START_TEST(anonymous_ram_is_aligned_for_huge_pages)
{
	struct ram_map r;
	int i;

	/* Several, so that an aligned start is not luck. */
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(ram_map_anonymous(&r, 6 * MIB, 2 * MIB), 0);
		check_usable(&r, 6 * MIB);
		ck_assert_uint_eq((uintptr_t)r.host % (2 * MIB), 0);
		/* THP only where the host's kernel took the advice. */
		if (r.backing == RAM_THP)
			ck_assert_uint_eq(r.page_size, 2 * MIB);
		else
			ck_assert_int_eq(r.backing, RAM_SMALL_PAGES);
		ram_unmap(&r);
		ck_assert_ptr_null(r.host);
	}
}
END_TEST

START_TEST(anonymous_ram_without_huge_pages)
{
	struct ram_map r;

	ck_assert_int_eq(ram_map_anonymous(&r, 3 * MIB, 0), 0);
	check_usable(&r, 3 * MIB);
	ck_assert_int_eq(r.backing, RAM_SMALL_PAGES);
	ck_assert_uint_eq(r.page_size, (uint64_t)sysconf(_SC_PAGESIZE));
	ram_unmap(&r);
	/* A huge page larger than guest RAM is not asked for. */
	ck_assert_int_eq(ram_map_anonymous(&r, 32 * MIB, 512 * MIB), 0);
	check_usable(&r, 32 * MIB);
	ck_assert_int_eq(r.backing, RAM_SMALL_PAGES);
	ram_unmap(&r);
	ram_unmap(&r);		/* safe twice */
}
END_TEST

START_TEST(hugetlbfs_refuses_a_directory_that_is_not_one)
{
	struct ram_map r;
	int fds;

	capture_log();
	fds = open_fds();
	ck_assert_int_eq(ram_map(&r, 64 * MIB, sysfs), -EINVAL);
	ck_assert_ptr_null(r.host);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "not a hugetlbfs mount"));
	ck_assert_ptr_nonnull(strstr(captured_log(), sysfs));
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(hugetlbfs_refuses_a_missing_directory)
{
	struct ram_map r;

	capture_log();
	ck_assert_int_eq(ram_map(&r, 64 * MIB, "/nonexistent/hugepages"), -ENOENT);
	ck_assert_ptr_null(r.host);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(),
		"--hugetlbfs /nonexistent/hugepages: No such file or directory"));
}
END_TEST

/* Pages of @r not resident yet. */
static unsigned long absent_pages(const struct ram_map *r)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long n = r->size / page, absent = 0, i;
	unsigned char *vec = malloc(n);

	ck_assert_ptr_nonnull(vec);
	ck_assert_int_eq(mincore(r->host, r->size, vec), 0);
	for (i = 0; i < n; i++)
		absent += !(vec[i] & 1);
	free(vec);
	return absent;
}

/* Every page in, whatever the threads and however the size splits. */
START_TEST(populate_faults_in_every_page)
{
	unsigned int threads[] = { 1, 2, 3, RAM_POPULATE_MAX_THREADS + 5 };
	struct ram_map r;

	ck_assert_int_eq(ram_map_anonymous(&r, 7 * MIB + 3 * 4096, 0), 0);
	ck_assert_uint_gt(absent_pages(&r), 0);
	ck_assert_int_eq(ram_populate(&r, threads[_i]), 0);
	ck_assert_uint_eq(absent_pages(&r), 0);
	ram_unmap(&r);
}
END_TEST

/* A share the kernel refuses: its error comes back. */
START_TEST(populate_reports_an_error)
{
	struct ram_map r;

	ck_assert_int_eq(ram_map_anonymous(&r, 4 * MIB, 0), 0);
	ck_assert_int_eq(mprotect((char *)r.host + 3 * MIB, MIB, PROT_READ), 0);
	ck_assert_int_lt(ram_populate(&r, 4), 0);
	ram_unmap(&r);
}
END_TEST

START_TEST(populate_threads_by_size)
{
	ck_assert_uint_eq(ram_populate_threads(64 * MIB), 1);
	ck_assert_uint_eq(ram_populate_threads(0), 1);
	ck_assert_uint_le(ram_populate_threads(256 * MIB), 2);
	ck_assert_uint_ge(ram_populate_threads(256 * MIB), 1);
	ck_assert_uint_le(ram_populate_threads(1ull << 40), RAM_POPULATE_MAX_THREADS);
	ck_assert_uint_le(ram_populate_threads(1ull << 40), sysconf(_SC_NPROCESSORS_ONLN));
}
END_TEST

START_TEST(backing_names)
{
	ck_assert_str_eq(ram_backing_name(RAM_SMALL_PAGES), "base");
	ck_assert_str_eq(ram_backing_name(RAM_THP), "thp");
	ck_assert_str_eq(ram_backing_name(RAM_HUGETLBFS), "hugetlbfs");
}
END_TEST

Suite *ram_suite(void)
{
	Suite *s = suite_create("ram");
	TCase *tc = tcase_create("ram");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, thp_size_in_madvise_and_always_modes);
	tcase_add_test(tc, thp_size_is_zero_when_turned_off_or_absent);
	tcase_add_test(tc, anonymous_ram_is_aligned_for_huge_pages);
	tcase_add_test(tc, anonymous_ram_without_huge_pages);
	tcase_add_test(tc, hugetlbfs_refuses_a_directory_that_is_not_one);
	tcase_add_test(tc, hugetlbfs_refuses_a_missing_directory);
	tcase_add_test(tc, backing_names);
	tcase_add_loop_test(tc, populate_faults_in_every_page, 0, 4);
	tcase_add_test(tc, populate_reports_an_error);
	tcase_add_test(tc, populate_threads_by_size);
	suite_add_tcase(s, tc);
	return s;
}
