/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic-mmio: a one-register device through which a guest kernel with
 * CONFIG_PVPANIC_MMIO reports a panic, so the VMM can exit with the
 * "guest panicked" status instead of guessing from a reboot.
 */
#ifndef LKVM_DEVICES_PVPANIC_H
#define LKVM_DEVICES_PVPANIC_H

#include "devices/device.h"

extern const struct dev_ops pvpanic_ops;

#endif
