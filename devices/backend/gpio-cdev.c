// SPDX-License-Identifier: GPL-2.0
/*
 * Host GPIO lines through the character device's v2 uAPI; see the header.
 *
 * Why the kernel's uAPI and not libgpiod: Debian 12's libgpiod is 1.6,
 * built on the v1 uAPI, which the kernel keeps only for compatibility
 * (GPIO_CDEV_V1) and which cannot change a held line's direction or edge
 * detection without releasing it. What is needed here is five ioctls.
 */
#include "devices/backend/gpio-cdev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/record.h"

#define DIRECTION_FLAGS	(GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT)
#define DRIVE_FLAGS	(GPIO_V2_LINE_FLAG_OPEN_DRAIN | GPIO_V2_LINE_FLAG_OPEN_SOURCE)
#define BIAS_FLAGS	(GPIO_V2_LINE_FLAG_BIAS_PULL_UP | GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN | \
			 GPIO_V2_LINE_FLAG_BIAS_DISABLED)

/* --- finding the controller ------------------------------------------ */

/*
 * The device a gpiochip belongs to (9030000.pl061), from the sysfs link
 * /sys/bus/gpio/devices/gpiochipN -> .../9030000.pl061/gpiochipN.
 */
static void chip_device_name(const char *chip, char *out, size_t size)
{
	char link[256], target[512];
	ssize_t n;

	out[0] = '\0';
	snprintf(link, sizeof(link), "/sys/bus/gpio/devices/%s", chip);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	snprintf(out, size, "%s", basename(dirname(target)));
}

static int chip_info(int fd, struct gpiochip_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, info) ? -errno : 0;
}

/* Append "gpiochipN (label)" to the list of controllers for a message. */
static void list_add(char *list, size_t size, const char *chip, const char *label)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s (%s)", len ? ", " : "", chip, label);
}

/* chip_is(): it is the one, but this user cannot open it for use. */
#define CHIP_FOUND_READ_ONLY	(-2)

/*
 * Whether the entry @chip of @dev_dir is the controller called @want:
 * its fd, open for use, if it is; CHIP_FOUND_READ_ONLY; -1 if not.
 */
static int chip_is(const char *dev_dir, const char *chip, const char *want,
		   char *list, size_t list_size)
{
	struct gpiochip_info info;
	char path[320], device[128];
	bool match, writable;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dev_dir, chip);
	fd = open(path, O_RDWR | O_CLOEXEC);
	writable = fd >= 0;
	/* Read-only is enough to tell and list it; open_chip() says why not more. */
	if (!writable)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	match = !chip_info(fd, &info) && !strcmp(info.label, want);
	chip_device_name(chip, device, sizeof(device));
	match = match || (device[0] && !strcmp(device, want));
	list_add(list, list_size, chip, device[0] ? device : info.label);
	if (!match || !writable) {
		close(fd);
		fd = match ? CHIP_FOUND_READ_ONLY : -1;
	}
	return fd;
}

/*
 * Where the controller @want is: a path, a gpiochipN under @dev_dir, or
 * the gpiochip whose label or device is @want (found by opening each, so
 * that one is left open in *@fd; -1 for the other forms). -ENOENT with
 * what the host has in @list.
 */
static int find_chip(const char *dev_dir, const char *want, char *path,
		     size_t size, int *fd, char *list, size_t list_size)
{
	struct dirent *de;
	unsigned int n;
	char end;
	DIR *d;

	*fd = -1;
	if (want[0] == '/')
		return snprintf(path, size, "%s", want) < (int)size ? 0 : -ENAMETOOLONG;
	if (sscanf(want, "gpiochip%u%c", &n, &end) == 1)
		return snprintf(path, size, "%s/%s", dev_dir, want) < (int)size ?
		       0 : -ENAMETOOLONG;
	d = opendir(dev_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "gpiochip", 8))
			continue;
		*fd = chip_is(dev_dir, de->d_name, want, list, list_size);
		if (*fd == -1)
			continue;
		if (snprintf(path, size, "%s/%s", dev_dir, de->d_name) < (int)size) {
			closedir(d);
			if (*fd < 0)
				*fd = -1;	/* open_chip() opens it, and says why it cannot */
			return 0;
		}
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	closedir(d);
	return -ENOENT;
}

