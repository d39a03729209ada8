/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel vGIC (KVM_DEV_TYPE_ARM_VGIC_V2/V3,
 * Documentation/virt/kvm/devices/arm-vgic*.rst). R-Car Gen3 boards have a
 * GIC-400, so GICv2 is as important here as GICv3.
 */
#ifndef LKVM_ARCH_ARM64_GIC_H
#define LKVM_ARCH_ARM64_GIC_H

#include "vmm/config.h"

struct vm;
struct dt_gic;

/* Create the vGIC @want asks for (auto: v3, else v2) and place it. */
int gic_create(struct vm *vm, enum irqchip want, unsigned int nr_cpus);
/* Finish set-up once all vCPUs exist (KVM_DEV_ARM_VGIC_CTRL_INIT). */
int gic_finalize(struct vm *vm);
/* Describe the vGIC for the device tree. */
void gic_describe(const struct vm *vm, struct dt_gic *out);

#endif
