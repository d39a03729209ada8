/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host platform or AMBA device passed through to the guest with VFIO
 * (Documentation/driver-api/vfio.rst, vfio-platform.rst). Its MMIO
 * regions are mapped straight into the guest as KVM memslots where VFIO
 * allows mmap, and trapped and forwarded otherwise; its interrupts go to
 * guest SPIs through KVM irqfds, level ones with a resample fd wired to
 * VFIO's unmask, so no interrupt needs user space.
 */
#ifndef LKVM_DEVICES_VFIO_PLATFORM_H
#define LKVM_DEVICES_VFIO_PLATFORM_H

#include "devices/device.h"

/* cfg: a struct passthrough_cfg (vmm/config.h). */
extern const struct dev_ops vfio_platform_ops;

#endif
