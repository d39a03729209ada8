// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic over MMIO (QEMU's docs/specs/pvpanic.rst, DT binding
 * "qemu,pvpanic-mmio"). Reading the register gives the events the device
 * supports; the guest writes the event bits when it panics.
 */
#include "devices/pvpanic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fdt/dt.h"
#include "vmm/log.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define PVPANIC_PANICKED	(1u << 0)
#define PVPANIC_SIZE		2

struct pvpanic {
	struct vm *vm;
	uint64_t base;
	bool registered;
};

static void pvpanic_mmio(void *opaque, uint64_t off, void *data,
			 unsigned int len, bool is_write)
{
	struct pvpanic *pp = opaque;
	uint8_t *bytes = data;

	if (!is_write) {
		memset(data, 0, len);
		if (off == 0)
			bytes[0] = PVPANIC_PANICKED;
		return;
	}
	if (off == 0 && (bytes[0] & PVPANIC_PANICKED)) {
		pr_info("guest kernel panicked");
		vm_request_stop(pp->vm, VM_EXIT_PANIC);
	}
}

static int pvpanic_init(struct vm *vm, struct device *dev)
{
	struct pvpanic *pp = calloc(1, sizeof(*pp));
	int ret;

	if (!pp)
		return -ENOMEM;
	dev->priv = pp;
	pp->vm = vm;
	pp->base = vm_alloc_device_addr(vm);
	if (!pp->base) {
		pr_err("pvpanic: no guest address left");
		return -ENOSPC;
	}
	ret = vm_register_mmio(vm, pp->base, PVPANIC_SIZE, pvpanic_mmio, pp,
			       "pvpanic");
	if (ret) {
		pr_err("pvpanic: %s", strerror(-ret));
		return ret;
	}
	pp->registered = true;
	return 0;
}

static void pvpanic_exit(struct vm *vm, struct device *dev)
{
	struct pvpanic *pp = dev->priv;

	if (pp && pp->registered)
		vm_unregister_mmio(vm, pp->base);
	free(pp);
	dev->priv = NULL;
}

static int pvpanic_fdt(struct vm *vm, struct device *dev, struct dt *dt)
{
	struct pvpanic *pp = dev->priv;

	(void)vm;
	return dt_add_mmio_device(dt, "pvpanic", "qemu,pvpanic-mmio", pp->base,
				  PVPANIC_SIZE, -1, 0);
}

static void pvpanic_stats(struct vm *vm, struct device *dev, FILE *out)
{
	(void)dev;
	fprintf(out, ", \"mmio_exits\": %llu",
		(unsigned long long)stats_mmio_exits(vm, "pvpanic"));
}

const struct dev_ops pvpanic_ops = {
	.name	= "pvpanic",
	.init	= pvpanic_init,
	.exit	= pvpanic_exit,
	.fdt	= pvpanic_fdt,
	.stats	= pvpanic_stats,
};
