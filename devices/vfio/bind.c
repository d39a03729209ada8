// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs side of VFIO platform pass-through. The kernel interfaces used:
 * /sys/bus/<bus>/devices/<dev>/driver (symlink), .../driver_override,
 * /sys/bus/<bus>/drivers/<drv>/{bind,unbind}, /sys/bus/<bus>/drivers_probe
 * and .../iommu_group (symlink to /sys/kernel/iommu_groups/<N>).
 */
#include "devices/vfio/bind.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/record.h"

static const char *const buses[] = { "platform", "amba" };

/* Write @val into an open sysfs attribute (-EBADF: it is not open). */
static int write_fd(int fd, const char *val)
{
	if (fd < 0)
		return -EBADF;
	return write(fd, val, strlen(val)) < 0 ? -errno : 0;
}

static int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = write_fd(fd, val);
	close(fd);
	return err;
}

/* The last component of the symlink at @path, "" if there is none. */
static int link_name(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	out[0] = '\0';
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	target[n] = '\0';
	snprintf(out, size, "%s", basename(target));
	return 0;
}

int vfio_bind_find(struct vfio_binding *b, const char *sysfs,
		   const char *state_dir, const char *dev)
{
	struct stat st;
	unsigned int i;
	char copy[PATH_MAX];

	memset(b, 0, sizeof(*b));
	for (i = 0; i < VFIO_BIND_NR_ATTRS; i++)
		b->attr_fd[i] = -1;
	snprintf(b->sysfs, sizeof(b->sysfs), "%s", sysfs);
	/* A sysfs path names the device by its last component. */
	snprintf(copy, sizeof(copy), "%s", dev);
	snprintf(b->name, sizeof(b->name), "%s", basename(copy));

	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		snprintf(b->dev_path, sizeof(b->dev_path), "%s/bus/%s/devices/%s",
			 sysfs, buses[i], b->name);
		if (stat(b->dev_path, &st) == 0) {
			snprintf(b->state, sizeof(b->state), "%s/%s.binding",
				 state_dir, b->name);
			snprintf(b->bus, sizeof(b->bus), "%s", buses[i]);
			snprintf(b->vfio_driver, sizeof(b->vfio_driver), "vfio-%s",
				 buses[i]);
			return 0;
		}
	}
	return -ENOENT;
}

int vfio_bind_current(const struct vfio_binding *b, char *drv, size_t size)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/driver", b->dev_path);
	return link_name(path, drv, size);
}

int vfio_bind_group(const struct vfio_binding *b)
{
	char path[PATH_MAX + 16], group[32];
	char *end;
	long n;
	int ret;

	snprintf(path, sizeof(path), "%s/iommu_group", b->dev_path);
	ret = link_name(path, group, sizeof(group));
	if (ret)
		return ret;
	n = strtol(group, &end, 10);
	if (!group[0] || *end || n < 0)
		return -ENOENT;
	return n;
}

static int driver_op(const struct vfio_binding *b, const char *drv,
		     const char *op)
{
	char path[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/bus/%s/drivers/%s/%s", b->sysfs, b->bus,
		 drv, op);
	return write_attr(path, b->name);
}

/* --- the attributes the restore writes ------------------------------- */

/* Where attribute @attr is; @drv names the driver of the bind and unbind ones. */
static void attr_path(const struct vfio_binding *b, enum vfio_bind_attr attr,
		      const char *drv, char *path, size_t size)
{
	switch (attr) {
	case VFIO_BIND_OVERRIDE:
		snprintf(path, size, "%s/driver_override", b->dev_path);
		break;
	case VFIO_BIND_UNBIND:
	case VFIO_BIND_BIND:
		snprintf(path, size, "%s/bus/%s/drivers/%s/%s", b->sysfs, b->bus, drv,
			 attr == VFIO_BIND_BIND ? "bind" : "unbind");
		break;
	default:
		snprintf(path, size, "%s/bus/%s/drivers_probe", b->sysfs, b->bus);
		break;
	}
}

/*
 * Open every attribute the restore writes, while the VMM may still open
 * files to write: the sandbox lets the event loop write these fds at
 * exit and open nothing to write. @unbind is the driver the restore will
 * take the device from ("": none); the original driver's bind and the
 * bus's drivers_probe are opened if there is an original driver. Every
 * attribute is tried; returns 0, or the -errno of the first that did not
 * open with its path in @failed (of @size bytes, may be NULL).
 */
