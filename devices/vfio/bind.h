/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binding a host platform or AMBA device to its VFIO driver through sysfs,
 * and putting the original binding back: the unbind / driver_override /
 * bind sequence of Documentation/driver-api/vfio-platform.rst (and of the
 * R-Car instructions), undone in reverse at exit.
 *
 * Before it changes anything, the VMM records the original binding in a
 * state file, <state dir>/<device>.binding ("/run/lkvm-rcar" normally:
 * gone after a reboot, as is the binding itself). A VMM killed with
 * SIGKILL cannot restore the binding; the next run of the same device, or
 * `lkvm-rcar release DEV`, restores it from the file.
 *
 * All paths hang off a sysfs root ("/sys" normally) and the state dir, so
 * that the logic can be tested against a directory tree.
 */
#ifndef LKVM_DEVICES_VFIO_BIND_H
#define LKVM_DEVICES_VFIO_BIND_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "vmm/record.h"

#define VFIO_BIND_STATE_DIR	RECORD_DIR

/* The sysfs attributes the restore writes, held open from the bind on. */
enum vfio_bind_attr {
	VFIO_BIND_OVERRIDE,	/* <dev_path>/driver_override */
	VFIO_BIND_UNBIND,	/* drivers/<unbind_driver>/unbind */
	VFIO_BIND_BIND,		/* drivers/<orig_driver>/bind */
	VFIO_BIND_PROBE,	/* <bus>/drivers_probe */
	VFIO_BIND_NR_ATTRS,
};

struct vfio_binding {
	char sysfs[PATH_MAX];	/* the sysfs root, normally "/sys" */
	char name[128];		/* device name, e.g. 9030000.pl061 */
	char bus[16];		/* "platform" or "amba" */
	char dev_path[PATH_MAX];/* <sysfs>/bus/<bus>/devices/<name> */
	char vfio_driver[32];	/* "vfio-platform" or "vfio-amba" */
	char orig_driver[64];	/* driver bound before us, "" if none */
	bool changed;		/* we changed the binding: restore it */
	char state[PATH_MAX];	/* <state dir>/<name>.binding */
	bool held;		/* attr_fd[] opened (-1: that one did not) */
	int attr_fd[VFIO_BIND_NR_ATTRS];
	char unbind_driver[64];	/* the driver attr_fd[VFIO_BIND_UNBIND] is of */
};

/*
 * Find @dev (a name or a sysfs path) on the platform or AMBA bus under
 * @sysfs; its state file goes in @state_dir. Returns 0, or -ENOENT (not
 * reported: the caller knows which option named the device).
 */
int vfio_bind_find(struct vfio_binding *b, const char *sysfs,
		   const char *state_dir, const char *dev);

/*
 * Bind the device to its VFIO driver unless it already is, first
 * restoring what a killed VMM left behind. Before changing anything it
 * opens every sysfs attribute the restore will write (attr_fd[]: the
 * caller lets the sandbox write them), and refuses a binding it could not
 * give back. Returns 0, or -errno after one line (-EBUSY: a running
 * lkvm-rcar holds it; -EALREADY: this process does, the device was named
 * twice); on failure the original binding is back, except that a binding
 * this process made is never undone here.
 */
int vfio_bind(struct vfio_binding *b);

/*
 * Put the original binding back if vfio_bind() changed it, through the
 * attributes it holds, drop the state file (through the records' folder
 * if it is held, see vmm/record.h) and close the attributes: it opens
 * nothing to write, so it runs under the sandbox. Safe twice.
 */
void vfio_bind_restore(struct vfio_binding *b);

/*
 * `lkvm-rcar release`: restore the binding a killed VMM recorded for the
 * device. Returns 0 (restored, or nothing recorded: said in one line), or
 * -errno after one line (-EBUSY: its VMM is still running).
 */
int vfio_bind_release(struct vfio_binding *b);

/* The driver the device is bound to now, "" if none. 0 or -errno. */
int vfio_bind_current(const struct vfio_binding *b, char *drv, size_t size);

/* The device's IOMMU group number, or -ENOENT if it has none. */
int vfio_bind_group(const struct vfio_binding *b);

#endif
