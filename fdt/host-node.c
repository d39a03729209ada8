// SPDX-License-Identifier: GPL-2.0
/*
 * Guest node generation for pass-through devices. Generic rules first,
 * then a small table of per-compatible quirks for what generic rules
 * cannot know.
 */
#include "fdt/host-node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libfdt.h>

#include "fdt/dt.h"
#include "vmm/log.h"

#define PROP_MAX	4096
#define MAX_CLOCKS	4

/* Properties that point at host-only nodes or that we rewrite. */
static const char *const dropped_props[] = {
	"name", "phandle", "linux,phandle", "reg", "interrupts",
	"interrupts-extended", "interrupt-parent",
	"clocks", "clock-names", "assigned-clocks", "assigned-clock-rates",
	"assigned-clock-parents", "power-domains", "power-domain-names",
	"resets", "reset-names", "gpio-ranges", "iommus", "iommu-map",
	"dmas", "dma-names", "status", "compatible", "wakeup-source",
};

enum quirk_flags {
	QUIRK_PRIMECELL		= 1 << 0,	/* AMBA: needs arm,primecell + apb_pclk */
	QUIRK_NO_CLOCKS		= 1 << 1,	/* the driver does not use clocks */
};

/* What generic rules cannot know, per compatible string. */
static const struct quirk {
	const char *compatible;
	unsigned int flags;
} quirks[] = {
	/* PL061 GPIO, PL031 RTC: Linux's drivers are AMBA drivers. */
	{ "arm,pl061",			QUIRK_PRIMECELL },
	{ "arm,pl031",			QUIRK_PRIMECELL },
	/* gpio-rcar uses runtime PM, never the CPG clock, whose rate no DT gives. */
	{ "renesas,rcar-gen3-gpio",	QUIRK_NO_CLOCKS },
	{ "renesas,rcar-gen2-gpio",	QUIRK_NO_CLOCKS },
};

struct prop {
	char data[PROP_MAX];
	int len;
};

static int read_prop(const char *dir, const char *name, struct prop *p)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	p->len = read(fd, p->data, sizeof(p->data));
	if (p->len < 0)
		p->len = -errno;
	else if (p->len == sizeof(p->data))
		p->len = -E2BIG;
	close(fd);
	return p->len < 0 ? p->len : 0;
}

static uint32_t be32_at(const struct prop *p, unsigned int i)
{
	fdt32_t v;

	memcpy(&v, p->data + 4 * i, 4);
	return fdt32_to_cpu(v);
}

/* Is @name in the NUL-separated string list @p? */
/*
 * The #address-cells or #size-cells (@name) that lays out the reg of the
 * node at @node_dir: its parent's, or the nearest ancestor's that has
 * one, as Linux's of_n_addr_cells() looks; @def (the DT specification's
 * default) if none does.
 */
static uint32_t cells_for(const char *node_dir, const char *name, uint32_t def)
{
	char dir[PATH_MAX], *slash;
	struct prop p;

	snprintf(dir, sizeof(dir), "%s", node_dir);
	while ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (!read_prop(dir, name, &p) && p.len == 4)
			return be32_at(&p, 0);
	}
	return def;
}

/* @n big-endian cells from @p's cell @at, as one number. */
static uint64_t cells_value(const struct prop *p, unsigned int at, uint32_t n)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		v = v << 32 | be32_at(p, at + i);
	return v;
}

int host_node_reg(const char *node_dir, unsigned int index, uint64_t *addr,
		  uint64_t *size)
{
	uint32_t ac = cells_for(node_dir, "#address-cells", 2);
	uint32_t sc = cells_for(node_dir, "#size-cells", 1);
	struct prop reg;
	int ret;

	if (ac < 1 || ac > 2 || sc > 2)
		return -EINVAL;
	ret = read_prop(node_dir, "reg", &reg);
	if (ret)
		return ret;
	if ((uint64_t)reg.len < (uint64_t)4 * (ac + sc) * (index + 1))
		return -ENOENT;
	*addr = cells_value(&reg, (ac + sc) * index, ac);
	*size = cells_value(&reg, (ac + sc) * index + ac, sc);
	return 0;
}

static bool has_string(const struct prop *p, const char *name)
{
	int off = 0;

	while (off < p->len) {
		if (!strcmp(p->data + off, name))
			return true;
		off += strnlen(p->data + off, p->len - off) + 1;
	}
	return false;
}

static unsigned int quirks_for(const struct prop *compat)
{
	unsigned int i, flags = 0;

	for (i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++)
		if (has_string(compat, quirks[i].compatible))
			flags |= quirks[i].flags;
	return flags;
}

