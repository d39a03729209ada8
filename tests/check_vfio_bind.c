// SPDX-License-Identifier: GPL-2.0
/*
 * The state file that lets a binding survive a killed VMM, against a fake
 * sysfs tree: driver bind/unbind and driver_override are plain files here,
 * so what the code wrote into them is what it asked the kernel to do. For
 * a whole bind, a thread plays the kernel behind two FIFOs.
 */
#include "tests/check.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/vfio/bind.h"
#include "vmm/record.h"

#define DEV	"9030000.pl061"

static char root[64], sys_root[96], state_dir[96];

static void make_path(const char *rel, bool dir)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (dir) {
		ck_assert_int_eq(mkdir(path, 0700), 0);
		return;
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}

static void read_file(const char *rel, char *buf, size_t size)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void write_state(const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.binding", state_dir, DEV);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static bool state_exists(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.binding", state_dir, DEV);
	return access(path, F_OK) == 0;
}

/* A pid nobody has: a child that has exited and been reaped. */
static int dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void setup(void)
{
	static const char *const dirs[] = {
		"sys", "sys/bus", "sys/bus/platform", "sys/bus/platform/devices",
		"sys/bus/platform/devices/" DEV, "sys/bus/platform/drivers",
		"sys/bus/platform/drivers/vfio-platform",
		"sys/bus/platform/drivers/pl061_gpio", "run",
	};
	static const char *const files[] = {
		"sys/bus/platform/devices/" DEV "/driver_override",
		"sys/bus/platform/drivers/vfio-platform/unbind",
		"sys/bus/platform/drivers/pl061_gpio/bind",
		"sys/bus/platform/drivers_probe",
	};
	unsigned int i;

	snprintf(root, sizeof(root), "/tmp/lkvm-bind-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		make_path(dirs[i], true);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		make_path(files[i], false);
	snprintf(sys_root, sizeof(sys_root), "%s/sys", root);
	snprintf(state_dir, sizeof(state_dir), "%s/run", root);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(release_without_record_changes_nothing)
{
	struct vfio_binding b;
	char buf[64];

	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir, DEV), 0);
	capture_log();
	ck_assert_int_eq(vfio_bind_release(&b), 0);
	ck_assert_ptr_nonnull(strstr(captured_log(), "nothing to release"));
	read_file("sys/bus/platform/devices/" DEV "/driver_override", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

/* lkvm-rcar release with @record in the state file; it must succeed. */
static void release_recorded(const char *record)
{
	struct vfio_binding b;

	write_state(record);
	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir, DEV), 0);
	capture_log();
	ck_assert_int_eq(vfio_bind_release(&b), 0);
}

START_TEST(release_restores_what_a_killed_vmm_recorded)
{
	char state[128], buf[64];

	snprintf(state, sizeof(state), "pid=%d\nbus=platform\ndriver=pl061_gpio\n", dead_pid());
	release_recorded(state);
	ck_assert_ptr_nonnull(strstr(captured_log(), "restored the binding (pl061_gpio)"));
	/* Override cleared, the original driver asked to bind, record gone. */
	read_file("sys/bus/platform/devices/" DEV "/driver_override", buf, sizeof(buf));
	ck_assert_str_eq(buf, "\n");
	read_file("sys/bus/platform/drivers/pl061_gpio/bind", buf, sizeof(buf));
	ck_assert_str_eq(buf, DEV);
	ck_assert(!state_exists());
}
END_TEST

START_TEST(a_reused_pid_is_not_taken_for_a_running_vmm)
{
	/* pid 1 is alive, but it is not an lkvm-rcar. */
	release_recorded("pid=1\nbus=platform\ndriver=pl061_gpio\n");
	ck_assert_ptr_nonnull(strstr(captured_log(), "restored the binding"));
	ck_assert(!state_exists());
}
END_TEST

/*
 * The device named twice: the second vfio_bind() of this process finds
 * the record the first one made. It must not take it for a killed VMM's
 * and undo the binding this same process holds (that unbound a device
 * in use and hung the VMM in D state).
 */
