/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-gpio (virtio 1.2, section 5.19) on virtio-mmio, over chosen
 * lines of a host GPIO controller that the host keeps (--gpio): the
 * guest sees a controller with exactly those lines, in that order.
 */
#ifndef LKVM_DEVICES_VIRTIO_GPIO_H
#define LKVM_DEVICES_VIRTIO_GPIO_H

#include "devices/device.h"

/* The device's cfg is a struct gpio_cfg (vmm/config.h). */
extern const struct dev_ops virtio_gpio_ops;

#endif
