/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's device tree, built from scratch with libfdt's sequential
 * writer from a plain description. No ioctls here: the blob is tested by
 * reading it back.
 *
 * Use: dt_begin() writes the root, cpus, memory, chosen, psci, timer and
 * interrupt controller; devices then add their nodes with dt_add_*() or
 * the raw fdt_* calls on dt->fdt; dt_finish() closes the tree.
 */
#ifndef LKVM_FDT_DT_H
#define LKVM_FDT_DT_H

#include <stddef.h>
#include <stdint.h>

#define DT_MAX_CPUS	64

/* Interrupt specifier flags (include/dt-bindings/interrupt-controller). */
#define DT_IRQ_EDGE_RISING	1
#define DT_IRQ_LEVEL_HIGH	4

struct dt_gic {
	int version;			/* 2 or 3 */
	uint64_t dist_base, dist_size;
	uint64_t cpu_base, cpu_size;	/* GICv2 CPU interface; v3 redistributors */
};

struct dt_desc {
	unsigned int nr_cpus;
	uint64_t mpidr[DT_MAX_CPUS];	/* affinity of each vCPU */
	uint64_t mem_base, mem_size;
	const char *bootargs;
	uint64_t initrd_start, initrd_size;	/* size 0: no initrd */
	struct dt_gic gic;
};

struct dt {
	void *fdt;
	size_t size;
	uint32_t next_phandle;
	uint32_t gic_phandle;
	int err;	/* first libfdt error, sticky */
};

/* Start a tree in @buf. Returns 0 or -errno (-ENOSPC when @buf is small). */
int dt_begin(struct dt *dt, void *buf, size_t size, const struct dt_desc *d);

/* A new phandle value for a node the caller is about to write. */
uint32_t dt_alloc_phandle(struct dt *dt);

/*
 * Add a simple memory-mapped device node "name@base" with one reg range
 * and, if @spi >= 0, one SPI with @irq_flags. Returns 0 or -errno.
 */
int dt_add_mmio_device(struct dt *dt, const char *name, const char *compatible,
		       uint64_t base, uint64_t size, int spi, uint32_t irq_flags);

/* Close the tree. Returns 0 or -errno. */
int dt_finish(struct dt *dt);

/* The blob's size once finished. */
size_t dt_size(const struct dt *dt);

#endif
