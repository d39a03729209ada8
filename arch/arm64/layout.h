/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest physical address map, in one place.
 *
 *   0x0800_0000  GIC distributor (64 KiB)
 *   0x0801_0000  GICv2 CPU interface (8 KiB)
 *   0x080a_0000  GICv3 redistributors (128 KiB per vCPU, up to 0x0a00_0000)
 *   0x0a00_0000  device window: virtio-mmio and other emulated devices
 *   0x1000_0000  pass-through window: host device regions (512 MiB)
 *   0x4000_0000  RAM
 *
 * Below 1 GiB like QEMU's virt board, so a guest kernel that boots there
 * finds the same shape here.
 */
#ifndef LKVM_ARCH_ARM64_LAYOUT_H
#define LKVM_ARCH_ARM64_LAYOUT_H

#define ARM64_GIC_DIST_BASE		0x08000000ull
#define ARM64_GIC_DIST_SIZE		0x00010000ull
#define ARM64_GIC_CPU_BASE		0x08010000ull
#define ARM64_GIC_CPU_SIZE		0x00002000ull
#define ARM64_GIC_REDIST_BASE		0x080a0000ull
#define ARM64_GIC_REDIST_SIZE		0x00020000ull	/* per vCPU */
#define ARM64_GIC_REDIST_LIMIT		0x0a000000ull

#define ARM64_DEVICE_BASE		0x0a000000ull
#define ARM64_DEVICE_SIZE		0x01000000ull
#define ARM64_DEVICE_STRIDE		0x00001000ull	/* one page per device */

#define ARM64_PASSTHROUGH_BASE		0x10000000ull
#define ARM64_PASSTHROUGH_SIZE		0x20000000ull

#define ARM64_RAM_BASE			0x40000000ull

/* SPIs handed to devices, counted from 0 (INTID 32). */
#define ARM64_SPI_FIRST			16
#define ARM64_NR_IRQS			128	/* INTIDs the vGIC implements */

#endif
