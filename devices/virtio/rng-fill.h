/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much of a virtio-rng request is filled: the driver's writable
 * buffers in order, from an entropy source that may give less than asked,
 * and never more than a bound in all, however large the chain a hostile
 * driver queues. Pure (the source is passed in), so the bound is
 * unit-tested.
 */
#ifndef LKVM_DEVICES_VIRTIO_RNG_FILL_H
#define LKVM_DEVICES_VIRTIO_RNG_FILL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* A guest asks for 64 bytes at a time; a hostile one gets no more than this. */
#define RNG_MAX_PER_REQUEST	(64 * 1024)

/* getrandom()'s shape: bytes written to @buf, or -1 with errno. */
typedef ssize_t (*rng_source)(void *buf, size_t len, unsigned int flags);

/*
 * Fill @iov[0..@nr) from @source (called with GRND_NONBLOCK) until the
 * buffers are full, RNG_MAX_PER_REQUEST bytes are written, or the source
 * gives less than asked. Returns the bytes written, all at the front.
 */
uint32_t rng_fill(const struct iovec *iov, unsigned int nr, rng_source source);

#endif
