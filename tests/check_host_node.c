// SPDX-License-Identifier: GPL-2.0
/*
 * Guest nodes for passed-through devices, generated from real host trees:
 * the R-Car H3 Salvator-X DTS from linux-source and the emulated board's
 * tree as QEMU makes it (tests/rig/dt-fixtures.sh builds both). Each blob
 * is first expanded into a directory tree in the /proc/device-tree layout,
 * which is what the generator reads on a host.
 */
#include "tests/check.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libfdt.h>

#include "fdt/dt.h"
#include "fdt/host-node.h"

static uint8_t host_blob[1 << 20];
static uint8_t guest_blob[64 * 1024];
static char tree[256];

static void load_fixture(const char *name)
{
	const char *dir = getenv("LKVM_DT_FIXTURES");
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	ck_assert_msg(dir != NULL, "LKVM_DT_FIXTURES is not set; run 'make unit'");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "fixture %s: %s", path, strerror(errno));
	n = read(fd, host_blob, sizeof(host_blob));
	close(fd);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fdt_check_header(host_blob), 0);
}

/* Write node @off of the host blob, and all below it, under @dir. */
static void expand(int off, const char *dir)
{
	char path[PATH_MAX];
	int prop, child;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	fdt_for_each_property_offset(prop, host_blob, off) {
		const char *name;
		int len, fd;
		const void *val = fdt_getprop_by_offset(host_blob, prop, &name, &len);

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, val, len), len);
		close(fd);
	}
	fdt_for_each_subnode(child, host_blob, off) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 fdt_get_name(host_blob, child, NULL));
		expand(child, path);
	}
}

