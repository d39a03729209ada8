/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM's coalesced MMIO ring: guest writes to a zone registered with
 * KVM_REGISTER_COALESCED_MMIO do not exit to user space; KVM appends
 * them to a ring in one page of every vCPU's mapping, and the VMM hands
 * them to their devices later, in order (vm_handle_mmio(), before any
 * trapped access).
 */
#ifndef LKVM_VMM_MMIO_RING_H
#define LKVM_VMM_MMIO_RING_H

#include <linux/kvm.h>
#include <stdint.h>

/* One write taken from the ring: guest address, its bytes (len <= 8). */
typedef void (*mmio_ring_write_fn)(void *opaque, uint64_t addr,
				   const void *data, unsigned int len);

/* The ring's capacity in a page of @page_size bytes (KVM's own sizing). */
uint32_t mmio_ring_capacity(long page_size);

/*
 * Hand every write KVM has appended to @ring (of @capacity entries) to
 * @write, oldest first, and give their entries back to KVM. Returns how
 * many. The caller serialises drains; KVM may append meanwhile.
 */
unsigned int mmio_ring_drain(struct kvm_coalesced_mmio_ring *ring, uint32_t capacity,
			     mmio_ring_write_fn write, void *opaque);

#endif