static int hold_attrs(struct vfio_binding *b, const char *unbind, char *failed,
		      size_t size)
{
	char path[PATH_MAX + 128];
	unsigned int i;
	int ret = 0;

	b->held = true;
	snprintf(b->unbind_driver, sizeof(b->unbind_driver), "%s", unbind);
	for (i = 0; i < VFIO_BIND_NR_ATTRS; i++) {
		if ((i == VFIO_BIND_UNBIND && !unbind[0]) ||
		    ((i == VFIO_BIND_BIND || i == VFIO_BIND_PROBE) && !b->orig_driver[0]))
			continue;
		attr_path(b, i, i == VFIO_BIND_BIND ? b->orig_driver : unbind, path,
			  sizeof(path));
		b->attr_fd[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (b->attr_fd[i] < 0 && !ret) {
			ret = -errno;
			if (failed)
				snprintf(failed, size, "%s", path);
		}
	}
	return ret;
}

static void drop_attrs(struct vfio_binding *b)
{
	unsigned int i;

	for (i = 0; b->held && i < VFIO_BIND_NR_ATTRS; i++) {
		if (b->attr_fd[i] >= 0)
			close(b->attr_fd[i]);
		b->attr_fd[i] = -1;
	}
	b->held = false;
}

static bool driver_exists(const struct vfio_binding *b, const char *drv)
{
	char path[PATH_MAX + 128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/%s/drivers/%s", b->sysfs, b->bus, drv);
	return stat(path, &st) == 0;
}

/* Explain why the VFIO driver did not take the device. */
static void report_bind_failure(const struct vfio_binding *b, int err)
{
	char path[PATH_MAX + 64], val[8] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/module/vfio/parameters/enable_unsafe_noiommu_mode",
		 b->sysfs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, val, sizeof(val) - 1) < 0)
			val[0] = '\0';
		close(fd);
	}
	if (vfio_bind_group(b) < 0 && val[0] == 'N')
		pr_err("--passthrough %s: %s refused it: the device has no IOMMU and no-IOMMU mode is off; boot the host with vfio.enable_unsafe_noiommu_mode=1",
		       b->name, b->vfio_driver);
	else
		pr_err("--passthrough %s: %s refused it (%s); the host kernel log says why (a reset module may be needed, or vfio_platform.reset_required=0)",
		       b->name, b->vfio_driver, strerror(-err));
}


/* --- the record -------------------------------------------------------- */

/* Record the binding we are about to change, before changing it. */
static int state_write(const struct vfio_binding *b)
{
	char body[160];

	snprintf(body, sizeof(body), "bus=%s\ndriver=%s\n", b->bus, b->orig_driver);
	return record_write(b->state, body);
}

/* What the record says: the VMM that wrote it and the original driver. */
static int state_read(const struct vfio_binding *b, struct record_owner *owner,
		      char *drv, size_t size)
{
	char body[256];
	int ret = record_read(b->state, owner, body, sizeof(body));

	if (!ret && !record_value(body, "driver", drv, size))
		ret = -EINVAL;
	return ret;
}

/*
 * Restore what a VMM that is gone recorded for the device. Returns 1 if
 * it did, 0 if nothing was recorded, -EBUSY (with the owner in @owner)
 * if the VMM that recorded it is running, -EALREADY if that VMM is this
 * one (the device named twice), or -errno. A record this process made
 * is never undone here.
 */
static int recover(struct vfio_binding *b, int *owner)
{
	char drv[sizeof(b->orig_driver)];
	struct record_owner rec;
	int ret;

	ret = state_read(b, &rec, drv, sizeof(drv));
	*owner = rec.pid;
	if (ret == -ENOENT)
		return 0;
	if (ret == -EINVAL) {
		pr_warn("%s: ignoring the unreadable state file %s", b->name, b->state);
		record_remove(b->state);
		return 0;
	}
	if (ret)
		return ret;
	if (record_is_ours(&rec))
		return -EALREADY;
	if (record_owner_running(&rec))
		return -EBUSY;
	snprintf(b->orig_driver, sizeof(b->orig_driver), "%s", drv);
	b->changed = true;
	vfio_bind_restore(b);
	pr_info("%s: restored the binding (%s) that lkvm-rcar pid %d left when it was killed",
		b->name, drv[0] ? drv : "no driver", *owner);
	return 1;
}

int vfio_bind_release(struct vfio_binding *b)
{
	int owner = 0, ret = recover(b, &owner);

	if (ret == -EBUSY || ret == -EALREADY)
		pr_err("release %s: lkvm-rcar pid %d is running with it; stop that VMM, and it gives the device back itself",
		       b->name, owner);
	else if (ret < 0)
		pr_err("release %s: reading %s: %s", b->name, b->state, strerror(-ret));
	else if (ret == 0)
		pr_info("%s: lkvm-rcar recorded no binding for it (%s); nothing to release",
			b->name, b->state);
	return ret < 0 ? ret : 0;
}