/* Depth-first search of the host tree for the node with @phandle. */
static bool find_phandle(const char *dir, uint32_t phandle, char *out,
			 size_t size, int depth)
{
	struct dirent *de;
	struct prop p;
	bool found = false;
	DIR *d;

	if (read_prop(dir, "phandle", &p) == 0 && p.len == 4 &&
	    be32_at(&p, 0) == phandle) {
		snprintf(out, size, "%s", dir);
		return true;
	}
	if (depth > 16 || !(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		found = find_phandle(sub, phandle, out, size, depth + 1);
	}
	closedir(d);
	return found;
}

struct clocks {
	unsigned int n;
	uint32_t rate[MAX_CLOCKS];
	uint32_t phandle[MAX_CLOCKS];	/* guest fixed-clock phandles */
};

/*
 * The rate of each clock the host node consumes, where the host tree says
 * it: a fixed-clock's clock-frequency. Returns 0, -ENOENT if a rate is
 * unknown, or -errno.
 */
static int host_clock_rates(const struct host_node *hn, struct clocks *c,
			    const char **why)
{
	struct prop clocks, cells, freq;
	char provider[PATH_MAX];
	unsigned int i = 0, words;

	c->n = 0;
	if (read_prop(hn->node_dir, "clocks", &clocks))
		return 0;
	words = clocks.len / 4;
	while (i < words) {
		uint32_t ph = be32_at(&clocks, i), nr_cells;

		if (c->n == MAX_CLOCKS) {
			*why = "too many clocks";
			return -E2BIG;
		}
		if (!find_phandle(hn->tree_root, ph, provider, sizeof(provider), 0) ||
		    read_prop(provider, "#clock-cells", &cells) || cells.len != 4) {
			*why = "its clock provider is not in the host tree";
			return -ENOENT;
		}
		if (read_prop(provider, "clock-frequency", &freq) || freq.len != 4) {
			*why = "its clock's rate is not in the host tree";
			return -ENOENT;
		}
		/* Linux's own limit on specifier cells (MAX_PHANDLE_ARGS). */
		nr_cells = be32_at(&cells, 0);
		if (nr_cells > 16) {
			*why = "its clock provider's #clock-cells is out of range";
			return -EINVAL;
		}
		c->rate[c->n++] = be32_at(&freq, 0);
		i += 1 + nr_cells;
	}
	return 0;
}

static int add_fixed_clocks(struct dt *dt, const char *base, struct clocks *c)
{
	char name[128];
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < c->n; i++) {
		c->phandle[i] = dt_alloc_phandle(dt);
		snprintf(name, sizeof(name), "clk-%s-%u", base, i);
		err = fdt_begin_node(dt->fdt, name);
		if (!err)
			err = fdt_property_string(dt->fdt, "compatible", "fixed-clock");
		if (!err)
			err = fdt_property_u32(dt->fdt, "#clock-cells", 0);
		if (!err)
			err = fdt_property_u32(dt->fdt, "clock-frequency", c->rate[i]);
		if (!err)
			err = fdt_property_u32(dt->fdt, "phandle", c->phandle[i]);
		if (!err)
			err = fdt_end_node(dt->fdt);
	}
	return err;
}

/* The compatible list: the user's ';'-separated one, or the host's. */
static void guest_compatible(const struct host_node *hn, const struct prop *host,
			     struct prop *out)
{
	char *p;

	if (!hn->compatible) {
		*out = *host;
		return;
	}
	out->len = snprintf(out->data, sizeof(out->data), "%s", hn->compatible) + 1;
	for (p = out->data; *p; p++)
		if (*p == ';')
			*p = '\0';
}

static int add_compatible(struct dt *dt, struct prop *compat, unsigned int quirks)
{
	static const char primecell[] = "arm,primecell";

	if ((quirks & QUIRK_PRIMECELL) && !has_string(compat, primecell) &&
	    compat->len + (int)sizeof(primecell) <= PROP_MAX) {
		memcpy(compat->data + compat->len, primecell, sizeof(primecell));
		compat->len += sizeof(primecell);
	}
	return fdt_property(dt->fdt, "compatible", compat->data, compat->len);
}

