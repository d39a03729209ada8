// SPDX-License-Identifier: GPL-2.0
/*
 * Records of host state to give back after a killed VMM; see record.h.
 * The folder held open for removing them under the sandbox is the one
 * piece of process-wide state: like the seccomp filter it serves, it is
 * the process's, not a VM's.
 */
#include "vmm/record.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The folder record_dir_open() holds, and its path as records name it;
 * whether this process wrote a record, so that there is one to remove.
 */
static struct {
	int fd;
	char path[PATH_MAX];
} held = { .fd = -1 };
static bool wrote_any;

unsigned long long record_proc_start(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name in parentheses may hold spaces: count from its end. */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

int record_write(const char *path, const char *body)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "pid=%d\nstart=%llu\n%s", (int)getpid(),
		record_proc_start(getpid()), body);
	if (fflush(f) || fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	wrote_any |= !ret;
	return ret;
}

int record_read(const char *path, struct record_owner *owner, char *body,
		size_t size)
{
	char line[256];
	size_t used = 0, n;
	bool have_pid = false, too_long = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	*owner = (struct record_owner) { 0 };
	body[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "pid=", 4)) {
			owner->pid = atoi(line + 4);
			have_pid = true;
		} else if (!strncmp(line, "start=", 6)) {
			owner->start = strtoull(line + 6, NULL, 10);
		} else {
			n = strlen(line);
			if (used + n >= size) {
				too_long = true;
				break;
			}
			memcpy(body + used, line, n + 1);
			used += n;
		}
	}
	fclose(f);
	return have_pid && owner->pid > 0 && !too_long ? 0 : -EINVAL;
}

bool record_value(const char *body, const char *key, char *val, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p, *next;

	for (p = body; *p; p = next) {
		n = strcspn(p, "\n");
		next = p + n + (p[n] == '\n');
		if (n <= klen || strncmp(p, key, klen) || p[klen] != '=')
			continue;
		n -= klen + 1;
		if (n >= size)
			return false;
		memcpy(val, p + klen + 1, n);
		val[n] = '\0';
		return true;
	}
	return false;
}

/*
 * A record without a start time, of our pid, is taken as ours: never
 * undoing our own change matters more than a stale record.
 */
bool record_is_ours(const struct record_owner *o)
{
	return o->pid == (int)getpid() &&
	       (!o->start || o->start == record_proc_start(o->pid));
}

bool record_owner_running(const struct record_owner *o)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (o->pid == (int)getpid() || (kill(o->pid, 0) && errno != EPERM))
		return false;
	if (o->start && record_proc_start(o->pid) != o->start)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", o->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strncmp(comm, "lkvm-rcar", 9);
}

int record_dir_open(const char *dir)
{
	int fd;

	if (held.fd >= 0)
		return strcmp(held.path, dir) ? -EBUSY : held.fd;
	if (!wrote_any)
		return -ENOENT;
	if (strlen(dir) >= sizeof(held.path))
		return -ENAMETOOLONG;
	/* A name to unlink in, not a folder to read: no permission on it needed. */
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	held.fd = fd;
	snprintf(held.path, sizeof(held.path), "%s", dir);
	return fd;
}

void record_dir_close(void)
{
	if (held.fd >= 0)
		close(held.fd);
	held.fd = -1;
	held.path[0] = '\0';
}

/* The name of @path within the held folder, or NULL if it is not in it. */
static const char *held_name(const char *path)
{
	size_t n = strlen(held.path);

	if (held.fd < 0 || strncmp(path, held.path, n) || path[n] != '/' ||
	    !path[n + 1] || strchr(path + n + 1, '/'))
		return NULL;
	return path + n + 1;
}

void record_remove(const char *path)
{
	const char *name = held_name(path);

	if (name)
		unlinkat(held.fd, name, 0);
	else
		unlink(path);
}
