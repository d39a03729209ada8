/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The queue service every virtio device is served by. A device says, in
 * its struct virtio_dev_ops, what to do with one chain (handle_chain),
 * and optionally when it can take one (can_take) and how to tell the
 * driver about used buffers (used); the service does the rest: waiting
 * for the driver's notifications in the event loop (or serving them in
 * the vCPU thread that trapped them), a bounded pass over the ring, the
 * used ring and the interrupt, and chains a device holds and completes
 * later (virtio-gpio's event buffers, a disk's requests in flight).
 *
 * Every function here is called with the transport's lock held, except
 * virtio_queue_listen().
 */
#ifndef LKVM_DEVICES_VIRTIO_QUEUE_H
#define LKVM_DEVICES_VIRTIO_QUEUE_H

#include <stdint.h>

struct loop;
struct virtio_mmio;

/* handle_chain(): the device keeps the chain, to complete it later. */
#define VIRTIO_QUEUE_HELD	(-1)

/*
 * One pass over queue @q: while the device can take a chain and the
 * driver has one available, hand it to the device; chains it does not
 * hold go back to the driver, with one notification at the end. A pass
 * takes at most the queue's size of chains; a driver that keeps adding
 * them is served again once the event loop has served everything else
 * (see virtio_mmio_pop()).
 */
void virtio_queue_serve(struct virtio_mmio *vm, unsigned int q);

/* Give back a chain the device held, with @len bytes written into it. */
void virtio_queue_complete(struct virtio_mmio *vm, unsigned int q,
			   uint16_t head, uint32_t len);
/*
 * The same from a completion in the loop (after virtio_queue_listen()):
 * the chain goes back at once, the driver is told once the loop has
 * handled the completions at hand, one interrupt for all of them.
 */
void virtio_queue_complete_later(struct virtio_mmio *vm, unsigned int q,
				 uint16_t head, uint32_t len);

/*
 * Wait in @loop for the driver's notifications of each queue, and serve
 * the queue on each (then the device's kicked() hook, if any). Last in a
 * device's init: nothing may fail after it (a queue whose wait cannot be
 * started is said in one line; its device then hears nothing from it).
 */
void virtio_queue_listen(struct virtio_mmio *vm, struct loop *loop);

#endif