/* What a user without root is told when a step of rebinding is refused. */
static void report_not_root(const struct vfio_binding *b, const char *what,
			    int err)
{
	pr_err("--passthrough %s: %s: %s; changing a device's driver takes root: run as root, or bind it to %s by hand and add bind=keep",
	       b->name, what, strerror(err), b->vfio_driver);
}

static bool not_root_error(int ret)
{
	return ret == -EACCES || ret == -EPERM;
}

int vfio_bind(struct vfio_binding *b)
{
	char now[64], failed[PATH_MAX + 128];
	int owner = 0, ret;

	ret = recover(b, &owner);
	if (ret == -EALREADY) {
		pr_err("--passthrough %s: this VMM passes it through already; name each device once",
		       b->name);
		return ret;
	}
	if (ret == -EBUSY) {
		pr_err("--passthrough %s: device busy: lkvm-rcar pid %d holds it; stop that VMM first",
		       b->name, owner);
		return ret;
	}
	if (not_root_error(ret)) {
		report_not_root(b, b->state, -ret);
		return ret;
	}
	if (ret < 0) {
		pr_err("--passthrough %s: reading %s: %s", b->name, b->state, strerror(-ret));
		return ret;
	}
	ret = vfio_bind_current(b, b->orig_driver, sizeof(b->orig_driver));
	if (ret) {
		pr_err("--passthrough %s: reading its driver: %s", b->name, strerror(-ret));
		return ret;
	}
	if (!strcmp(b->orig_driver, b->vfio_driver))
		return 0;
	if (!driver_exists(b, b->vfio_driver)) {
		pr_err("--passthrough %s: the host kernel has no %s driver; build it with CONFIG_VFIO_%s",
		       b->name, b->vfio_driver, !strcmp(b->bus, "amba") ? "AMBA" : "PLATFORM");
		return -ENODEV;
	}

	ret = hold_attrs(b, b->vfio_driver, failed, sizeof(failed));
	if (ret) {
		if (not_root_error(ret))
			report_not_root(b, failed, -ret);
		else
			pr_err("--passthrough %s: opening %s, to give the device back at exit: %s",
			       b->name, failed, strerror(-ret));
		goto fail;
	}
	ret = state_write(b);
	if (ret) {
		pr_err("--passthrough %s: cannot record its binding in %s: %s; the VMM needs a writable /run",
		       b->name, b->state, strerror(-ret));
		goto fail;
	}
	b->changed = true;
	ret = write_fd(b->attr_fd[VFIO_BIND_OVERRIDE], b->vfio_driver);
	if (!ret && b->orig_driver[0])
		ret = driver_op(b, b->orig_driver, "unbind");
	if (ret) {
		pr_err("--passthrough %s: taking it from %s: %s", b->name,
		       b->orig_driver[0] ? b->orig_driver : "the host", strerror(-ret));
		goto fail;
	}
	ret = driver_op(b, b->vfio_driver, "bind");
	if (!ret)
		ret = vfio_bind_current(b, now, sizeof(now));
	if (!ret && strcmp(now, b->vfio_driver))
		ret = -ENODEV;
	if (ret) {
		report_bind_failure(b, ret);
		goto fail;
	}
	return 0;
fail:
	vfio_bind_restore(b);
	return ret;
}

/*
 * Through the attributes held since the binding changed (see hold_attrs()),
 * or, when restoring what a killed VMM recorded, held now: either way it
 * opens nothing once the sandbox is on, and the record goes through the
 * folder record_dir_open() holds.
 */
void vfio_bind_restore(struct vfio_binding *b)
{
	char now[64] = "";

	if (!b->changed)
		goto out;
	b->changed = false;
	vfio_bind_current(b, now, sizeof(now));
	if (!b->held)
		hold_attrs(b, strcmp(now, b->orig_driver) ? now : "", NULL, 0);
	if (now[0] && strcmp(now, b->orig_driver)) {
		if (!strcmp(now, b->unbind_driver))
			write_fd(b->attr_fd[VFIO_BIND_UNBIND], b->name);
		else
			pr_warn("%s: bound to %s, which lkvm-rcar did not bind it to; unbind it by hand",
				b->name, now);
	}
	/* A lone newline clears the override. */
	write_fd(b->attr_fd[VFIO_BIND_OVERRIDE], "\n");
	/* By name first; drivers_probe matches the way boot did. */
	if (b->orig_driver[0] && strcmp(now, b->orig_driver) &&
	    write_fd(b->attr_fd[VFIO_BIND_BIND], b->name) &&
	    write_fd(b->attr_fd[VFIO_BIND_PROBE], b->name))
		pr_warn("%s: could not give it back to %s; bind it by hand",
			b->name, b->orig_driver);
	record_remove(b->state);
out:
	drop_attrs(b);
}