static int add_reg_irqs(struct dt *dt, const struct host_node *hn)
{
	fdt32_t cells[4 * HOST_NODE_MAX_REGS];
	struct prop host_irqs;
	bool gic_cells;
	unsigned int i;
	int err;

	for (i = 0; i < hn->nr_regs; i++) {
		cells[4 * i] = cpu_to_fdt32(hn->reg[i][0] >> 32);
		cells[4 * i + 1] = cpu_to_fdt32((uint32_t)hn->reg[i][0]);
		cells[4 * i + 2] = cpu_to_fdt32(hn->reg[i][1] >> 32);
		cells[4 * i + 3] = cpu_to_fdt32((uint32_t)hn->reg[i][1]);
	}
	err = fdt_property(dt->fdt, "reg", cells, 16 * hn->nr_regs);
	if (err || !hn->nr_irqs)
		return err;

	/* The trigger type from the host's own GIC specifiers, when it has them. */
	gic_cells = !read_prop(hn->node_dir, "interrupts", &host_irqs) &&
		    host_irqs.len == (int)(12 * hn->nr_irqs);
	for (i = 0; i < hn->nr_irqs; i++) {
		uint32_t flags = hn->irq_flags[i];

		if (gic_cells)
			flags = be32_at(&host_irqs, 3 * i + 2) & 0xf;
		/* A GIC SPI is level-high or rising-edge; inverters sit outside. */
		flags = (flags & 0xc) ? DT_IRQ_LEVEL_HIGH : DT_IRQ_EDGE_RISING;
		cells[3 * i] = cpu_to_fdt32(0);		/* GIC_SPI */
		cells[3 * i + 1] = cpu_to_fdt32(hn->spi[i]);
		cells[3 * i + 2] = cpu_to_fdt32(flags);
	}
	return fdt_property(dt->fdt, "interrupts", cells, 12 * hn->nr_irqs);
}

static bool is_dropped(const char *name)
{
	unsigned int i;

	if (!strncmp(name, "pinctrl-", 8))
		return true;
	for (i = 0; i < sizeof(dropped_props) / sizeof(dropped_props[0]); i++)
		if (!strcmp(name, dropped_props[i]))
			return true;
	return false;
}

/* Copy the device's own properties; subnodes describe host wiring. */
static int copy_own_props(struct dt *dt, const char *dir)
{
	struct dirent *de;
	struct prop p;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -FDT_ERR_NOTFOUND;
	while (!err && (de = readdir(d))) {
		if (de->d_type != DT_REG || is_dropped(de->d_name))
			continue;
		if (read_prop(dir, de->d_name, &p))
			continue;
		err = fdt_property(dt->fdt, de->d_name, p.data, p.len);
	}
	closedir(d);
	return err;
}

static int add_clock_refs(struct dt *dt, const struct host_node *hn,
			  const struct clocks *c, unsigned int quirks)
{
	fdt32_t refs[MAX_CLOCKS];
	struct prop names;
	unsigned int i;
	int err;

	if (!c->n)
		return 0;
	for (i = 0; i < c->n; i++)
		refs[i] = cpu_to_fdt32(c->phandle[i]);
	err = fdt_property(dt->fdt, "clocks", refs, 4 * c->n);
	if (err)
		return err;
	if (!read_prop(hn->node_dir, "clock-names", &names))
		return fdt_property(dt->fdt, "clock-names", names.data, names.len);
	if (quirks & QUIRK_PRIMECELL)
		return fdt_property_string(dt->fdt, "clock-names", "apb_pclk");
	return 0;
}

int dt_add_host_node(struct dt *dt, const struct host_node *hn)
{
	char dir_copy[PATH_MAX], base[64], name[96];
	struct prop host_compat, compat;
	const char *why = NULL;
	struct clocks clocks;
	unsigned int quirks;
	int err;

	snprintf(dir_copy, sizeof(dir_copy), "%s", hn->node_dir);
	snprintf(base, sizeof(base), "%s", basename(dir_copy));
	base[strcspn(base, "@")] = '\0';

	if (read_prop(hn->node_dir, "compatible", &host_compat)) {
		if (!hn->compatible) {
			pr_err("passthrough: host node %s has no compatible; give one with ,compatible=",
			       hn->node_dir);
			return -ENOENT;
		}
		host_compat.len = 0;
	}
	guest_compatible(hn, &host_compat, &compat);
	quirks = quirks_for(&compat);

	err = (quirks & QUIRK_NO_CLOCKS) ? 0 : host_clock_rates(hn, &clocks, &why);
	if (quirks & QUIRK_NO_CLOCKS)
		clocks.n = 0;
	if (err) {
		pr_warn("passthrough: %s: no clock for the guest node (%s); its driver must do without",
			hn->node_dir, why);
		clocks.n = 0;
	}

	err = add_fixed_clocks(dt, base, &clocks);
	snprintf(name, sizeof(name), "%s@%llx", base,
		 (unsigned long long)(hn->nr_regs ? hn->reg[0][0] : 0));
	if (!err)
		err = fdt_begin_node(dt->fdt, name);
	if (!err)
		err = add_compatible(dt, &compat, quirks);
	if (!err)
		err = add_reg_irqs(dt, hn);
	if (!err)
		err = add_clock_refs(dt, hn, &clocks, quirks);
	if (!err)
		err = copy_own_props(dt, hn->node_dir);
	if (!err)
		err = fdt_end_node(dt->fdt);
	if (err) {
		pr_err("passthrough: guest node for %s: %s", hn->node_dir,
		       err == -FDT_ERR_NOSPACE ? "device tree full" : fdt_strerror(err));
		return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	}
	return 0;
}
