// SPDX-License-Identifier: GPL-2.0
/*
 * The queue service; see queue.h. One copy of the loop every virtio
 * device would otherwise write for itself: wait for a kick, pop, handle,
 * push, notify.
 */
#include "devices/virtio/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "devices/virtio/mmio.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/stats.h"

void virtio_queue_serve(struct virtio_mmio *vm, unsigned int q)
{
	const struct virtio_dev_ops *ops = vm->ops;
	struct virtq *vq = virtio_mmio_queue(vm, q);
	struct virtq_chain *chain = &vm->chain;
	unsigned int taken = 0;
	bool pushed = false;
	int len;

	if (!vq)
		return;
	while ((!ops->can_take || ops->can_take(vm, q)) &&
	       virtio_mmio_pop(vm, q, &taken, chain) > 0) {
		len = ops->handle_chain(vm, q, chain);
		if (len == VIRTIO_QUEUE_HELD)
			continue;
		virtq_push(vq, chain->head, len);
		pushed = true;
	}
	if (!pushed)
		return;
	if (ops->used)
		ops->used(vm, q);
	else
		virtio_mmio_notify(vm, vq);
}

void virtio_queue_complete(struct virtio_mmio *vm, unsigned int q,
			   uint16_t head, uint32_t len)
{
	struct virtq *vq = virtio_mmio_queue(vm, q);

	/* After a reset the chain belongs to no ring: the device forgets it. */
	if (!vq)
		return;
	virtq_push(vq, head, len);
	if (vm->ops->used)
		vm->ops->used(vm, q);
	else
		virtio_mmio_notify(vm, vq);
}

/* After the loop's batch: the interrupt for what was completed in it. */
static void notify_later_done(struct loop_deferred *d)
{
	struct virtio_mmio_queue *mq = (struct virtio_mmio_queue *)((char *)d -
				offsetof(struct virtio_mmio_queue, notify_later));
	struct virtio_mmio *vm = mq->vm;
	struct virtq *vq;

	pthread_mutex_lock(&vm->lock);
	vq = virtio_mmio_queue(vm, mq->index);
	if (vq && vm->ops->used)
		vm->ops->used(vm, mq->index);
	else if (vq)
		virtio_mmio_notify(vm, vq);
	pthread_mutex_unlock(&vm->lock);
}

void virtio_queue_complete_later(struct virtio_mmio *vm, unsigned int q,
				 uint16_t head, uint32_t len)
{
	struct virtio_mmio_queue *mq = &vm->queues[q];
	struct virtq *vq = virtio_mmio_queue(vm, q);

	if (!vq)
		return;
	if (!mq->loop) {
		virtio_queue_complete(vm, q, head, len);
		return;
	}
	virtq_push(vq, head, len);
	loop_defer(mq->loop, &mq->notify_later);
}

/*
 * The queue's kicks, watched for as long as the loop runs. Only that a
 * kick came counts, not how many: every one makes a pass over the whole
 * queue, so the eventfd's count needs no reading.
 */
static void watch_kicks(struct virtio_mmio_queue *mq)
{
	int ret = loop_watch_eventfd(mq->loop, &mq->kick_op, mq->kick_fd);

	if (ret < 0)
		pr_warn("%s: cannot wait for queue %u's notifications: %s",
			mq->vm->name, mq->index, strerror(-ret));
}

/* How long a kick waits for a vCPU to finish its register access. */
#define KICK_LOCK_WAIT_NS	200000

/*
 * The lock for a kick, in the loop. A vCPU holds it for one register
 * access; if the vCPU thread was preempted there, by the loop itself on
 * the same CPU say, retrying at once would spin until the loop's time
 * slice ends, so the loop sleeps on the lock instead, and the holder
 * runs. Not for long: a vCPU that keeps trapping takes the lock again
 * as soon as it lets it go, and a loop waiting without bound was seen to
 * leave a signal or the --timeout unread for seconds. Still taken after
 * the wait: false, and the kick goes back to the eventfd, to be tried
 * again after the loop's other events.
 */
static bool lock_for_kick(struct virtio_mmio *vm, struct loop *loop)
{
	struct timespec until;

	if (!pthread_mutex_trylock(&vm->lock))
		return true;
	STAT_ADD(loop->lock_waits, 1);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += KICK_LOCK_WAIT_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (!pthread_mutex_clocklock(&vm->lock, CLOCK_MONOTONIC, &until))
		return true;
	STAT_ADD(loop->lock_retries, 1);
	return false;
}

/* A kick, in the loop: a pass over the queue. */
static void kick_done(struct loop_op *op, int res)
{
	struct virtio_mmio_queue *mq = (struct virtio_mmio_queue *)((char *)op -
				offsetof(struct virtio_mmio_queue, kick_op));
	struct virtio_mmio *vm = mq->vm;

	if (!lock_for_kick(vm, mq->loop)) {
		virtio_mmio_kick(vm, mq->index);
	} else {
		virtio_queue_serve(vm, mq->index);
		pthread_mutex_unlock(&vm->lock);
	}
	if (vm->ops->kicked)
		vm->ops->kicked(vm, mq->index);
	/* The watch ended (not cancelled): the kernel's choice; watch again. */
	if (!op->busy && (res >= 0 || res == -EINTR || res == -EAGAIN))
		watch_kicks(mq);
}

void virtio_queue_listen(struct virtio_mmio *vm, struct loop *loop)
{
	unsigned int q;

	for (q = 0; q < vm->ops->nr_queues; q++) {
		struct virtio_mmio_queue *mq = &vm->queues[q];

		mq->vm = vm;
		mq->index = q;
		mq->loop = loop;
		mq->kick_op.done = kick_done;
		mq->notify_later.fn = notify_later_done;
		watch_kicks(mq);
	}
}
