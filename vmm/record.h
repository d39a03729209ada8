/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records of host state the VMM changes and must give back: a device's
 * driver binding (devices/vfio/bind.c), the host GPIO lines lent to a
 * guest (devices/backend/gpio-cdev.c). Each is a small text file under
 * RECORD_DIR ("/run/lkvm-rcar": gone after a reboot, as is the state it
 * describes), written before the change and removed once it is undone.
 * A VMM killed with SIGKILL, or by the sandbox, leaves its record; the
 * next run on the same device, or `lkvm-rcar release`, gives the state
 * back from it.
 *
 * A record names its VMM by pid and start time, so that a later process
 * that got the same pid is not taken for it, and so that a VMM never
 * undoes its own record.
 */
#ifndef LKVM_VMM_RECORD_H
#define LKVM_VMM_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#define RECORD_DIR	"/run/lkvm-rcar"

struct record_owner {
	int pid;
	unsigned long long start;	/* 0: not recorded (older records) */
};

/*
 * Write the record @path: this process as its owner, then @body (lines
 * of KEY=VALUE). Written to a temporary name, synced and renamed, so a
 * crash leaves the old record or the new one, never half of one; the
 * folder is made if it is missing. Returns 0 or -errno.
 */
int record_write(const char *path, const char *body);

/*
 * Read the record @path: its owner, and its other lines into @body (of
 * @size bytes, NUL-terminated, lines kept). Returns 0, -ENOENT if there
 * is none, -EINVAL if it is unreadable (no owner, or too long), or
 * -errno.
 */
int record_read(const char *path, struct record_owner *owner, char *body,
		size_t size);

/*
 * The value of @key in a record's @body, copied into @val (of @size
 * bytes). Returns false if the key is missing or its value too long.
 */
bool record_value(const char *body, const char *key, char *val, size_t size);

/* Whether @o is this very process (a record without a start time of our pid counts). */
bool record_is_ours(const struct record_owner *o);

/* Whether @o is another lkvm-rcar still running (not a process that got its pid since). */
bool record_owner_running(const struct record_owner *o);

/*
 * Hold the folder @dir of records open (O_PATH), so that record_remove()
 * removes the records in it with unlinkat() on that fd: the sandbox
 * allows the event loop no other unlink, and none outside this fd (see
 * vmm/sandbox.h). Call before the sandbox, once the records are written.
 * Returns the fd, which stays record.c's until record_dir_close();
 * -ENOENT if there is no record of this process's to remove (it wrote
 * none, or there is no such folder): nothing is held then; -EBUSY if
 * another folder is held; or -errno.
 */
int record_dir_open(const char *dir);

/* Close the folder record_dir_open() holds, if any. */
void record_dir_close(void);

/*
 * Remove the record @path; nothing if there is none. A record in the
 * folder record_dir_open() holds is removed through its fd, opening
 * nothing; any other by its path.
 */
void record_remove(const char *path);

/*
 * When process @pid started (field 22 of /proc/PID/stat, clock ticks
 * since boot), or 0 if that cannot be read.
 */
unsigned long long record_proc_start(int pid);

#endif
