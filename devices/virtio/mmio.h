/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2): the
 * register file a guest driver sees, independent of KVM. Queue
 * notifications and interrupts travel through eventfds that the VM layer
 * wires to KVM (ioeventfd, irqfd); this file only creates them, so the
 * register file can be tested with no /dev/kvm.
 */
#ifndef LKVM_DEVICES_VIRTIO_MMIO_H
#define LKVM_DEVICES_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtq.h"
#include "vmm/loop.h"

#define VIRTIO_MMIO_SIZE		0x200
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_MAX_QUEUES		2

#define VIRTIO_MMIO_INT_VRING		1
#define VIRTIO_MMIO_INT_CONFIG		2

#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64

#define VIRTIO_RING_F_INDIRECT_DESC	28
#define VIRTIO_RING_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32

struct virtio_mmio;

/* What a device type adds to the transport. */
struct virtio_dev_ops {
	uint32_t device_id;
	uint64_t features;		/* offered, VIRTIO_F_VERSION_1 included */
	unsigned int nr_queues;
	unsigned int config_size;
	void (*read_config)(struct virtio_mmio *vm, unsigned int off,
			    void *data, unsigned int len);
	/* A queue was made ready by the driver (called with the lock held). */
	void (*queue_ready)(struct virtio_mmio *vm, unsigned int q);
	/* The driver reset the device (called with the lock held). */
	void (*reset)(struct virtio_mmio *vm);

	/* The queue service (devices/virtio/queue.h); lock held but in kicked(). */
	/* Handle one chain: bytes written into it, or VIRTIO_QUEUE_HELD. */
	int (*handle_chain)(struct virtio_mmio *vm, unsigned int q,
			    struct virtq_chain *chain);
	/* Optional: whether the device can take another chain of @q now. */
	bool (*can_take)(struct virtio_mmio *vm, unsigned int q);
	/* Optional: tell the driver about used buffers (default: at once). */
	void (*used)(struct virtio_mmio *vm, unsigned int q);
	/* Optional: after a notification's pass, in the loop, unlocked. */
	void (*kicked)(struct virtio_mmio *vm, unsigned int q);
	/*
	 * Queues (a bit each) whose trapped notification is served in the
	 * vCPU thread that trapped it, where a hop to the loop would cost
	 * the waiting guest more than the work. Other notifications go to
	 * the queue's kick eventfd, as KVM's ioeventfd does, and are served
	 * in the loop.
	 */
	uint32_t serve_in_vcpu;
};

struct virtio_mmio_queue {
	uint32_t num;
	bool ready;
	uint64_t desc, avail, used;
	struct virtq vq;
	int kick_fd;	/* eventfd the driver's QueueNotify write signals */

	/* The queue service's wait for kicks (virtio_queue_listen()). */
	struct virtio_mmio *vm;
	unsigned int index;
	struct loop *loop;
	struct loop_op kick_op;
	/* The interrupt for chains completed in one batch of the loop's. */
	struct loop_deferred notify_later;
};

struct virtio_mmio {
	const struct virtio_dev_ops *ops;
	void *priv;			/* the device type's state */
	const struct gmem *mem;
	const char *name;
	pthread_mutex_t lock;		/* vCPU register accesses vs. the loop */

	uint32_t status;
	uint32_t dev_features_sel;
	uint32_t drv_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t config_generation;
	uint32_t int_status;
	uint32_t int_unread;		/* raised since the status was last read */
	uint64_t irqs_raised;		/* irqfd writes, for --stats */
	bool warned;			/* irqfd write failed */
	bool warned_setup;		/* bad queue set-up reported */
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
	int irq_fd;	/* eventfd that raises the device's interrupt */
	struct virtq_chain chain;	/* the queue service's, lock held */
};

/*
 * Set up the register file and create its eventfds. Returns 0 or -errno.
 * virtio_mmio_exit() is safe after a failed or partial init.
 */
int virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops,
		     const struct gmem *mem, const char *name, void *priv);
void virtio_mmio_exit(struct virtio_mmio *vm);

/*
 * The eventfds the VMM itself writes: each queue's kick and the
 * interrupt, for the sandbox to allow those writes and no others. Fills
 * @fds (room for VIRTIO_MMIO_MAX_QUEUES + 1) and returns how many.
 */
unsigned int virtio_mmio_eventfds(const struct virtio_mmio *vm, int *fds);

/* A guest access at @off within the register window (from a vCPU). */
void virtio_mmio_read(struct virtio_mmio *vm, uint64_t off, void *data,
		      unsigned int len);
void virtio_mmio_write(struct virtio_mmio *vm, uint64_t off,
		       const void *data, unsigned int len);

/*
 * The same as a handler for vm_register_mmio(), whose opaque pointer is
 * the struct virtio_mmio itself.
 */
void virtio_mmio_access(void *opaque, uint64_t off, void *data,
			unsigned int len, bool is_write);

/*
 * Signal queue @q's kick eventfd, as KVM's ioeventfd does when the
 * driver notifies: what waits on it (the event loop) takes the queue.
 */
void virtio_mmio_kick(struct virtio_mmio *vm, unsigned int q);

/* The queue @q if the driver has made it ready, else NULL (lock held). */
struct virtq *virtio_mmio_queue(struct virtio_mmio *vm, unsigned int q);

/*
 * Take the next chain of queue @q into @chain, for one pass over the
 * queue that *@taken counts (the caller starts it at 0). A pass takes at
 * most the queue's size of chains: a driver that keeps adding buffers as
 * fast as they are served would otherwise keep the caller, and the lock,
 * for ever, and the VMM could not stop. When the pass is full the
 * queue's kick eventfd is signalled, so that the event loop comes back
 * to the queue once it has served everything else. Returns 1 with a
 * chain, 0 when the pass is over (no queue, nothing available, or full),
 * -EIO when the ring is malformed (the device then asks for a reset, see
 * virtio_mmio_fail()). Lock held.
 */
int virtio_mmio_pop(struct virtio_mmio *vm, unsigned int q, unsigned int *taken,
		    struct virtq_chain *chain);

/* Tell the driver about used buffers on @vq, if it wants to know (lock held). */
void virtio_mmio_notify(struct virtio_mmio *vm, struct virtq *vq);

/*
 * Report a malformed ring: the device stops and asks the driver for a
 * reset (virtio 1.2, section 2.1.2). Lock held.
 */
void virtio_mmio_fail(struct virtio_mmio *vm, struct virtq *vq);

#endif
