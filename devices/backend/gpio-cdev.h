/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lines of a host GPIO controller that the host keeps, through its
 * character device (/dev/gpiochipN) and the v2 uAPI of linux/gpio.h.
 * Only the lines asked for are requested, each on its own, with consumer
 * "lkvm-rcar" and its direction left as it is; what each was (direction,
 * drive, bias, value) is recorded, and it is put back so before it is
 * released. Every other line of the controller stays with the host.
 *
 * The kernel frees a dead process's lines but leaves them as they were
 * last set, so what each line was is also written down, one record per
 * line (vmm/record.h: RECORD_DIR/<device>-<offset>.line), before the
 * guest can change it. A VMM killed with SIGKILL or by the sandbox
 * leaves its records: the next run that takes the line, or `lkvm-rcar
 * release <device>`, puts the line back from it.
 */
#ifndef LKVM_DEVICES_BACKEND_GPIO_CDEV_H
#define LKVM_DEVICES_BACKEND_GPIO_CDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/gpio.h>

#include "vmm/config.h"

#define GPIO_CDEV_CONSUMER	"lkvm-rcar"
/* The type byte of every GPIO ioctl number (linux/gpio.h). */
#define GPIO_CDEV_IOCTL_TYPE	0xB4

struct gpio_cdev_line {
	unsigned int offset;
	char name[GPIO_MAX_NAME_SIZE];	/* the host's name for it, or "" */
	int fd;				/* its line request, -1 if not held */
	uint64_t host_flags;		/* direction, drive and bias it had */
	uint8_t host_value;		/* ... and its value then */
	bool recorded;			/* its record is written */
};

struct gpio_cdev {
	char path[128];			/* /dev/gpiochipN */
	char label[GPIO_MAX_NAME_SIZE];
	char device[128];		/* its device (9030000.pl061), else its label */
	unsigned int chip_lines;	/* lines the controller has */
	unsigned int nr_lines;		/* lines we hold, in --gpio order */
	struct gpio_cdev_line lines[CONFIG_MAX_GPIO_LINES];
};

/*
 * Find the controller @cfg names under @dev_dir ("/dev"), resolve its
 * lines and request them. Returns 0, or -errno after one line naming
 * what is wrong; then no line is left requested.
 */
int gpio_cdev_open(struct gpio_cdev *gc, const struct gpio_cfg *cfg,
		   const char *dev_dir);
/*
 * Put every line back as the host had it, release it and drop its
 * record; a line that cannot be put back is said in one line, and its
 * record kept for `lkvm-rcar release`. Safe twice.
 */
void gpio_cdev_close(struct gpio_cdev *gc);

/*
 * `lkvm-rcar release @device`: put back every line of the controller
 * @device (its device name or label) that a killed VMM recorded. Returns
 * the number of lines put back, or -errno after one line.
 */
int gpio_cdev_release(const char *device);

/* Line @i (in --gpio order): its value, as the guest would see it. */
int gpio_cdev_get(struct gpio_cdev *gc, unsigned int i, uint8_t *value);
int gpio_cdev_set(struct gpio_cdev *gc, unsigned int i, uint8_t value);
#define GPIO_CDEV_EDGE_RISING	1u
#define GPIO_CDEV_EDGE_FALLING	2u

/* Make it an output at @value, or an input reporting @edges (GPIO_CDEV_EDGE_*). */
int gpio_cdev_configure(struct gpio_cdev *gc, unsigned int i, bool output,
			uint8_t value, unsigned int edges);
/* Back to how the host had it, still held. */
int gpio_cdev_restore(struct gpio_cdev *gc, unsigned int i);
/* Whether the host had it as an output. */
bool gpio_cdev_was_output(const struct gpio_cdev *gc, unsigned int i);

/* A line of a controller that something on the host holds. */
struct gpio_cdev_held {
	char chip[32];			/* gpiochipN */
	unsigned int offset;
	char name[GPIO_MAX_NAME_SIZE];	/* the host's name for it, or "" */
	char consumer[GPIO_MAX_NAME_SIZE];/* who holds it, or "" */
};

/*
 * Before a GPIO controller is taken from the host whole (--passthrough):
 * the first of its lines that a host consumer holds (gpio-keys,
 * gpio-leds, a sysfs export...), found through the gpiochipN entries
 * of its sysfs directory @dev_path and @dev_dir's character devices.
 * Returns 1 with @held filled, 0 if none is held or the device is no
 * GPIO controller, or -errno if its lines cannot be read.
 */
int gpio_cdev_find_held(const char *dev_path, const char *dev_dir,
			struct gpio_cdev_held *held);

#endif
