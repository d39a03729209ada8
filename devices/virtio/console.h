/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio console (virtio 1.2, section 5.3) on virtio-mmio, joined to two
 * host file descriptors: what the guest writes goes to @out_fd, what
 * arrives on @in_fd goes to the guest.
 */
#ifndef LKVM_DEVICES_VIRTIO_CONSOLE_H
#define LKVM_DEVICES_VIRTIO_CONSOLE_H

#include <stdbool.h>

#include "devices/device.h"

struct console_cfg {
	int in_fd;
	int out_fd;
	bool escape;	/* Ctrl-A x stops the VM (interactive terminals) */
};

extern const struct dev_ops console_ops;

#endif
