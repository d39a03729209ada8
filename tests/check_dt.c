// SPDX-License-Identifier: GPL-2.0
/*
 * Device tree builder: the blob is read back with libfdt and checked node
 * by node, property by property.
 */
#include "tests/check.h"

#include <errno.h>

#include <stdint.h>
#include <string.h>
#include <libfdt.h>

#include "fdt/dt.h"

static uint8_t blob[64 * 1024];

static void desc_init(struct dt_desc *d, int gic, unsigned int cpus)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->nr_cpus = cpus;
	for (i = 0; i < cpus; i++)
		d->mpidr[i] = i;
	d->mem_base = 0x40000000;
	d->mem_size = 256ull << 20;
	d->bootargs = "console=hvc0 panic=-1";
	d->initrd_start = 0x4f000000;
	d->initrd_size = 0x123000;
	d->gic.version = gic;
	d->gic.dist_base = 0x08000000;
	d->gic.dist_size = 0x10000;
	d->gic.cpu_base = gic == 3 ? 0x080a0000 : 0x08010000;
	d->gic.cpu_size = gic == 3 ? 0x20000ull * cpus : 0x2000;
}

static void build(const struct dt_desc *d)
{
	struct dt dt;

	ck_assert_int_eq(dt_begin(&dt, blob, sizeof(blob), d), 0);
	ck_assert_int_eq(dt_add_mmio_device(&dt, "virtio", "virtio,mmio",
					    0x0a000000, 0x200, 16,
					    DT_IRQ_EDGE_RISING), 0);
	ck_assert_int_eq(dt_add_mmio_device(&dt, "pvpanic", "qemu,pvpanic-mmio",
					    0x0a001000, 2, -1, 0), 0);
	ck_assert_int_eq(dt_finish(&dt), 0);
	ck_assert_int_eq(fdt_check_header(blob), 0);
	ck_assert_uint_eq(dt_size(&dt), fdt_totalsize(blob));
}

static const void *prop(const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(blob, path);
	const void *p;

	ck_assert_msg(node >= 0, "no node %s", path);
	p = fdt_getprop(blob, node, name, len);
	ck_assert_msg(p != NULL, "no %s in %s", name, path);
	return p;
}

static uint32_t cell(const char *path, const char *name, int i)
{
	int len;
	const fdt32_t *c = prop(path, name, &len);

	ck_assert_int_gt(len, (int)(i * sizeof(*c)));
	return fdt32_to_cpu(c[i]);
}

static uint64_t reg_cell64(const char *path, int i)
{
	return ((uint64_t)cell(path, "reg", 2 * i) << 32) | cell(path, "reg", 2 * i + 1);
}

START_TEST(test_root_and_memory)
{
	struct dt_desc d;

	desc_init(&d, 3, 1);
	build(&d);
	ck_assert_uint_eq(cell("/", "#address-cells", 0), 2);
	ck_assert_uint_eq(cell("/", "#size-cells", 0), 2);
	ck_assert_str_eq(prop("/memory@40000000", "device_type", NULL), "memory");
	ck_assert_uint_eq(reg_cell64("/memory@40000000", 0), 0x40000000);
	ck_assert_uint_eq(reg_cell64("/memory@40000000", 1), 256ull << 20);
}
END_TEST

/* A 64-bit property; blobs only promise 4-byte alignment. */
static uint64_t prop64(const char *path, const char *name)
{
	const void *p;
	fdt64_t v;
	int len;

	p = prop(path, name, &len);
	ck_assert_int_eq(len, 8);
	memcpy(&v, p, sizeof(v));
	return fdt64_to_cpu(v);
}

START_TEST(test_chosen)
{
	struct dt_desc d;

	desc_init(&d, 3, 1);
	build(&d);
	ck_assert_str_eq(prop("/chosen", "bootargs", NULL), "console=hvc0 panic=-1");
	ck_assert_uint_eq(prop64("/chosen", "linux,initrd-start"), 0x4f000000);
	ck_assert_uint_eq(prop64("/chosen", "linux,initrd-end"), 0x4f123000);

	d.initrd_size = 0;
	build(&d);
	ck_assert_ptr_null(fdt_getprop(blob, fdt_path_offset(blob, "/chosen"),
				       "linux,initrd-start", NULL));
}
END_TEST

