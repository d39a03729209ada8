/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of a virtio split virtqueue (virtio 1.2, section 2.7),
 * working on a guest memory view. Everything the guest wrote is read once,
 * range-checked and validated before use: a ring that points outside guest
 * RAM, loops, or claims more buffers than it has marks the queue broken
 * instead of hurting the VMM.
 */
#ifndef LKVM_DEVICES_VIRTIO_VIRTQ_H
#define LKVM_DEVICES_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/gmem.h"

#define VIRTQ_MAX_SIZE	256	/* the QueueNumMax we offer */

struct virtq_desc;
struct virtq_avail;
struct virtq_used;

struct virtq {
	const struct gmem *mem;
	uint16_t size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail;	/* next avail entry to take */
	uint16_t used_idx;	/* our copy of used->idx */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool signalled;		/* signalled_used holds a notification's index */
	uint16_t signalled_used;	/* used->idx when the driver was last told */
	bool broken;
	const char *why_broken;
};

/*
 * A buffer chain taken from the queue, at most VIRTQ_MAX_SIZE buffers
 * whether direct or through an indirect table: iov[0..nr_out) are the
 * driver-written (device-readable) parts, iov[nr_out..nr_out+nr_in) the
 * device-writable ones. The iovecs point into guest memory.
 */
struct virtq_chain {
	uint16_t head;
	unsigned int nr_out;
	unsigned int nr_in;
	uint64_t out_len;
	uint64_t in_len;
	struct iovec iov[VIRTQ_MAX_SIZE];
};

/*
 * Attach @vq to the rings the driver placed at @desc, @avail and @used.
 * Returns 0, or -EINVAL if the size is not a power of two up to
 * VIRTQ_MAX_SIZE, a ring is misaligned or lies outside @mem. Indirect
 * tables are refused until the caller sets vq->indirect.
 */
int virtq_setup(struct virtq *vq, const struct gmem *mem, unsigned int size,
		uint64_t desc, uint64_t avail, uint64_t used);

/*
 * Take the next available chain into @chain. Returns 1 when one was
 * taken, 0 when the driver has made none available, and -EIO when the
 * ring is malformed (the queue is then broken and stays so; vq->why_broken
 * says why).
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/*
 * Return the chain starting at @head to the driver, with @len bytes
 * written into it. Returns 0, or -EIO if the queue is broken.
 */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/*
 * Whether the driver wants an interrupt for what was pushed: its flag,
 * or with event_idx the used index it published (used_event). A call
 * that answers yes counts as the interrupt sent.
 */
bool virtq_should_notify(struct virtq *vq);

/* Copy @len bytes from @src into the writable part of @chain. */
uint32_t virtq_chain_fill(const struct virtq_chain *chain,
			  const void *src, uint32_t len);

/*
 * Copy up to @len bytes of the driver-written part of @chain into @dst.
 * Returns the number copied: less than @len if the chain has less.
 */
uint32_t virtq_chain_read(const struct virtq_chain *chain, void *dst,
			  uint32_t len);

#endif