/* What the host has, for a message: "gpiochip0 (9030000.pl061), ...". */
static void list_chips(const char *dev_dir, char *list, size_t size)
{
	char path[sizeof(((struct gpio_cdev *)0)->path)];
	int fd;

	list[0] = '\0';
	/* A name no controller has: every one is looked at, and listed. */
	find_chip(dev_dir, "\n", path, sizeof(path), &fd, list, size);
	if (!list[0])
		snprintf(list, size, "none (is the controller's driver loaded?)");
}

static int no_such_chip(const struct gpio_cfg *cfg, const char *dev_dir)
{
	char list[512];

	list_chips(dev_dir, list, sizeof(list));
	pr_err("--gpio %s: no such GPIO controller; this host has %s", cfg->chip, list);
	return -ENOENT;
}

static int open_chip(struct gpio_cdev *gc, const struct gpio_cfg *cfg,
		     const char *dev_dir)
{
	struct gpiochip_info info;
	char list[512] = "";
	int fd, ret;

	ret = find_chip(dev_dir, cfg->chip, gc->path, sizeof(gc->path), &fd, list,
			sizeof(list));
	if (ret == -ENOENT)
		return no_such_chip(cfg, dev_dir);
	if (ret) {
		pr_err("--gpio %s: looking in %s: %s", cfg->chip, dev_dir, strerror(-ret));
		return ret;
	}
	if (fd < 0)
		fd = open(gc->path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return no_such_chip(cfg, dev_dir);
	if (fd < 0) {
		ret = -errno;
		pr_err("--gpio %s: opening %s: %s; run as root, or give this user the device",
		       cfg->chip, gc->path, strerror(-ret));
		return ret;
	}
	ret = chip_info(fd, &info);
	if (ret) {
		pr_err("--gpio %s: %s is not a GPIO controller (%s)", cfg->chip, gc->path,
		       strerror(-ret));
		close(fd);
		return ret;
	}
	snprintf(gc->label, sizeof(gc->label), "%s", info.label);
	gc->chip_lines = info.lines;
	/* The device's name outlives the gpiochipN number: it keys the records. */
	snprintf(list, sizeof(list), "%s", gc->path);
	chip_device_name(basename(list), gc->device, sizeof(gc->device));
	if (!gc->device[0])
		snprintf(gc->device, sizeof(gc->device), "%s", info.label);
	return fd;
}

/* --- the lines ------------------------------------------------------- */

static int line_info(int chip_fd, unsigned int offset, struct gpio_v2_line_info *info)
{
	memset(info, 0, sizeof(*info));
	info->offset = offset;
	return ioctl(chip_fd, GPIO_V2_GET_LINEINFO_IOCTL, info) ? -errno : 0;
}

/* The offset of the line the host calls @name. */
static int find_line(struct gpio_cdev *gc, int chip_fd, const struct gpio_cfg *cfg,
		     const char *name, unsigned int *offset)
{
	struct gpio_v2_line_info info;
	unsigned int i;

	for (i = 0; i < gc->chip_lines; i++) {
		if (!line_info(chip_fd, i, &info) && !strcmp(info.name, name)) {
			*offset = i;
			return 0;
		}
	}
	pr_err("--gpio %s: %s has no line named '%s'; give its offset, or see the names with gpioinfo",
	       cfg->chip, gc->path, name);
	return -ENOENT;
}

/* Line @offset is free, in range and not already ours. */
static int check_line(struct gpio_cdev *gc, const struct gpio_cfg *cfg,
		      unsigned int offset, const struct gpio_v2_line_info *info)
{
	unsigned int i;

	for (i = 0; i < gc->nr_lines; i++) {
		if (gc->lines[i].offset == offset) {
			pr_err("--gpio %s: line %u%s%s%s is given twice; name each line once",
			       cfg->chip, offset, info->name[0] ? " (" : "", info->name,
			       info->name[0] ? ")" : "");
			return -EINVAL;
		}
	}
	if (info->flags & GPIO_V2_LINE_FLAG_USED) {
		pr_err("--gpio %s: line %u%s%s%s is in use on the host%s%s%s; free it there or share another line",
		       cfg->chip, offset, info->name[0] ? " (" : "", info->name,
		       info->name[0] ? ")" : "", info->consumer[0] ? " by '" : "",
		       info->consumer, info->consumer[0] ? "'" : "");
		return -EBUSY;
	}
	return 0;
}

static int get_values(int fd, uint8_t *value)
{
	struct gpio_v2_line_values v = { .mask = 1 };

	if (ioctl(fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &v))
		return -errno;
	*value = v.bits & 1;
	return 0;
}

/* --- records of the lines, for a killed VMM ---------------------------- */

static void record_path(const char *device, unsigned int offset, char *path,
			size_t size)
{
	snprintf(path, size, "%s/%s-%u.line", RECORD_DIR, device, offset);
}

static int line_record_write(const struct gpio_cdev *gc, const struct gpio_cdev_line *l)
{
	char path[PATH_MAX], body[256];

	record_path(gc->device, l->offset, path, sizeof(path));
	snprintf(body, sizeof(body), "chip=%s\nflags=0x%llx\nvalue=%u\n", gc->path,
		 (unsigned long long)l->host_flags, l->host_value);
	return record_write(path, body);
}

/*
 * Request line @offset of the open chip as @flags and @value say, and let
 * it go again: the line keeps that set-up once released.
 */
static int line_put_back(int chip_fd, unsigned int offset, uint64_t flags,
			 uint8_t value)
{
	struct gpio_v2_line_request req;

	/* Neither direction on record: the request left it as it was. */
	if (!(flags & DIRECTION_FLAGS))
		return 0;
	memset(&req, 0, sizeof(req));
	req.offsets[0] = offset;
	req.num_lines = 1;
	snprintf(req.consumer, sizeof(req.consumer), "%s", GPIO_CDEV_CONSUMER);
	req.config.flags = flags;
	if (flags & GPIO_V2_LINE_FLAG_OUTPUT) {
		req.config.num_attrs = 1;
		req.config.attrs[0].mask = 1;
		req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
		req.config.attrs[0].attr.values = value & 1;
	}
	if (ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, &req))
		return -errno;
	close(req.fd);
	return 0;
}

