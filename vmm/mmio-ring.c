// SPDX-License-Identifier: GPL-2.0
/*
 * Reading KVM's coalesced MMIO ring; see mmio-ring.h.
 */
#include "vmm/mmio-ring.h"

uint32_t mmio_ring_capacity(long page_size)
{
	if (page_size <= (long)sizeof(struct kvm_coalesced_mmio_ring))
		return 0;
	return (uint32_t)((page_size - sizeof(struct kvm_coalesced_mmio_ring)) /
			  sizeof(struct kvm_coalesced_mmio));
}

unsigned int mmio_ring_drain(struct kvm_coalesced_mmio_ring *ring, uint32_t capacity,
			     mmio_ring_write_fn write, void *opaque)
{
	uint32_t first = __atomic_load_n(&ring->first, __ATOMIC_RELAXED);
	/* KVM fills an entry before it moves last past it. */
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	unsigned int n = 0;

	/* Indices KVM would never write: nothing in the ring is trusted. */
	if (first >= capacity || last >= capacity)
		return 0;
	while (first != last) {
		const struct kvm_coalesced_mmio *w = &ring->coalesced_mmio[first];
		unsigned int len = w->len <= sizeof(w->data) ? w->len : sizeof(w->data);

		write(opaque, w->phys_addr, w->data, len);
		first = (first + 1) % capacity;
		/* The entry is KVM's again once first has moved past it. */
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
		n++;
	}
	return n;
}
