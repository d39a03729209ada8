// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio register file, version 2 (virtio 1.2, section 4.2.2).
 *
 * Only naturally aligned 32-bit accesses are defined for the common
 * registers; anything else reads as zero and is ignored on write, so a
 * guest poking at random gets nothing it could use against the VMM.
 */
#include "devices/virtio/mmio.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/virtio/queue.h"
#include "vmm/log.h"
#include "vmm/stats.h"

#define VIRTIO_MMIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VENDOR		0x4d564b4c	/* "LKVM" */

enum {
	REG_MAGIC		= 0x000,
	REG_VERSION		= 0x004,
	REG_DEVICE_ID		= 0x008,
	REG_VENDOR_ID		= 0x00c,
	REG_DEV_FEATURES	= 0x010,
	REG_DEV_FEATURES_SEL	= 0x014,
	REG_DRV_FEATURES	= 0x020,
	REG_DRV_FEATURES_SEL	= 0x024,
	REG_QUEUE_SEL		= 0x030,
	REG_QUEUE_NUM_MAX	= 0x034,
	REG_QUEUE_NUM		= 0x038,
	REG_QUEUE_READY		= 0x044,
	REG_QUEUE_NOTIFY	= VIRTIO_MMIO_QUEUE_NOTIFY,
	REG_INT_STATUS		= 0x060,
	REG_INT_ACK		= VIRTIO_MMIO_INTERRUPT_ACK,
	REG_STATUS		= 0x070,
	REG_QUEUE_DESC_LO	= 0x080,
	REG_QUEUE_DESC_HI	= 0x084,
	REG_QUEUE_AVAIL_LO	= 0x090,
	REG_QUEUE_AVAIL_HI	= 0x094,
	REG_QUEUE_USED_LO	= 0x0a0,
	REG_QUEUE_USED_HI	= 0x0a4,
	REG_CONFIG_GEN		= 0x0fc,
	REG_CONFIG		= 0x100,
};

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

int virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops,
		     const struct gmem *mem, const char *name, void *priv)
{
	unsigned int q;
	int fd;

	memset(vm, 0, sizeof(*vm));
	vm->irq_fd = -1;
	for (q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		vm->queues[q].kick_fd = -1;
	vm->ops = ops;
	vm->mem = mem;
	vm->name = name;
	vm->priv = priv;
	pthread_mutex_init(&vm->lock, NULL);

	if (ops->nr_queues > VIRTIO_MMIO_MAX_QUEUES)
		return -EINVAL;
	for (q = 0; q < ops->nr_queues; q++) {
		fd = new_eventfd();
		if (fd < 0)
			goto fail;
		vm->queues[q].kick_fd = fd;
	}
	fd = new_eventfd();
	if (fd < 0)
		goto fail;
	vm->irq_fd = fd;
	return 0;
fail:
	virtio_mmio_exit(vm);
	return fd;
}

void virtio_mmio_exit(struct virtio_mmio *vm)
{
	unsigned int q;

	for (q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++) {
		if (vm->queues[q].kick_fd >= 0)
			close(vm->queues[q].kick_fd);
		vm->queues[q].kick_fd = -1;
	}
	if (vm->irq_fd >= 0)
		close(vm->irq_fd);
	vm->irq_fd = -1;
}

unsigned int virtio_mmio_eventfds(const struct virtio_mmio *vm, int *fds)
{
	unsigned int q, n = 0;

	for (q = 0; q < vm->ops->nr_queues; q++)
		fds[n++] = vm->queues[q].kick_fd;
	fds[n++] = vm->irq_fd;
	return n;
}

static void raise_irq(struct virtio_mmio *vm, uint32_t why)
{
	uint64_t one = 1;

	vm->int_status |= why;
	vm->int_unread |= why;
	STAT_ADD(vm->irqs_raised, 1);
	if (write(vm->irq_fd, &one, sizeof(one)) < 0 && !vm->warned) {
		vm->warned = true;
		pr_warn("%s: cannot raise the interrupt: %s", vm->name,
			strerror(errno));
	}
}

static void device_reset(struct virtio_mmio *vm)
{
	unsigned int q;

	if (vm->ops->reset)
		vm->ops->reset(vm);
	vm->status = 0;
	vm->int_status = 0;
	vm->int_unread = 0;
	vm->driver_features = 0;
	vm->dev_features_sel = 0;
	vm->drv_features_sel = 0;
	vm->queue_sel = 0;
	for (q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++) {
		struct virtio_mmio_queue *vq = &vm->queues[q];

		vq->num = 0;
		vq->ready = false;
		vq->desc = vq->avail = vq->used = 0;
		memset(&vq->vq, 0, sizeof(vq->vq));
	}
}

static struct virtio_mmio_queue *selected_queue(struct virtio_mmio *vm)
{
	if (vm->queue_sel >= vm->ops->nr_queues)
		return NULL;
	return &vm->queues[vm->queue_sel];
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *vm, unsigned int q)
{
	if (q >= vm->ops->nr_queues || !vm->queues[q].ready ||
	    !(vm->status & VIRTIO_STATUS_FEATURES_OK) ||
	    !(vm->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (vm->status & VIRTIO_STATUS_NEEDS_RESET))
		return NULL;
	return &vm->queues[q].vq;
}

int virtio_mmio_pop(struct virtio_mmio *vm, unsigned int q, unsigned int *taken,
		    struct virtq_chain *chain)
{
	struct virtq *vq = virtio_mmio_queue(vm, q);
	int ret;

	if (!vq)
		return 0;
	if (*taken >= vq->size) {
		/* Come back after the loop has served everything else. */
		virtio_mmio_kick(vm, q);
		return 0;
	}
	ret = virtq_pop(vq, chain);
	if (ret < 0)
		virtio_mmio_fail(vm, vq);
	else
		*taken += ret;
	return ret;
}

void virtio_mmio_notify(struct virtio_mmio *vm, struct virtq *vq)
{
	if (virtq_should_notify(vq))
		raise_irq(vm, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_fail(struct virtio_mmio *vm, struct virtq *vq)
{
	if (vm->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	pr_warn("%s: guest driver wrote a malformed virtqueue (%s); device stopped until the driver resets it",
		vm->name, vq->why_broken ? vq->why_broken : "bad ring");
	vm->status |= VIRTIO_STATUS_NEEDS_RESET;
	raise_irq(vm, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_kick(struct virtio_mmio *vm, unsigned int q)
{
	uint64_t one = 1;

	if (write(vm->queues[q].kick_fd, &one, sizeof(one)) < 0)
		pr_warn("%s: cannot signal queue %u's notification: %s", vm->name,
			q, strerror(errno));
}

static uint32_t read_reg(struct virtio_mmio *vm, uint64_t off)
{
	struct virtio_mmio_queue *q = selected_queue(vm);

	switch (off) {
	case REG_MAGIC:
		return VIRTIO_MMIO_MAGIC;
	case REG_VERSION:
		return 2;
	case REG_DEVICE_ID:
		return vm->ops->device_id;
	case REG_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case REG_DEV_FEATURES:
		if (vm->dev_features_sel > 1)
			return 0;
		return vm->ops->features >> (32 * vm->dev_features_sel);
	case REG_QUEUE_NUM_MAX:
		return q ? VIRTQ_MAX_SIZE : 0;
	case REG_QUEUE_READY:
		return q ? q->ready : 0;
	case REG_INT_STATUS:
		vm->int_unread = 0;
		return vm->int_status;
	case REG_STATUS:
		return vm->status;
	case REG_CONFIG_GEN:
		return vm->config_generation;
	default:
		return 0;
	}
}

static void set_addr_half(uint64_t *addr, uint32_t val, bool high)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*addr = (*addr & ~0xffffffffull) | val;
}

static void queue_enable(struct virtio_mmio *vm, struct virtio_mmio_queue *q)
{
	if (virtq_setup(&q->vq, vm->mem, q->num, q->desc, q->avail, q->used)) {
		/* Once per device: a guest must not be able to flood the log. */
		if (!vm->warned_setup)
			pr_warn("%s: queue %u: driver gave an invalid size or ring address; queue left disabled (reported once)",
				vm->name, vm->queue_sel);
		vm->warned_setup = true;
		return;
	}
	q->ready = true;
	if (vm->ops->queue_ready)
		vm->ops->queue_ready(vm, vm->queue_sel);
}

static void write_queue_reg(struct virtio_mmio *vm, uint64_t off, uint32_t val)
{
	struct virtio_mmio_queue *q = selected_queue(vm);

	/*
	 * Section 4.2.2.3: a queue's layout may only change while it is
	 * disabled; and without VIRTIO_F_RING_RESET, which we do not offer,
	 * queues are set up before DRIVER_OK and only a device reset takes
	 * them down (section 3.1.1), so that no buffer the device holds can
	 * outlive the ring it came from.
	 */
	if (!q || (vm->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (q->ready && off != REG_QUEUE_READY))
		return;

	switch (off) {
	case REG_QUEUE_NUM:
		q->num = val;
		break;
	case REG_QUEUE_READY:
		if (val && !q->ready)
			queue_enable(vm, q);
		else if (!val)
			q->ready = false;
		break;
	case REG_QUEUE_DESC_LO:
	case REG_QUEUE_DESC_HI:
		set_addr_half(&q->desc, val, off == REG_QUEUE_DESC_HI);
		break;
	case REG_QUEUE_AVAIL_LO:
	case REG_QUEUE_AVAIL_HI:
		set_addr_half(&q->avail, val, off == REG_QUEUE_AVAIL_HI);
		break;
	case REG_QUEUE_USED_LO:
	case REG_QUEUE_USED_HI:
		set_addr_half(&q->used, val, off == REG_QUEUE_USED_HI);
		break;
	}
}

/*
 * A device may not use its queues before DRIVER_OK (virtio 1.2, section
 * 3.1.1), but drivers often make buffers available and notify before they
 * set it. Replay a notification for every ready queue so that those
 * buffers are seen. The features are settled by now (a queue is served
 * only with FEATURES_OK): whether the rings may hold indirect tables,
 * and whether notifications go by the rings' event indices, is decided
 * here.
 */
static void start_ready_queues(struct virtio_mmio *vm)
{
	bool indirect = vm->driver_features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	bool event_idx = vm->driver_features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	uint64_t one = 1;
	unsigned int q;

	for (q = 0; q < vm->ops->nr_queues; q++) {
		if (!vm->queues[q].ready)
			continue;
		vm->queues[q].vq.indirect = indirect;
		vm->queues[q].vq.event_idx = event_idx;
		if (write(vm->queues[q].kick_fd, &one, sizeof(one)) < 0)
			pr_warn("%s: queue %u: cannot replay a notification", vm->name, q);
	}
}

/*
 * Section 3.1.1 and 2.1: the driver sets status bits one step after
 * another and never clears one but by a reset (writing 0), so bits only
 * accumulate here. FEATURES_OK is refused to a driver without VERSION_1
 * (a legacy driver, which version 2 cannot serve) and after DRIVER_OK
 * (the features are settled by then).
 */
static void write_status(struct virtio_mmio *vm, uint32_t val)
{
	uint32_t old = vm->status;

	if (!val) {
		device_reset(vm);
		return;
	}
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    ((old & VIRTIO_STATUS_DRIVER_OK) ||
	     !(vm->driver_features & (1ull << VIRTIO_F_VERSION_1))))
		val &= ~VIRTIO_STATUS_FEATURES_OK;
	vm->status = old | (val & ~VIRTIO_STATUS_NEEDS_RESET);
	if (!(old & VIRTIO_STATUS_DRIVER_OK) && (val & VIRTIO_STATUS_DRIVER_OK))
		start_ready_queues(vm);
}

static void write_reg(struct virtio_mmio *vm, uint64_t off, uint32_t val)
{
	uint64_t mask;

	switch (off) {
	case REG_DEV_FEATURES_SEL:
		vm->dev_features_sel = val;
		break;
	case REG_DRV_FEATURES:
		/* Section 3.1.1: the features are settled at FEATURES_OK. */
		if (vm->drv_features_sel > 1 ||
		    (vm->status & (VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)))
			break;
		mask = 0xffffffffull << (32 * vm->drv_features_sel);
		vm->driver_features = (vm->driver_features & ~mask) |
			(((uint64_t)val << (32 * vm->drv_features_sel)) &
			 vm->ops->features);
		break;
	case REG_DRV_FEATURES_SEL:
		vm->drv_features_sel = val;
		break;
	case REG_QUEUE_SEL:
		vm->queue_sel = val;
		break;
	case REG_QUEUE_NOTIFY:
		/* Normally caught by KVM's ioeventfd; the trapped path does the same. */
		if (val >= vm->ops->nr_queues)
			break;
		if (vm->ops->serve_in_vcpu & (1u << val))
			virtio_queue_serve(vm, val);
		else
			virtio_mmio_kick(vm, val);
		break;
	case REG_INT_ACK:
		/*
		 * A driver acknowledges what it read (Linux writes back the
		 * value it just read). The write may reach here late: KVM
		 * can keep it until the guest's next trapped access
		 * (virtio_plug_wire()), after the device raised the
		 * interrupt again. A reason raised since the last read
		 * therefore stays set: that interrupt's handler must see it.
		 */
		vm->int_status &= ~(val & ~vm->int_unread);
		break;
	case REG_STATUS:
		write_status(vm, val);
		break;
	default:
		write_queue_reg(vm, off, val);
		break;
	}
}

void virtio_mmio_read(struct virtio_mmio *vm, uint64_t off, void *data,
		      unsigned int len)
{
	uint32_t val;

	memset(data, 0, len);
	pthread_mutex_lock(&vm->lock);
	if (off >= REG_CONFIG) {
		off -= REG_CONFIG;
		if (vm->ops->read_config && off < vm->ops->config_size &&
		    len <= vm->ops->config_size - off)
			vm->ops->read_config(vm, off, data, len);
	} else if (len == 4 && !(off & 3)) {
		val = read_reg(vm, off);
		memcpy(data, &val, 4);
	}
	pthread_mutex_unlock(&vm->lock);
}

void virtio_mmio_write(struct virtio_mmio *vm, uint64_t off,
		       const void *data, unsigned int len)
{
	uint32_t val;

	/* The device config we offer is read-only. */
	if (off >= REG_CONFIG || len != 4 || (off & 3))
		return;
	memcpy(&val, data, 4);
	pthread_mutex_lock(&vm->lock);
	write_reg(vm, off, val);
	pthread_mutex_unlock(&vm->lock);
}

void virtio_mmio_access(void *opaque, uint64_t off, void *data,
			unsigned int len, bool is_write)
{
	if (is_write)
		virtio_mmio_write(opaque, off, data, len);
	else
		virtio_mmio_read(opaque, off, data, len);
}
