// SPDX-License-Identifier: GPL-2.0
/*
 * Records of host state: written whole, read back, their owner told from
 * a later process with the same pid.
 */
#include "tests/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/record.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lkvm-record-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* In a folder still to be made, as /run/lkvm-rcar is at first. */
	snprintf(path, sizeof(path), "%s/run/dev.lines", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *text)
{
	FILE *f;

	ck_assert_int_eq(record_write(path, ""), 0);	/* makes the folder */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_round_trip)
{
	struct record_owner o;
	char body[128], val[32];

	ck_assert_int_eq(record_write(path, "chip=gpiochip0\nline0=3,out,1\n"), 0);
	ck_assert_int_eq(record_read(path, &o, body, sizeof(body)), 0);
	ck_assert_int_eq(o.pid, getpid());
	ck_assert_uint_eq(o.start, record_proc_start(getpid()));
	ck_assert_str_eq(body, "chip=gpiochip0\nline0=3,out,1\n");
	ck_assert(record_value(body, "chip", val, sizeof(val)));
	ck_assert_str_eq(val, "gpiochip0");
	ck_assert(record_value(body, "line0", val, sizeof(val)));
	ck_assert_str_eq(val, "3,out,1");
	ck_assert(!record_value(body, "line", val, sizeof(val)));
	ck_assert(!record_value(body, "line0", val, 4));	/* too long */
	ck_assert(record_is_ours(&o));
	ck_assert(!record_owner_running(&o));	/* ours is not "another" */
	record_remove(path);
	ck_assert_int_eq(record_read(path, &o, body, sizeof(body)), -ENOENT);
}
END_TEST

START_TEST(test_unreadable_records)
{
	struct record_owner o;
	char body[16];

	put("start=5\nchip=x\n");			/* no owner */
	ck_assert_int_eq(record_read(path, &o, body, sizeof(body)), -EINVAL);
	put("pid=0\nchip=x\n");
	ck_assert_int_eq(record_read(path, &o, body, sizeof(body)), -EINVAL);
	put("pid=1\nchip=aaaaaaaaaaaaaaaaaaaaaaa\n");	/* longer than body */
	ck_assert_int_eq(record_read(path, &o, body, sizeof(body)), -EINVAL);
}
END_TEST

START_TEST(test_owners)
{
	struct record_owner o = { .pid = getpid(), .start = 0 };
	pid_t child;

	/* Our pid without a start time: ours, never undone. */
	ck_assert(record_is_ours(&o));
	/* Our pid, another start: an earlier process that had our number. */
	o.start = record_proc_start(getpid()) + 1;
	ck_assert(!record_is_ours(&o));
	/* pid 1 runs, but is no lkvm-rcar. */
	o = (struct record_owner) { .pid = 1 };
	ck_assert(!record_owner_running(&o));
	/* A running lkvm-rcar; then the same pid with another start time. */
	child = fork();
	if (!child) {
		prctl(PR_SET_NAME, "lkvm-rcar");
		pause();
		_exit(0);
	}
	for (int i = 0; i < 1000 && !record_owner_running(
		     &(struct record_owner) { .pid = child }); i++)
		usleep(1000);
	o = (struct record_owner) { .pid = child, .start = record_proc_start(child) };
	ck_assert(record_owner_running(&o));
	o.start++;
	ck_assert(!record_owner_running(&o));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	/* A pid nobody has any more. */
	child = fork();
	if (!child)
		_exit(0);
	waitpid(child, NULL, 0);
	o = (struct record_owner) { .pid = child };
	ck_assert(!record_owner_running(&o));
	ck_assert_uint_eq(record_proc_start(child), 0);
}
END_TEST

/*
 * Under the sandbox a record goes through the folder held open before it:
 * renaming the folder shows that nothing is looked up by path any more.
 */
START_TEST(test_remove_through_the_held_folder)
{
	char run[96], moved[96], other[128], gone[160];
	struct stat st;

	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(moved, sizeof(moved), "%s/moved", dir);
	/* No record of ours in it: nothing to hold, even with the folder there. */
	ck_assert_int_eq(mkdir(run, 0700), 0);
	ck_assert_int_eq(record_dir_open(run), -ENOENT);
	ck_assert_int_eq(record_write(path, "chip=gpiochip0\n"), 0);
	ck_assert_int_ge(record_dir_open(run), 0);
	ck_assert_int_eq(record_dir_open(dir), -EBUSY);
	ck_assert_int_eq(rename(run, moved), 0);
	/* A new record at the old path is not the one held. */
	ck_assert_int_eq(record_write(path, "chip=gpiochip1\n"), 0);
	record_remove(path);
	snprintf(gone, sizeof(gone), "%s/dev.lines", moved);
	ck_assert_int_eq(stat(gone, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(stat(path, &st), 0);

	/* One outside the folder goes by its path. */
	snprintf(other, sizeof(other), "%s/other.binding", dir);
	ck_assert_int_eq(record_write(other, ""), 0);
	record_remove(other);
	ck_assert_int_eq(stat(other, &st), -1);
	record_dir_close();
	record_dir_close();
}
END_TEST

Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_unreadable_records);
	tcase_add_test(tc, test_owners);
	tcase_add_test(tc, test_remove_through_the_held_folder);
	suite_add_tcase(s, tc);
	return s;
}
