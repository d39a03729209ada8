// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPU registers through KVM_{GET,SET}_ONE_REG.
 */
#include "arch/arm64/regs.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))
#define MPIDR_EL1	ARM64_SYS_REG(3, 0, 0, 0, 5)
#define MPIDR_AFFINITY	0xff00ffffffull

/* PSTATE: EL1 with SP_EL1 (EL1h), D, A, I and F masked. */
#define PSTATE_BOOT	0x3c5ull

static int get_reg(struct vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int set_reg(struct vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int arm64_vcpu_init(struct vm *vm, struct vcpu *v)
{
	struct kvm_vcpu_init init;
	int ret;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		ret = -errno;
		pr_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return ret;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (v->id)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		ret = -errno;
		pr_err("vCPU %u: KVM_ARM_VCPU_INIT: %s", v->id, strerror(errno));
		return ret;
	}
	ret = get_reg(v, MPIDR_EL1, &v->mpidr);
	if (ret) {
		pr_err("vCPU %u: reading MPIDR_EL1: %s", v->id, strerror(-ret));
		return ret;
	}
	v->mpidr &= MPIDR_AFFINITY;
	return 0;
}

int arm64_vcpu_boot_regs(struct vcpu *v, uint64_t entry, uint64_t dtb)
{
	static const uint64_t zero_regs[] = {
		CORE_REG(regs.regs[1]),
		CORE_REG(regs.regs[2]),
		CORE_REG(regs.regs[3]),
	};
	unsigned int i;
	int ret;

	ret = set_reg(v, CORE_REG(regs.pstate), PSTATE_BOOT);
	if (!ret)
		ret = set_reg(v, CORE_REG(regs.regs[0]), dtb);
	for (i = 0; !ret && i < sizeof(zero_regs) / sizeof(zero_regs[0]); i++)
		ret = set_reg(v, zero_regs[i], 0);
	if (!ret)
		ret = set_reg(v, CORE_REG(regs.pc), entry);
	if (ret)
		pr_err("vCPU %u: setting boot registers: %s", v->id, strerror(-ret));
	return ret;
}