/*
 * Put line @offset of @device back from a killed VMM's record at @path,
 * with @chip_fd open on its controller. Returns 1 if it did, 0 if there
 * is no record, -EBUSY if the VMM that wrote it runs, or -errno after one
 * line; an unreadable record is dropped with a warning.
 */
static int line_recover(const char *who, int chip_fd, const char *path,
			unsigned int offset)
{
	struct record_owner owner;
	char body[256], val[32];
	unsigned long long flags;
	int ret;

	ret = record_read(path, &owner, body, sizeof(body));
	if (ret == -ENOENT)
		return 0;
	if (ret == -EINVAL || !record_value(body, "flags", val, sizeof(val))) {
		pr_warn("%s: line %u: ignoring the unreadable record %s", who, offset, path);
		record_remove(path);
		return 0;
	}
	if (ret)
		return ret;
	if (record_is_ours(&owner) || record_owner_running(&owner))
		return -EBUSY;
	flags = strtoull(val, NULL, 0);
	if (!record_value(body, "value", val, sizeof(val)))
		val[0] = '0';
	ret = line_put_back(chip_fd, offset, flags, val[0] == '1');
	if (ret) {
		pr_err("%s: line %u: putting it back as lkvm-rcar pid %d left it: %s; free the line and run 'lkvm-rcar release' again",
		       who, offset, owner.pid, strerror(-ret));
		return ret;
	}
	record_remove(path);
	pr_info("%s: line %u put back as it was before lkvm-rcar pid %d was killed",
		who, offset, owner.pid);
	return 1;
}

/*
 * Request line @offset with its direction as it is (no direction flag),
 * so taking it changes nothing on the pin, and record how it was.
 */
