/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plugging a virtio-mmio device into the VM, the same for every device:
 * a guest address and an interrupt; then the register window, KVM
 * ioeventfds for the queues whose notifications should reach the loop
 * without an exit to user space, the irqfd that raises the interrupt,
 * the interrupt's acknowledgement kept by KVM without an exit to user
 * space (coalesced MMIO, where KVM has it; see virtio-mmio's
 * REG_INT_ACK), and the sandbox's leave for every thread to write those
 * eventfds.
 * virtio_plug_unwire() undoes whatever virtio_plug_wire() did, so a
 * device's exit calls it whether its init got that far or not.
 */
#ifndef LKVM_DEVICES_VIRTIO_PLUG_H
#define LKVM_DEVICES_VIRTIO_PLUG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct dt;
struct vm;
struct virtio_mmio;

struct virtio_plug {
	uint64_t base;			/* guest-physical, VIRTIO_MMIO_SIZE long */
	int spi;
	uint32_t ioeventfds;		/* queues (a bit each) KVM signals */
	bool mmio_registered;
	bool irqfd_assigned;
	bool ack_coalesced;
};

/* A guest address and an interrupt; -ENOSPC when the VM has none left. */
int virtio_plug_reserve(struct virtio_plug *plug, struct vm *vm);

/*
 * Wire @vmmio at the reserved place; a notification of a queue in
 * @ioeventfd_queues (a bit each) is turned into its kick by KVM, others
 * trap. The window is registered under @vmmio's name (--stats counts
 * its exits by it). Negative errno; undo with virtio_plug_unwire().
 */
int virtio_plug_wire(struct virtio_plug *plug, struct vm *vm,
		     struct virtio_mmio *vmmio, uint32_t ioeventfd_queues);
void virtio_plug_unwire(struct virtio_plug *plug, struct vm *vm,
			struct virtio_mmio *vmmio);

/* The device's node in the guest's tree. */
int virtio_plug_fdt(const struct virtio_plug *plug, struct dt *dt);
/*
 * The device's interrupt for --stats, in the shape every device's "irqs"
 * has (docs/stats.schema.json): one edge SPI the VMM raises through its
 * irqfd, @raised times.
 */
void virtio_plug_stats_irqs(const struct virtio_plug *plug, uint64_t raised,
			    FILE *out);

#endif
