/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's node for a passed-through device, generated from the host's
 * own device tree node (a directory in the /proc/device-tree layout):
 * compatible and the device's own properties are kept, reg and interrupts
 * rewritten to the guest's allocation, what points at host-only nodes is
 * dropped, and clock consumers get fixed-clocks with the host clock's rate,
 * so that an unmodified guest driver probes.
 */
#ifndef LKVM_FDT_HOST_NODE_H
#define LKVM_FDT_HOST_NODE_H

#include <stdint.h>

struct dt;

#define HOST_NODE_MAX_REGS	8
#define HOST_NODE_MAX_IRQS	8

struct host_node {
	const char *node_dir;	/* the device's of_node directory */
	const char *tree_root;	/* the root of the host tree, for phandles */
	const char *compatible;	/* ';'-separated replacement, or NULL */
	unsigned int nr_regs;
	uint64_t reg[HOST_NODE_MAX_REGS][2];	/* guest address, size */
	unsigned int nr_irqs;
	uint32_t spi[HOST_NODE_MAX_IRQS];
	uint32_t irq_flags[HOST_NODE_MAX_IRQS];	/* if the host DT has none */
};

/*
 * Emit the guest node for @hn (and any fixed-clocks it needs) at the
 * current level of @dt, which must be the root. Returns 0 or -errno after
 * one line naming the device and what is wrong.
 */
int dt_add_host_node(struct dt *dt, const struct host_node *hn);

/*
 * The address and size of range @index of the reg property of the node
 * at @node_dir, laid out by its parent's #address-cells (1 or 2) and
 * #size-cells (0 to 2). Returns 0, -ENOENT if reg has no such range,
 * -EINVAL for cell counts out of range, or -errno reading it.
 */
int host_node_reg(const char *node_dir, unsigned int index, uint64_t *addr,
		  uint64_t *size);

#endif