static void expand_fixture(const char *name)
{
	char tmpl[] = "/tmp/lkvm-dt-XXXXXX";

	load_fixture(name);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(tree, sizeof(tree), "%s/base", tmpl);
	expand(0, tree);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the expanded tree (its parent, the mkdtemp folder). */
static void remove_tree(void)
{
	char top[sizeof(tree)];

	if (!tree[0])
		return;
	snprintf(top, sizeof(top), "%s", tree);
	nftw(dirname(top), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	tree[0] = '\0';
}

/*
 * Expand @fixture, point @hn at its node @host_node (a path below the
 * tree's root) and build a guest tree with @hn's node; returns the
 * offset of @guest_path in it.
 */
static int generate(struct host_node *hn, const char *fixture,
		    const char *host_node, const char *guest_path)
{
	static char node_dir[PATH_MAX];
	struct dt_desc d = {
		.nr_cpus = 1, .mem_base = 0x40000000, .mem_size = 1 << 28,
		.gic = { .version = 3, .dist_base = 0x08000000, .dist_size = 0x10000,
			 .cpu_base = 0x080a0000, .cpu_size = 0x20000 },
	};
	struct dt dt;
	int off;

	expand_fixture(fixture);
	snprintf(node_dir, sizeof(node_dir), "%s/%s", tree, host_node);
	hn->node_dir = node_dir;
	hn->tree_root = tree;
	ck_assert_int_eq(dt_begin(&dt, guest_blob, sizeof(guest_blob), &d), 0);
	ck_assert_int_eq(dt_add_host_node(&dt, hn), 0);
	ck_assert_int_eq(dt_finish(&dt), 0);
	off = fdt_path_offset(guest_blob, guest_path);
	ck_assert_msg(off >= 0, "no %s in the guest tree", guest_path);
	return off;
}

static bool has(int node, const char *prop)
{
	return fdt_getprop(guest_blob, node, prop, NULL) != NULL;
}

static uint32_t cell(int node, const char *prop, int i)
{
	int len;
	const fdt32_t *c = fdt_getprop(guest_blob, node, prop, &len);

	ck_assert_msg(c && len >= 4 * (i + 1), "no cell %d in %s", i, prop);
	return fdt32_to_cpu(c[i]);
}

static void assert_compatible(int node, const char *want, int want_len)
{
	int len;
	const char *c = fdt_getprop(guest_blob, node, "compatible", &len);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(len, want_len);
	ck_assert_int_eq(memcmp(c, want, len), 0);
}

START_TEST(test_rcar_gpio6)
{
	static const char compat[] = "renesas,gpio-r8a7795\0renesas,rcar-gen3-gpio";
	struct host_node hn = {
		.nr_regs = 1, .reg = { { 0x10000400, 0x50 } },
		.nr_irqs = 1, .spi = { 17 }, .irq_flags = { DT_IRQ_EDGE_RISING },
	};
	int node;

	node = generate(&hn, "r8a77950-salvator-x.dtb", "soc/gpio@e6055400", "/gpio@10000400");

	/* The node of the R-Car instructions, with no guest patches needed. */
	assert_compatible(node, compat, sizeof(compat));
	ck_assert(has(node, "gpio-controller"));
	ck_assert_uint_eq(cell(node, "#gpio-cells", 0), 2);
	ck_assert(has(node, "interrupt-controller"));
	ck_assert_uint_eq(cell(node, "#interrupt-cells", 0), 2);
	/* reg: 0x50 bytes at the guest's address, which keeps the page offset. */
	ck_assert_uint_eq(cell(node, "reg", 1), 0x10000400);
	ck_assert_uint_eq(cell(node, "reg", 3), 0x50);
	/* interrupts: the guest SPI, level-high as the host DT says. */
	ck_assert_uint_eq(cell(node, "interrupts", 0), 0);
	ck_assert_uint_eq(cell(node, "interrupts", 1), 17);
	ck_assert_uint_eq(cell(node, "interrupts", 2), DT_IRQ_LEVEL_HIGH);
	/* Host-only wiring is gone; gpio-rcar needs no clock. */
	ck_assert(!has(node, "clocks"));
	ck_assert(!has(node, "power-domains"));
	ck_assert(!has(node, "resets"));
	ck_assert(!has(node, "gpio-ranges"));
	ck_assert(!has(node, "phandle"));
	ck_assert(!has(node, "pinctrl-0"));
}
END_TEST

START_TEST(test_pl061_amba)
{
	static const char compat[] = "arm,pl061\0arm,primecell";
	struct host_node hn = {
		.nr_regs = 1, .reg = { { 0x10000000, 0x1000 } },
		.nr_irqs = 1, .spi = { 18 }, .irq_flags = { DT_IRQ_LEVEL_HIGH },
	};
	int node, clk;

	node = generate(&hn, "virt.dtb", "pl061@9030000", "/pl061@10000000");

	assert_compatible(node, compat, sizeof(compat));
	ck_assert(has(node, "gpio-controller"));
	ck_assert_uint_eq(cell(node, "interrupts", 1), 18);
	ck_assert_uint_eq(cell(node, "interrupts", 2), DT_IRQ_LEVEL_HIGH);
	/* apb_pclk becomes a fixed-clock at the host clock's 24 MHz. */
	ck_assert_str_eq(fdt_getprop(guest_blob, node, "clock-names", NULL), "apb_pclk");
	clk = fdt_node_offset_by_phandle(guest_blob, cell(node, "clocks", 0));
	ck_assert_int_ge(clk, 0);
	ck_assert_str_eq(fdt_getprop(guest_blob, clk, "compatible", NULL), "fixed-clock");
	ck_assert_uint_eq(cell(clk, "clock-frequency", 0), 24000000);
	ck_assert_uint_eq(cell(clk, "#clock-cells", 0), 0);
}
END_TEST

START_TEST(test_pl061_platform_gets_primecell)
{
	static const char compat[] = "arm,pl061\0arm,primecell";
	struct host_node hn = {
		.nr_regs = 1, .reg = { { 0x10000000, 0x1000 } },
		.nr_irqs = 1, .spi = { 18 }, .irq_flags = { DT_IRQ_LEVEL_HIGH },
	};
	int node;

	/* The host sees it as a plain platform device; the guest's driver is AMBA. */
	node = generate(&hn, "virt-platform.dtb", "pl061@9030000", "/pl061@10000000");
	assert_compatible(node, compat, sizeof(compat));
	ck_assert(has(node, "clocks"));
}
END_TEST

/* Behind the host's IOMMU: the guest gets no "iommus" (it has none). */
START_TEST(test_behind_host_iommu)
{
	struct host_node hn = {
		.nr_regs = 1, .reg = { { 0x10000000, 0x1000 } },
		.nr_irqs = 1, .spi = { 18 }, .irq_flags = { DT_IRQ_LEVEL_HIGH },
	};
	int node;

	node = generate(&hn, "virt-smmu-platform.dtb", "pl061@9030000", "/pl061@10000000");
	ck_assert(!has(node, "iommus"));
	ck_assert(has(node, "gpio-controller"));
}
END_TEST

START_TEST(test_compatible_override)
{
	static const char compat[] = "vendor,a\0vendor,b";
	struct host_node hn = {
		.compatible = "vendor,a;vendor,b",
		.nr_regs = 1, .reg = { { 0x10000000, 0x1000 } },
	};
	int node;

	node = generate(&hn, "virt.dtb", "pl031@9010000", "/pl031@10000000");
	assert_compatible(node, compat, sizeof(compat));
	ck_assert(!has(node, "interrupts"));
}
END_TEST

/* Write property @name of @cells big-endian cells into @dir (made if new). */
static void put_cells(const char *dir, const char *name, const uint32_t *cells,
		      unsigned int n)
{
	char path[PATH_MAX];
	fdt32_t be[8];
	unsigned int i;
	int fd;

	mkdir(dir, 0755);
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, be, 4 * n), (ssize_t)(4 * n));
	close(fd);
}

