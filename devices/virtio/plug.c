// SPDX-License-Identifier: GPL-2.0
/*
 * Plugging a virtio-mmio device into the VM; see plug.h.
 */
#include "devices/virtio/plug.h"

#include <errno.h>

#include "devices/virtio/mmio.h"
#include "fdt/dt.h"
#include "vmm/sandbox.h"
#include "vmm/vm.h"

int virtio_plug_reserve(struct virtio_plug *plug, struct vm *vm)
{
	plug->base = vm_alloc_device_addr(vm);
	plug->spi = vm_alloc_spi(vm);
	return plug->base && plug->spi >= 0 ? 0 : -ENOSPC;
}

/* Under the sandbox every thread may write the device's eventfds. */
static void allow_eventfd_writes(struct virtio_mmio *vmmio)
{
	int fds[VIRTIO_MMIO_MAX_QUEUES + 1];
	unsigned int i, n = virtio_mmio_eventfds(vmmio, fds);

	for (i = 0; i < n; i++)
		sandbox_allow_fd(fds[i], SANDBOX_FD_WRITE, SANDBOX_EVERY_ROLE);
}

static int assign_ioeventfd(struct virtio_plug *plug, struct vm *vm,
			    struct virtio_mmio *vmmio, unsigned int q, bool assign)
{
	return vm_ioeventfd(vm, plug->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q,
			    vmmio->queues[q].kick_fd, assign);
}

/*
 * Half of the exits an interrupt costs: the driver reads the status,
 * then writes it back; the write can wait in KVM's ring until the next
 * read, which drains it first. Without the ring it traps, as any
 * register.
 */
static int coalesce_ack(struct virtio_plug *plug, struct vm *vm, bool on)
{
	return vm_coalesce_mmio(vm, plug->base + VIRTIO_MMIO_INTERRUPT_ACK, 4, on);
}

int virtio_plug_wire(struct virtio_plug *plug, struct vm *vm,
		     struct virtio_mmio *vmmio, uint32_t ioeventfd_queues)
{
	unsigned int q;
	int ret;

	allow_eventfd_writes(vmmio);
	ret = vm_register_mmio(vm, plug->base, VIRTIO_MMIO_SIZE, virtio_mmio_access,
			       vmmio, vmmio->name);
	if (ret)
		return ret;
	plug->mmio_registered = true;
	for (q = 0; q < vmmio->ops->nr_queues; q++) {
		if (!(ioeventfd_queues & (1u << q)))
			continue;
		ret = assign_ioeventfd(plug, vm, vmmio, q, true);
		if (ret)
			return ret;
		plug->ioeventfds |= 1u << q;
	}
	ret = vm_irqfd(vm, plug->spi, vmmio->irq_fd, true);
	if (ret)
		return ret;
	plug->irqfd_assigned = true;
	plug->ack_coalesced = !coalesce_ack(plug, vm, true);
	return 0;
}

void virtio_plug_unwire(struct virtio_plug *plug, struct vm *vm,
			struct virtio_mmio *vmmio)
{
	unsigned int q;

	if (plug->ack_coalesced)
		coalesce_ack(plug, vm, false);
	plug->ack_coalesced = false;
	if (plug->irqfd_assigned)
		vm_irqfd(vm, plug->spi, vmmio->irq_fd, false);
	plug->irqfd_assigned = false;
	for (q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		if (plug->ioeventfds & (1u << q))
			assign_ioeventfd(plug, vm, vmmio, q, false);
	plug->ioeventfds = 0;
	if (plug->mmio_registered)
		vm_unregister_mmio(vm, plug->base);
	plug->mmio_registered = false;
}

int virtio_plug_fdt(const struct virtio_plug *plug, struct dt *dt)
{
	/* Edge: the irqfd delivers one pulse per notification. */
	return dt_add_mmio_device(dt, "virtio", "virtio,mmio", plug->base,
				  VIRTIO_MMIO_SIZE, plug->spi, DT_IRQ_EDGE_RISING);
}

void virtio_plug_stats_irqs(const struct virtio_plug *plug, uint64_t raised,
			    FILE *out)
{
	fprintf(out, ", \"irqs\": [ { \"spi\": %d, \"trigger\": \"edge\", \"delivery\": \"irqfd\", \"raised_by_vmm\": %llu } ]",
		plug->spi, (unsigned long long)raised);
}