START_TEST(test_cpus)
{
	struct dt_desc d;

	desc_init(&d, 3, 4);
	d.mpidr[3] = 0x100;	/* Aff1 = 1 */
	build(&d);
	ck_assert_uint_eq(cell("/cpus", "#address-cells", 0), 2);
	ck_assert_str_eq(prop("/cpus/cpu@0", "enable-method", NULL), "psci");
	ck_assert_str_eq(prop("/cpus/cpu@2", "device_type", NULL), "cpu");
	ck_assert_uint_eq(cell("/cpus/cpu@100", "reg", 1), 0x100);
	ck_assert_int_lt(fdt_path_offset(blob, "/cpus/cpu@3"), 0);
	ck_assert_str_eq(prop("/psci", "method", NULL), "hvc");
}
END_TEST

START_TEST(test_gicv3)
{
	struct dt_desc d;
	uint32_t phandle;

	desc_init(&d, 3, 2);
	build(&d);
	ck_assert_str_eq(prop("/intc@8000000", "compatible", NULL), "arm,gic-v3");
	ck_assert_uint_eq(reg_cell64("/intc@8000000", 2), 0x080a0000);
	ck_assert_uint_eq(reg_cell64("/intc@8000000", 3), 2 * 0x20000);
	ck_assert_uint_eq(cell("/intc@8000000", "#interrupt-cells", 0), 3);
	phandle = cell("/intc@8000000", "phandle", 0);
	ck_assert_uint_eq(cell("/", "interrupt-parent", 0), phandle);
	/* Timer PPIs carry no CPU mask on GICv3. */
	ck_assert_uint_eq(cell("/timer", "interrupts", 1), 13);
	ck_assert_uint_eq(cell("/timer", "interrupts", 2), DT_IRQ_LEVEL_HIGH);
}
END_TEST

START_TEST(test_gicv2)
{
	struct dt_desc d;

	desc_init(&d, 2, 2);
	build(&d);
	ck_assert_str_eq(prop("/intc@8000000", "compatible", NULL), "arm,cortex-a15-gic");
	ck_assert_uint_eq(reg_cell64("/intc@8000000", 2), 0x08010000);
	/* GICv2 PPI specifiers name the CPUs they go to: two here. */
	ck_assert_uint_eq(cell("/timer", "interrupts", 2), 0x300 | DT_IRQ_LEVEL_HIGH);
}
END_TEST

START_TEST(test_devices)
{
	struct dt_desc d;

	desc_init(&d, 3, 1);
	build(&d);
	ck_assert_str_eq(prop("/virtio@a000000", "compatible", NULL), "virtio,mmio");
	ck_assert_uint_eq(reg_cell64("/virtio@a000000", 1), 0x200);
	ck_assert_uint_eq(cell("/virtio@a000000", "interrupts", 0), 0);	/* SPI */
	ck_assert_uint_eq(cell("/virtio@a000000", "interrupts", 1), 16);
	ck_assert_uint_eq(cell("/virtio@a000000", "interrupts", 2), DT_IRQ_EDGE_RISING);
	ck_assert_ptr_null(fdt_getprop(blob, fdt_path_offset(blob, "/pvpanic@a001000"),
				       "interrupts", NULL));
}
END_TEST

START_TEST(test_bad_descriptions)
{
	struct dt_desc d;
	struct dt dt;

	desc_init(&d, 4, 1);
	ck_assert_int_eq(dt_begin(&dt, blob, sizeof(blob), &d), -EINVAL);
	desc_init(&d, 2, 9);	/* GICv2 serves 8 CPUs at most */
	ck_assert_int_eq(dt_begin(&dt, blob, sizeof(blob), &d), -EINVAL);
	desc_init(&d, 3, 0);
	ck_assert_int_eq(dt_begin(&dt, blob, sizeof(blob), &d), -EINVAL);
}
END_TEST

START_TEST(test_buffer_too_small)
{
	struct dt_desc d;
	struct dt dt;
	int ret;

	desc_init(&d, 3, 8);
	ret = dt_begin(&dt, blob, 256, &d);
	if (!ret)
		ret = dt_finish(&dt);
	ck_assert_int_eq(ret, -ENOSPC);
}
END_TEST

Suite *dt_suite(void)
{
	Suite *s = suite_create("dt");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_root_and_memory);
	tcase_add_test(tc, test_chosen);
	tcase_add_test(tc, test_cpus);
	tcase_add_test(tc, test_gicv3);
	tcase_add_test(tc, test_gicv2);
	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_bad_descriptions);
	tcase_add_test(tc, test_buffer_too_small);
	suite_add_tcase(s, tc);
	return s;
}