/* A tree root/bus/dev in a new temporary folder; @bus and @dev set. */
static void small_tree(char *bus, char *dev, size_t size)
{
	char tmpl[] = "/tmp/lkvm-reg-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(tree, sizeof(tree), "%s/base", tmpl);
	ck_assert_int_eq(mkdir(tree, 0755), 0);
	snprintf(bus, size, "%s/bus", tree);
	snprintf(dev, size, "%s/bus/gpio", tree);
	mkdir(bus, 0755);
	mkdir(dev, 0755);
}

/*
 * reg read with the parent's cell counts: the R-Car GPIO's 0x400 offset
 * in its page comes out the same in every layout a host tree may use.
 */
START_TEST(test_reg_cells)
{
	static const struct {
		uint32_t ac, sc;	/* 0: the property is absent */
		uint32_t reg[8];
		unsigned int n;
	} layouts[] = {
		{ 2, 2, { 0, 0xe6055400, 0, 0x50 }, 4 },
		{ 1, 1, { 0xe6055400, 0x50 }, 2 },
		{ 2, 1, { 0, 0xe6055400, 0x50 }, 3 },
		{ 1, 2, { 0xe6055400, 0, 0x50 }, 3 },
		{ 0, 0, { 0, 0xe6055400, 0x50 }, 3 },	/* defaults: 2 and 1 */
	};
	char bus[PATH_MAX], dev[PATH_MAX], path[PATH_MAX + 32];
	uint64_t addr, size;
	unsigned int i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		small_tree(bus, dev, sizeof(bus));
		if (layouts[i].ac)
			put_cells(bus, "#address-cells", &layouts[i].ac, 1);
		if (layouts[i].sc)
			put_cells(bus, "#size-cells", &layouts[i].sc, 1);
		put_cells(dev, "reg", layouts[i].reg, layouts[i].n);
		ck_assert_int_eq(host_node_reg(dev, 0, &addr, &size), 0);
		ck_assert_msg(addr == 0xe6055400 && size == 0x50,
			      "layout %u: 0x%llx+0x%llx", i,
			      (unsigned long long)addr, (unsigned long long)size);
		ck_assert_int_eq(host_node_reg(dev, 1, &addr, &size), -ENOENT);
		remove_tree();
	}

	/* Cells from a grandparent when the parent has none; a second range. */
	small_tree(bus, dev, sizeof(bus));
	put_cells(tree, "#address-cells", (uint32_t[]){ 1 }, 1);
	put_cells(tree, "#size-cells", (uint32_t[]){ 1 }, 1);
	put_cells(dev, "reg", (uint32_t[]){ 0x1000, 0x10, 0xe6055400, 0x50 }, 4);
	ck_assert_int_eq(host_node_reg(dev, 1, &addr, &size), 0);
	ck_assert_uint_eq(addr, 0xe6055400);
	ck_assert_uint_eq(size, 0x50);

	/* Cell counts no reg can be read with. */
	put_cells(bus, "#address-cells", (uint32_t[]){ 3 }, 1);
	ck_assert_int_eq(host_node_reg(dev, 0, &addr, &size), -EINVAL);
	snprintf(path, sizeof(path), "%s/reg", dev);
	unlink(path);
	put_cells(bus, "#address-cells", (uint32_t[]){ 1 }, 1);
	ck_assert_int_eq(host_node_reg(dev, 0, &addr, &size), -ENOENT);
}
END_TEST

Suite *host_node_suite(void)
{
	Suite *s = suite_create("host-node");
	TCase *tc = tcase_create("generate");

	tcase_add_checked_fixture(tc, NULL, remove_tree);
	tcase_add_test(tc, test_rcar_gpio6);
	tcase_add_test(tc, test_pl061_amba);
	tcase_add_test(tc, test_pl061_platform_gets_primecell);
	tcase_add_test(tc, test_behind_host_iommu);
	tcase_add_test(tc, test_compatible_override);
	tcase_add_test(tc, test_reg_cells);
	suite_add_tcase(s, tc);
	return s;
}
