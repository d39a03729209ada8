// SPDX-License-Identifier: GPL-2.0
/*
 * Guest device tree builder. Bindings followed: arm/cpus.yaml,
 * arm/psci.yaml, timer/arm,arch_timer.yaml, interrupt-controller/
 * arm,gic.yaml and arm,gic-v3.yaml, virtio/mmio.yaml, and the chosen node
 * of the devicetree specification.
 */
#include "fdt/dt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#define GIC_SPI		0
#define GIC_PPI		1

/* Architected timer PPIs: secure, non-secure, virtual, hypervisor. */
static const uint32_t timer_ppis[] = { 13, 14, 11, 10 };

static int fdt_to_errno(int err)
{
	return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

/* Record the first libfdt failure; later calls become no-ops. */
static void check(struct dt *dt, int err)
{
	if (err < 0 && !dt->err)
		dt->err = err;
}

static void prop_u32(struct dt *dt, const char *name, uint32_t v)
{
	if (!dt->err)
		check(dt, fdt_property_u32(dt->fdt, name, v));
}

static void prop_str(struct dt *dt, const char *name, const char *s)
{
	if (!dt->err)
		check(dt, fdt_property_string(dt->fdt, name, s));
}

static void prop_empty(struct dt *dt, const char *name)
{
	if (!dt->err)
		check(dt, fdt_property(dt->fdt, name, NULL, 0));
}

static void prop_cells(struct dt *dt, const char *name, const uint32_t *cells,
		       unsigned int n)
{
	fdt32_t be[16];
	unsigned int i;

	for (i = 0; i < n && i < 16; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	if (!dt->err)
		check(dt, fdt_property(dt->fdt, name, be, n * sizeof(be[0])));
}

/* A reg property of @n (address, size) pairs, two cells per value. */
static void prop_reg(struct dt *dt, const uint64_t *pairs, unsigned int n)
{
	uint32_t cells[8];
	unsigned int i;

	for (i = 0; i < 2 * n && i < 4; i++) {
		cells[2 * i] = pairs[i] >> 32;
		cells[2 * i + 1] = (uint32_t)pairs[i];
	}
	prop_cells(dt, "reg", cells, 4 * n);
}

static void begin_node(struct dt *dt, const char *name)
{
	if (!dt->err)
		check(dt, fdt_begin_node(dt->fdt, name));
}

static void begin_node_at(struct dt *dt, const char *name, uint64_t addr)
{
	char full[64];

	snprintf(full, sizeof(full), "%s@%llx", name, (unsigned long long)addr);
	begin_node(dt, full);
}

static void end_node(struct dt *dt)
{
	if (!dt->err)
		check(dt, fdt_end_node(dt->fdt));
}

static void add_cpus(struct dt *dt, const struct dt_desc *d)
{
	unsigned int i;

	begin_node(dt, "cpus");
	prop_u32(dt, "#address-cells", 2);
	prop_u32(dt, "#size-cells", 0);
	for (i = 0; i < d->nr_cpus; i++) {
		uint32_t reg[2] = { d->mpidr[i] >> 32, (uint32_t)d->mpidr[i] };

		begin_node_at(dt, "cpu", d->mpidr[i]);
		prop_str(dt, "device_type", "cpu");
		prop_str(dt, "compatible", "arm,armv8");
		prop_str(dt, "enable-method", "psci");
		prop_cells(dt, "reg", reg, 2);
		end_node(dt);
	}
	end_node(dt);
}

static void add_memory(struct dt *dt, const struct dt_desc *d)
{
	uint64_t reg[2] = { d->mem_base, d->mem_size };

	begin_node_at(dt, "memory", d->mem_base);
	prop_str(dt, "device_type", "memory");
	prop_reg(dt, reg, 1);
	end_node(dt);
}

static void prop_u64(struct dt *dt, const char *name, uint64_t v)
{
	if (!dt->err)
		check(dt, fdt_property_u64(dt->fdt, name, v));
}

static void add_chosen(struct dt *dt, const struct dt_desc *d)
{
	begin_node(dt, "chosen");
	prop_str(dt, "bootargs", d->bootargs ? d->bootargs : "");
	if (d->initrd_size) {
		prop_u64(dt, "linux,initrd-start", d->initrd_start);
		prop_u64(dt, "linux,initrd-end", d->initrd_start + d->initrd_size);
	}
	end_node(dt);
}

static void add_psci(struct dt *dt)
{
	begin_node(dt, "psci");
	/* KVM implements PSCI 1.x, which keeps 0.2's function IDs. */
	if (!dt->err) {
		static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

		check(dt, fdt_property(dt->fdt, "compatible", compat, sizeof(compat)));
	}
	prop_str(dt, "method", "hvc");
	end_node(dt);
}

static uint32_t ppi_flags(const struct dt_desc *d)
{
	/* GICv2 PPI specifiers carry a CPU mask in bits 8..15. */
	uint32_t mask = d->gic.version == 2 ? ((1u << d->nr_cpus) - 1) << 8 : 0;

	return mask | DT_IRQ_LEVEL_HIGH;
}

static void add_timer(struct dt *dt, const struct dt_desc *d)
{
	uint32_t irqs[3 * 4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		irqs[3 * i] = GIC_PPI;
		irqs[3 * i + 1] = timer_ppis[i];
		irqs[3 * i + 2] = ppi_flags(d);
	}
	begin_node(dt, "timer");
	prop_str(dt, "compatible", "arm,armv8-timer");
	prop_cells(dt, "interrupts", irqs, 12);
	prop_empty(dt, "always-on");
	end_node(dt);
}

static void add_gic(struct dt *dt, const struct dt_desc *d)
{
	uint64_t reg[4] = {
		d->gic.dist_base, d->gic.dist_size,
		d->gic.cpu_base, d->gic.cpu_size,
	};

	begin_node_at(dt, "intc", d->gic.dist_base);
	prop_str(dt, "compatible",
		 d->gic.version == 3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	prop_u32(dt, "#interrupt-cells", 3);
	/* No child nodes (no ITS, no v2m): nothing to address below it. */
	prop_u32(dt, "#address-cells", 0);
	prop_empty(dt, "interrupt-controller");
	prop_reg(dt, reg, 2);
	prop_u32(dt, "phandle", dt->gic_phandle);
	end_node(dt);
}

int dt_begin(struct dt *dt, void *buf, size_t size, const struct dt_desc *d)
{
	memset(dt, 0, sizeof(*dt));
	dt->fdt = buf;
	dt->size = size;
	dt->next_phandle = 1;

	if (!d->nr_cpus || d->nr_cpus > DT_MAX_CPUS ||
	    (d->gic.version != 2 && d->gic.version != 3) ||
	    (d->gic.version == 2 && d->nr_cpus > 8))
		return -EINVAL;

	check(dt, fdt_create(buf, size));
	if (!dt->err)
		check(dt, fdt_finish_reservemap(buf));
	dt->gic_phandle = dt_alloc_phandle(dt);

	begin_node(dt, "");
	prop_str(dt, "compatible", "linux,dummy-virt");
	prop_str(dt, "model", "lkvm-rcar");
	prop_u32(dt, "#address-cells", 2);
	prop_u32(dt, "#size-cells", 2);
	prop_u32(dt, "interrupt-parent", dt->gic_phandle);
	add_cpus(dt, d);
	add_memory(dt, d);
	add_chosen(dt, d);
	add_psci(dt);
	add_timer(dt, d);
	add_gic(dt, d);
	return dt->err ? fdt_to_errno(dt->err) : 0;
}

uint32_t dt_alloc_phandle(struct dt *dt)
{
	return dt->next_phandle++;
}

int dt_add_mmio_device(struct dt *dt, const char *name, const char *compatible,
		       uint64_t base, uint64_t size, int spi, uint32_t irq_flags)
{
	uint64_t reg[2] = { base, size };

	begin_node_at(dt, name, base);
	prop_str(dt, "compatible", compatible);
	prop_reg(dt, reg, 1);
	if (spi >= 0) {
		uint32_t irq[3] = { GIC_SPI, (uint32_t)spi, irq_flags };

		prop_cells(dt, "interrupts", irq, 3);
	}
	end_node(dt);
	return dt->err ? fdt_to_errno(dt->err) : 0;
}

int dt_finish(struct dt *dt)
{
	end_node(dt);		/* the root */
	if (!dt->err)
		check(dt, fdt_finish(dt->fdt));
	return dt->err ? fdt_to_errno(dt->err) : 0;
}

size_t dt_size(const struct dt *dt)
{
	return fdt_totalsize(dt->fdt);
}
