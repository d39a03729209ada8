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

static int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? -errno : 0;
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

static int set_override(const struct vfio_binding *b, const char *drv)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/driver_override", b->dev_path);
	/* A lone newline clears the override. */
	return write_attr(path, drv[0] ? drv : "\n");
}

static int driver_op(const struct vfio_binding *b, const char *drv,
		     const char *op)
{
	char path[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/bus/%s/drivers/%s/%s", b->sysfs, b->bus,
		 drv, op);
	return write_attr(path, b->name);
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

int vfio_bind(struct vfio_binding *b)
{
	char now[64];
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

	ret = state_write(b);
	if (ret) {
		pr_err("--passthrough %s: cannot record its binding in %s: %s; the VMM needs a writable /run",
		       b->name, b->state, strerror(-ret));
		return ret;
	}
	b->changed = true;
	ret = set_override(b, b->vfio_driver);
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

void vfio_bind_restore(struct vfio_binding *b)
{
	char now[64] = "";
	char path[PATH_MAX + 64];

	if (!b->changed)
		return;
	b->changed = false;
	vfio_bind_current(b, now, sizeof(now));
	if (now[0] && strcmp(now, b->orig_driver))
		driver_op(b, now, "unbind");
	set_override(b, "");
	if (b->orig_driver[0] && strcmp(now, b->orig_driver)) {
		/* By name first; drivers_probe matches the way boot did. */
		snprintf(path, sizeof(path), "%s/bus/%s/drivers_probe", b->sysfs, b->bus);
		if (driver_op(b, b->orig_driver, "bind") && write_attr(path, b->name))
			pr_warn("%s: could not give it back to %s; bind it by hand",
				b->name, b->orig_driver);
	}
	record_remove(b->state);
}