static int request_line(struct gpio_cdev *gc, int chip_fd, const struct gpio_cfg *cfg,
			unsigned int offset)
{
	struct gpio_cdev_line *l = &gc->lines[gc->nr_lines];
	struct gpio_v2_line_request req;
	struct gpio_v2_line_info info;
	char path[PATH_MAX], who[160];
	int ret;

	if (offset >= gc->chip_lines) {
		pr_err("--gpio %s: line %u is out of range; %s has %u lines (0-%u)",
		       cfg->chip, offset, gc->path, gc->chip_lines, gc->chip_lines - 1);
		return -ERANGE;
	}
	record_path(gc->device, offset, path, sizeof(path));
	snprintf(who, sizeof(who), "--gpio %s", cfg->chip);
	ret = line_recover(who, chip_fd, path, offset);
	if (ret < 0 && ret != -EBUSY)
		return ret;
	ret = line_info(chip_fd, offset, &info);
	if (!ret)
		ret = check_line(gc, cfg, offset, &info);
	if (ret)
		return ret;

	memset(&req, 0, sizeof(req));
	req.offsets[0] = offset;
	req.num_lines = 1;
	snprintf(req.consumer, sizeof(req.consumer), "%s", GPIO_CDEV_CONSUMER);
	if (ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, &req)) {
		ret = -errno;
		pr_err("--gpio %s: requesting line %u: %s%s", cfg->chip, offset, strerror(-ret),
		       ret == -EBUSY ? "; something on the host took it just now" : "");
		return ret;
	}
	l->fd = req.fd;
	l->offset = offset;
	snprintf(l->name, sizeof(l->name), "%s", info.name);
	l->host_flags = info.flags & (DIRECTION_FLAGS | DRIVE_FLAGS | BIAS_FLAGS);
	gc->nr_lines++;
	ret = get_values(l->fd, &l->host_value);
	if (ret) {
		pr_err("--gpio %s: reading line %u: %s", cfg->chip, offset, strerror(-ret));
		return ret;
	}
	ret = line_record_write(gc, l);
	if (ret) {
		pr_err("--gpio %s: cannot record line %u in %s: %s; the VMM needs a writable /run",
		       cfg->chip, offset, RECORD_DIR, strerror(-ret));
		return ret;
	}
	l->recorded = true;
	return 0;
}

int gpio_cdev_open(struct gpio_cdev *gc, const struct gpio_cfg *cfg,
		   const char *dev_dir)
{
	unsigned int i, offset;
	int chip_fd, ret = 0;

	memset(gc, 0, sizeof(*gc));
	chip_fd = open_chip(gc, cfg, dev_dir);
	if (chip_fd < 0)
		return chip_fd;
	for (i = 0; !ret && i < cfg->nr_lines; i++) {
		const struct gpio_line_cfg *lc = &cfg->lines[i];

		offset = lc->offset;
		if (lc->host_name[0])
			ret = find_line(gc, chip_fd, cfg, lc->host_name, &offset);
		if (!ret)
			ret = request_line(gc, chip_fd, cfg, offset);
	}
	close(chip_fd);
	if (ret)
		gpio_cdev_close(gc);
	return ret;
}

static int set_config(int fd, uint64_t flags, uint8_t value)
{
	struct gpio_v2_line_config c;

	memset(&c, 0, sizeof(c));
	c.flags = flags;
	if (flags & GPIO_V2_LINE_FLAG_OUTPUT) {
		c.num_attrs = 1;
		c.attrs[0].mask = 1;
		c.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
		c.attrs[0].attr.values = value & 1;
	}
	return ioctl(fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, &c) ? -errno : 0;
}

int gpio_cdev_restore(struct gpio_cdev *gc, unsigned int i)
{
	const struct gpio_cdev_line *l = &gc->lines[i];

	if (i >= gc->nr_lines || l->fd < 0)
		return -EBADF;
	/* Neither direction on record: the request left it as it was. */
	if (!(l->host_flags & DIRECTION_FLAGS))
		return 0;
	return set_config(l->fd, l->host_flags, l->host_value);
}

void gpio_cdev_close(struct gpio_cdev *gc)
{
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < gc->nr_lines; i++) {
		struct gpio_cdev_line *l = &gc->lines[i];

		if (l->fd < 0)
			continue;
		ret = gpio_cdev_restore(gc, i);
		close(l->fd);
		l->fd = -1;
		if (ret) {
			pr_warn("gpio %s: line %u: putting it back as it was: %s; 'lkvm-rcar release %s' tries again",
				gc->path, l->offset, strerror(-ret), gc->device);
		} else if (l->recorded) {
			record_path(gc->device, l->offset, path, sizeof(path));
			record_remove(path);
		}
		l->recorded = false;
	}
	gc->nr_lines = 0;
}

/* The offset in a record's name "<device>-<offset>.line", if it is one of @device's. */
static bool record_of(const char *name, const char *device, unsigned int *offset)
{
	size_t n = strlen(device);
	char end[8];

	return !strncmp(name, device, n) && name[n] == '-' &&
	       sscanf(name + n + 1, "%u%7s", offset, end) == 2 && !strcmp(end, ".line");
}

