// SPDX-License-Identifier: GPL-2.0
/*
 * vGIC creation and placement, with the addresses from layout.h.
 */
#include "arch/arm64/gic.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "arch/arm64/layout.h"
#include "fdt/dt.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"
#include "vmm/vm.h"


static int gic_set_attr(struct vm *vm, uint32_t group, uint64_t attr,
			const void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)val,
	};

	return ioctl(vm->gic_fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

static int gic_try_create(struct vm *vm, int version)
{
	struct kvm_create_device dev = {
		.type = version == 3 ? KVM_DEV_TYPE_ARM_VGIC_V3
				     : KVM_DEV_TYPE_ARM_VGIC_V2,
	};

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
		return -errno;
	vm->gic_fd = dev.fd;
	vm->gic_version = version;
	sandbox_allow_fd_ioctls(vm->gic_fd, KVMIO);
	return 0;
}

static int gic_place(struct vm *vm)
{
	uint64_t dist = ARM64_GIC_DIST_BASE, cpu = ARM64_GIC_CPU_BASE;
	uint64_t redist = ARM64_GIC_REDIST_BASE;
	uint32_t nr_irqs = ARM64_NR_IRQS;
	int ret;

	if (vm->gic_version == 3) {
		ret = gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
				   KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
		if (!ret)
			ret = gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
					   KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	} else {
		ret = gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
				   KVM_VGIC_V2_ADDR_TYPE_DIST, &dist);
		if (!ret)
			ret = gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
					   KVM_VGIC_V2_ADDR_TYPE_CPU, &cpu);
	}
	if (!ret)
		ret = gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	if (ret)
		pr_err("GICv%d: placing it in the guest: %s", vm->gic_version,
		       strerror(-ret));
	return ret;
}

int gic_create(struct vm *vm, enum irqchip want, unsigned int nr_cpus)
{
	int ret = -ENODEV;

	if (nr_cpus * ARM64_GIC_REDIST_SIZE >
	    ARM64_GIC_REDIST_LIMIT - ARM64_GIC_REDIST_BASE) {
		pr_err("--cpus: %u vCPUs do not fit the GICv3 redistributor window", nr_cpus);
		return -E2BIG;
	}
	if (want != IRQCHIP_GICV2)
		ret = gic_try_create(vm, 3);
	if (ret && want != IRQCHIP_GICV3) {
		if (nr_cpus > CONFIG_GICV2_MAX_CPUS) {
			pr_err("--cpus: a GICv2 serves at most %d vCPUs; this host offers no GICv3 for %u",
			       CONFIG_GICV2_MAX_CPUS, nr_cpus);
			return -E2BIG;
		}
		ret = gic_try_create(vm, 2);
	}
	if (ret) {
		if (want == IRQCHIP_AUTO)
			pr_err("this host's KVM can emulate neither a GICv3 nor a GICv2 (%s)",
			       strerror(-ret));
		else
			pr_err("--irqchip %s: this host's KVM cannot emulate it (%s); try --irqchip auto",
			       irqchip_name(want), strerror(-ret));
		return ret;
	}
	pr_debug("interrupt controller: in-kernel GICv%d", vm->gic_version);
	return gic_place(vm);
}

int gic_finalize(struct vm *vm)
{
	int ret = gic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL,
			       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);

	if (ret)
		pr_err("GICv%d: initialising it: %s", vm->gic_version, strerror(-ret));
	return ret;
}

void gic_describe(const struct vm *vm, struct dt_gic *out)
{
	out->version = vm->gic_version;
	out->dist_base = ARM64_GIC_DIST_BASE;
	out->dist_size = ARM64_GIC_DIST_SIZE;
	if (vm->gic_version == 3) {
		out->cpu_base = ARM64_GIC_REDIST_BASE;
		out->cpu_size = ARM64_GIC_REDIST_SIZE * vm->nr_vcpus;
	} else {
		out->cpu_base = ARM64_GIC_CPU_BASE;
		out->cpu_size = ARM64_GIC_CPU_SIZE;
	}
}
