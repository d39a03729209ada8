/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VFIO containers and groups the passed-through devices of one VM
 * share (Documentation/driver-api/vfio.rst). There is one container per
 * IOMMU mode: every device behind an IOMMU joins the type1 one, so guest
 * RAM is mapped for DMA, and pinned, once however many devices there
 * are; devices without an IOMMU join the no-IOMMU one (the two cannot
 * mix). Two devices in one IOMMU group share the group; since a group
 * is only usable once all its devices are with VFIO, the later ones in
 * it must already be bound (by hand, or by an earlier --passthrough).
 */
#ifndef LKVM_DEVICES_VFIO_CONTAINER_H
#define LKVM_DEVICES_VFIO_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

enum vfio_iommu_mode {
	VFIO_MODE_TYPE1,
	VFIO_MODE_NOIOMMU,
	VFIO_NR_MODES,
};

struct vfio_group_ref {
	int number;		/* /dev/vfio/N or /dev/vfio/noiommu-N */
	int fd;
	enum vfio_iommu_mode mode;
	unsigned int users;
};

/*
 * Check that the host has VFIO before a device's binding changes: opens
 * a container for the first group to use. Returns 0 or -errno, reported
 * for @who (the --passthrough device).
 */
int vfio_container_probe(struct vm *vm, const char *who);

/*
 * Open IOMMU group @number (or take another device's reference to it),
 * attach it to the container of its mode, and for the first type1 group
 * map all guest RAM for DMA. Returns 0 with *@out set, or -errno,
 * reported for @who.
 */
int vfio_group_get(struct vm *vm, const char *who, int number,
		   struct vfio_group_ref **out);

/*
 * Drop a reference; the last one detaches the group, and the last group
 * of a container unmaps guest RAM and closes it. Safe on NULL.
 */
void vfio_group_put(struct vm *vm, struct vfio_group_ref *group);

/* Guest RAM pinned for DMA through the type1 container, in bytes. */
uint64_t vfio_dma_pinned(const struct vm *vm);

const char *vfio_mode_name(enum vfio_iommu_mode mode);

#endif