/* Open the controller a record names; -ENOENT if it is gone. */
static int open_recorded_chip(const char *path)
{
	char body[256], chip[128];
	struct record_owner owner;
	int ret, fd;

	ret = record_read(path, &owner, body, sizeof(body));
	if (ret)
		return ret;
	if (!record_value(body, "chip", chip, sizeof(chip)))
		return -EINVAL;
	fd = open(chip, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int gpio_cdev_release(const char *device)
{
	char path[PATH_MAX], who[160];
	unsigned int offset;
	struct dirent *de;
	int fd, ret, done = 0, err = 0;
	DIR *d;

	snprintf(who, sizeof(who), "release %s", device);
	d = opendir(RECORD_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!record_of(de->d_name, device, &offset))
			continue;
		snprintf(path, sizeof(path), "%s/%s", RECORD_DIR, de->d_name);
		fd = open_recorded_chip(path);
		if (fd < 0) {
			pr_err("%s: line %u: its controller, as %s records it, cannot be opened: %s",
			       who, offset, path, strerror(-fd));
			err = fd;
			continue;
		}
		ret = line_recover(who, fd, path, offset);
		close(fd);
		if (ret == -EBUSY)
			pr_err("%s: line %u: the lkvm-rcar that recorded it is running; stop that VMM, and it gives the line back itself",
			       who, offset);
		if (ret < 0)
			err = ret;
		else
			done += ret;
	}
	closedir(d);
	return err ? err : done;
}

int gpio_cdev_get(struct gpio_cdev *gc, unsigned int i, uint8_t *value)
{
	if (i >= gc->nr_lines)
		return -EINVAL;
	return get_values(gc->lines[i].fd, value);
}

int gpio_cdev_set(struct gpio_cdev *gc, unsigned int i, uint8_t value)
{
	struct gpio_v2_line_values v = { .mask = 1, .bits = value & 1 };

	if (i >= gc->nr_lines)
		return -EINVAL;
	return ioctl(gc->lines[i].fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v) ? -errno : 0;
}

int gpio_cdev_configure(struct gpio_cdev *gc, unsigned int i, bool output,
			uint8_t value, unsigned int edges)
{
	uint64_t kept, flags;

	if (i >= gc->nr_lines)
		return -EINVAL;
	/* The pin's electrics stay as the host set them up. */
	kept = gc->lines[i].host_flags;
	if (output) {
		flags = GPIO_V2_LINE_FLAG_OUTPUT | (kept & (DRIVE_FLAGS | BIAS_FLAGS));
	} else {
		flags = GPIO_V2_LINE_FLAG_INPUT | (kept & BIAS_FLAGS);
		if (edges & GPIO_CDEV_EDGE_RISING)
			flags |= GPIO_V2_LINE_FLAG_EDGE_RISING;
		if (edges & GPIO_CDEV_EDGE_FALLING)
			flags |= GPIO_V2_LINE_FLAG_EDGE_FALLING;
	}
	return set_config(gc->lines[i].fd, flags, value);
}

bool gpio_cdev_was_output(const struct gpio_cdev *gc, unsigned int i)
{
	return i < gc->nr_lines && (gc->lines[i].host_flags & GPIO_V2_LINE_FLAG_OUTPUT);
}

/* --- a controller taken whole ---------------------------------------- */

/* The first held line of the controller @chip (gpiochipN) under @dev_dir. */
static int chip_find_held(const char *dev_dir, const char *chip,
			  struct gpio_cdev_held *held)
{
	struct gpio_v2_line_info info;
	struct gpiochip_info ci;
	char path[320];
	unsigned int i;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dev_dir, chip);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = chip_info(fd, &ci);
	for (i = 0; !ret && i < ci.lines; i++) {
		ret = line_info(fd, i, &info);
		if (ret || !(info.flags & GPIO_V2_LINE_FLAG_USED))
			continue;
		snprintf(held->chip, sizeof(held->chip), "%s", chip);
		held->offset = i;
		snprintf(held->name, sizeof(held->name), "%s", info.name);
		snprintf(held->consumer, sizeof(held->consumer), "%s", info.consumer);
		ret = 1;
	}
	close(fd);
	return ret;
}

int gpio_cdev_find_held(const char *dev_path, const char *dev_dir,
			struct gpio_cdev_held *held)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(dev_path);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d)))
		if (!strncmp(de->d_name, "gpiochip", 8))
			ret = chip_find_held(dev_dir, de->d_name, held);
	closedir(d);
	return ret;
}
