/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-rng (virtio 1.2, section 5.4), --rng: entropy for the guest from
 * the host's getrandom(), so that a guest that waits for its entropy
 * pool at boot does not wait.
 */
#ifndef LKVM_DEVICES_VIRTIO_RNG_H
#define LKVM_DEVICES_VIRTIO_RNG_H

#include "devices/device.h"

extern const struct dev_ops virtio_rng_ops;

#endif
