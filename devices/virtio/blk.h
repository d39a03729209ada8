/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.2, section 5.2) on virtio-mmio, over a raw disk
 * image (devices/backend/disk-image.h): one device per --disk. Requests
 * are taken apart in devices/virtio/blk-req.c and carried out on the
 * io_uring event loop, as many in flight as the queue holds.
 */
#ifndef LKVM_DEVICES_VIRTIO_BLK_H
#define LKVM_DEVICES_VIRTIO_BLK_H

#include "devices/device.h"

/* Its cfg is a struct disk_cfg (vmm/config.h). */
extern const struct dev_ops virtio_blk_ops;

#endif