START_TEST(our_own_record_is_never_undone)
{
	struct vfio_binding b;
	char state[160], buf[64];

	snprintf(state, sizeof(state), "pid=%d\nstart=%llu\nbus=platform\ndriver=pl061_gpio\n",
		 (int)getpid(), record_proc_start(getpid()));
	write_state(state);
	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir, DEV), 0);
	capture_log();
	ck_assert_int_eq(vfio_bind(&b), -EALREADY);
	ck_assert_ptr_nonnull(strstr(captured_log(), "passes it through already"));
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_int_eq(vfio_bind_release(&b), -EALREADY);
	/* Nothing written to sysfs, the record still there. */
	read_file("sys/bus/platform/devices/" DEV "/driver_override", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	read_file("sys/bus/platform/drivers/pl061_gpio/bind", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ck_assert(state_exists());
}
END_TEST

/* Our pid, but another start time: an earlier VMM that had our number. */
START_TEST(our_pid_from_an_earlier_process_is_restored)
{
	char state[160];

	snprintf(state, sizeof(state), "pid=%d\nstart=%llu\nbus=platform\ndriver=pl061_gpio\n",
		 (int)getpid(), record_proc_start(getpid()) + 1);
	release_recorded(state);
	ck_assert_ptr_nonnull(strstr(captured_log(), "restored the binding (pl061_gpio)"));
	ck_assert(!state_exists());
}
END_TEST

START_TEST(a_start_time_is_read_for_a_live_process)
{
	ck_assert_uint_gt(record_proc_start(getpid()), 0);
	ck_assert_uint_eq(record_proc_start(dead_pid()), 0);
}
END_TEST

START_TEST(a_garbled_record_is_dropped_with_a_warning)
{
	release_recorded("pid=banana\n");
	ck_assert_ptr_nonnull(strstr(captured_log(), "unreadable state file"));
	ck_assert(!state_exists());
}
END_TEST

START_TEST(an_unknown_device_is_not_found)
{
	struct vfio_binding b;

	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir, "nope.gpio"), -ENOENT);
	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir,
					"/sys/bus/platform/devices/" DEV), 0);
	ck_assert_str_eq(b.name, DEV);
	ck_assert_str_eq(b.bus, "platform");
}
END_TEST

/* Path @rel under the test's root. */
static void root_path(const char *rel, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", root, rel);
}

#define DEV_DIR		"sys/bus/platform/devices/" DEV
#define DRIVERS		"sys/bus/platform/drivers"
#define PL061_UNBIND	DRIVERS "/pl061_gpio/unbind"
#define VFIO_BIND	DRIVERS "/vfio-platform/bind"

/* Point the device's driver link at @drv ("": no driver). */
static void set_driver(const char *drv)
{
	char link[256], target[128];

	root_path(DEV_DIR "/driver", link, sizeof(link));
	unlink(link);
	if (!drv[0])
		return;
	snprintf(target, sizeof(target), "../../drivers/%s", drv);
	ck_assert_int_eq(symlink(target, link), 0);
}

/* What the writer of the FIFO @rel wrote, once it closed it. */
static void read_fifo(const char *rel, char *buf, size_t size)
{
	char path[256];
	size_t used = 0;
	ssize_t n;
	int fd;

	root_path(rel, path, sizeof(path));
	fd = open(path, O_RDONLY);
	while (fd >= 0 && used < size - 1 &&
	       (n = read(fd, buf + used, size - 1 - used)) > 0)
		used += n;
	buf[used] = '\0';
	if (fd >= 0)
		close(fd);
}

static char unbound[64], bound[64];

/*
 * The kernel's side of a bind: the device leaves pl061_gpio through its
 * unbind FIFO, and is with vfio-platform before the writer of the bind
 * FIFO gets past its open(), so that the check after the bind sees it.
 */
static void *fake_kernel(void *arg)
{
	(void)arg;
	read_fifo(PL061_UNBIND, unbound, sizeof(unbound));
	set_driver("vfio-platform");
	read_fifo(VFIO_BIND, bound, sizeof(bound));
	return NULL;
}

/* A device with pl061_gpio, and the two attributes a bind writes as FIFOs. */
static void bound_to_pl061(void)
{
	char path[256];

	set_driver("pl061_gpio");
	root_path(PL061_UNBIND, path, sizeof(path));
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	root_path(VFIO_BIND, path, sizeof(path));
	ck_assert_int_eq(mkfifo(path, 0600), 0);
}

/*
 * Take the file @rel away from its path, with a fresh empty one in its
 * place; returns an fd to read the old one. What the code writes through
 * the fds it holds lands in the old file, what it opens by path in the new.
 */
