/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every device offers the VM: one const ops table per device type.
 * Devices are registered by visible calls in the boot sequence
 * (vm_add_device), initialised in that order and torn down in reverse.
 */
#ifndef LKVM_DEVICES_DEVICE_H
#define LKVM_DEVICES_DEVICE_H

#include <stdio.h>

struct vm;
struct dt;
struct device;

struct dev_ops {
	const char *name;
	/* Acquire what the device needs. Returns 0 or -errno, reported. */
	int (*init)(struct vm *vm, struct device *dev);
	/* Release it; safe after a partial init and safe twice. */
	void (*exit)(struct vm *vm, struct device *dev);
	/*
	 * Optional: the guest has stopped, with the vCPU threads and the
	 * event loop; finish what the guest was told is done (output it
	 * handed over). Before --stats are collected.
	 */
	void (*stopped)(struct vm *vm, struct device *dev);
	/* Emit the device's node into the guest device tree. */
	int (*fdt)(struct vm *vm, struct device *dev, struct dt *dt);
	/* Optional: its own --stats fields, as JSON ", \"key\": value" pairs. */
	void (*stats)(struct vm *vm, struct device *dev, FILE *out);
};

struct device {
	const struct dev_ops *ops;
	const void *cfg;	/* the caller's, for init */
	void *priv;		/* the device's state, owned by the device */
};

#endif
