/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 vCPU set-up: KVM_ARM_VCPU_INIT with the host's preferred target,
 * and the boot CPU's registers as Documentation/arm64/booting.rst asks.
 */
#ifndef LKVM_ARCH_ARM64_REGS_H
#define LKVM_ARCH_ARM64_REGS_H

#include <stdint.h>

struct vm;
struct vcpu;

/*
 * Initialise @v: PSCI 0.2 in the kernel, secondary vCPUs powered off
 * until the guest starts them with PSCI CPU_ON. Reads back the vCPU's
 * MPIDR into v->mpidr for the device tree. Returns 0 or -errno.
 */
int arm64_vcpu_init(struct vm *vm, struct vcpu *v);

/* Boot CPU entry: PC at @entry, x0 = @dtb, EL1h with interrupts masked. */
int arm64_vcpu_boot_regs(struct vcpu *v, uint64_t entry, uint64_t dtb);

#endif