static int replace_file(const char *rel)
{
	char path[256];
	int fd;

	root_path(rel, path, sizeof(path));
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unlink(path), 0);
	make_path(rel, false);
	return fd;
}

static void read_fd(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/*
 * A bind as the VMM does it, then the restore under the sandbox, which
 * opens nothing to write: it writes through the attributes the bind
 * opened, and removes the record through the folder held before it.
 */
START_TEST(the_restore_writes_through_what_the_bind_opened)
{
	static const char *const attrs[] = {
		DEV_DIR "/driver_override", DRIVERS "/vfio-platform/unbind",
		DRIVERS "/pl061_gpio/bind", "sys/bus/platform/drivers_probe",
	};
	static const char *const want[] = { "vfio-platform\n", DEV, DEV, "" };
	struct vfio_binding b;
	char buf[64], drv[64];
	pthread_t kernel;
	int fds[4];
	unsigned int i;

	bound_to_pl061();
	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir, DEV), 0);
	ck_assert_int_eq(pthread_create(&kernel, NULL, fake_kernel, NULL), 0);
	capture_log();
	ck_assert_int_eq(vfio_bind(&b), 0);
	pthread_join(kernel, NULL);
	ck_assert_str_eq(unbound, DEV);
	ck_assert_str_eq(bound, DEV);
	ck_assert(state_exists());
	for (i = 0; i < VFIO_BIND_NR_ATTRS; i++)
		ck_assert_int_ge(b.attr_fd[i], 0);

	ck_assert_int_ge(record_dir_open(state_dir), 0);
	for (i = 0; i < 4; i++)
		fds[i] = replace_file(attrs[i]);
	vfio_bind_restore(&b);
	ck_assert_int_eq(captured_lines(), 0);
	/* Unbound from vfio-platform, override cleared, pl061_gpio asked to bind. */
	for (i = 0; i < 4; i++) {
		read_fd(fds[i], buf, sizeof(buf));
		ck_assert_str_eq(buf, want[i]);
		read_file(attrs[i], buf, sizeof(buf));
		ck_assert_str_eq(buf, "");
	}
	ck_assert(!state_exists());
	for (i = 0; i < VFIO_BIND_NR_ATTRS; i++)
		ck_assert_int_eq(b.attr_fd[i], -1);
	/* Safe twice: nothing more is written. */
	vfio_bind_restore(&b);
	ck_assert_int_eq(vfio_bind_current(&b, drv, sizeof(drv)), 0);
	ck_assert_str_eq(drv, "vfio-platform");	/* the fake kernel does not unbind */
	record_dir_close();
}
END_TEST

/* An attribute the restore needs that does not open: no binding is made. */
START_TEST(a_binding_that_could_not_be_given_back_is_not_made)
{
	struct vfio_binding b;
	char path[256], buf[64], drv[64];

	bound_to_pl061();
	root_path(DRIVERS "/pl061_gpio/bind", path, sizeof(path));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(vfio_bind_find(&b, sys_root, state_dir, DEV), 0);
	capture_log();
	ck_assert_int_eq(vfio_bind(&b), -ENOENT);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_ptr_nonnull(strstr(captured_log(), "pl061_gpio/bind, to give the device back"));
	read_file(DEV_DIR "/driver_override", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(vfio_bind_current(&b, drv, sizeof(drv)), 0);
	ck_assert_str_eq(drv, "pl061_gpio");
	ck_assert(!state_exists());
	ck_assert(!b.held);
}
END_TEST

Suite *vfio_bind_suite(void)
{
	Suite *s = suite_create("vfio-bind");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, release_without_record_changes_nothing);
	tcase_add_test(tc, release_restores_what_a_killed_vmm_recorded);
	tcase_add_test(tc, a_reused_pid_is_not_taken_for_a_running_vmm);
	tcase_add_test(tc, a_garbled_record_is_dropped_with_a_warning);
	tcase_add_test(tc, an_unknown_device_is_not_found);
	tcase_add_test(tc, our_own_record_is_never_undone);
	tcase_add_test(tc, our_pid_from_an_earlier_process_is_restored);
	tcase_add_test(tc, a_start_time_is_read_for_a_live_process);
	tcase_add_test(tc, the_restore_writes_through_what_the_bind_opened);
	tcase_add_test(tc, a_binding_that_could_not_be_given_back_is_not_made);
	suite_add_tcase(s, tc);
	return s;
}
