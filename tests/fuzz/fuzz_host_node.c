// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the guest node generator for passed-through devices. The
 * input becomes a host device node (and a clock provider it may point
 * at) in the /proc/device-tree layout in a scratch folder: a sequence of
 * records, each a property name (from a list of the interesting ones, or
 * free text) and its raw value.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdt/dt.h"
#include "fdt/host-node.h"
#include "tests/fuzz/fuzz.h"


static const char *const names[] = {
	"compatible", "reg", "interrupts", "clocks", "clock-names",
	"phandle", "#clock-cells", "clock-frequency", "gpio-controller",
	"#gpio-cells", "pinctrl-0", "status", "interrupt-parent",
};

static char root[64], dev[96], clk[96];
static uint8_t blob[64 * 1024];

static void clear_dir(const char *dir);

static void remove_scratch(void)
{
	clear_dir(dev);
	clear_dir(clk);
	rmdir(dev);
	rmdir(clk);
	rmdir(root);
}


/* Remove every file of @dir (the fuzzer wrote only plain files). */
static void clear_dir(const char *dir)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/x", dir);
	unlink(path);
}

/*
 * The scratch tree, made on the first input (common.c has the set-up
 * hook). Every input rewrites it, so it goes on tmpfs where there is one:
 * on a disk file system the creating and unlinking is most of the time.
 */
static void make_scratch(void)
{
	struct stat st;
	const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ?
			   "/dev/shm" : "/tmp";

	snprintf(root, sizeof(root), "%s/lkvm-fuzz-dt-%d", base, (int)getpid());
	snprintf(dev, sizeof(dev), "%s/gpio@e6055400", root);
	snprintf(clk, sizeof(clk), "%s/clk", root);
	if (mkdir(root, 0700) || mkdir(dev, 0700) || mkdir(clk, 0700))
		abort();
	atexit(remove_scratch);
}

static void put(const char *dir, const char *name, const uint8_t *val, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	if (len && write(fd, val, len) != (ssize_t)len)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_desc d = {
		.nr_cpus = 1, .mem_base = 0x40000000, .mem_size = 1 << 28,
		.gic = { .version = 3, .dist_base = 0x08000000, .dist_size = 0x10000,
			 .cpu_base = 0x080a0000, .cpu_size = 0x20000 },
	};
	struct host_node hn = {
		.node_dir = dev, .tree_root = root,
		.nr_regs = 1, .reg = { { 0x10000400, 0x50 } },
		.nr_irqs = 1, .spi = { 17 }, .irq_flags = { 4 },
	};
	size_t i = 0;
	struct dt dt;

	if (!root[0])
		make_scratch();
	clear_dir(dev);
	clear_dir(clk);
	while (i + 2 <= size) {
		uint8_t sel = data[i], len = data[i + 1];
		const char *dir = sel & 0x80 ? clk : dev;
		const char *name = sel & 0x40 ? "x" : names[(sel & 0x3f) % 13];

		i += 2;
		if (len > size - i)
			len = size - i;
		put(dir, name, data + i, len);
		i += len;
	}
	hn.nr_irqs = size & 1;
	if (dt_begin(&dt, blob, sizeof(blob), &d) == 0 &&
	    dt_add_host_node(&dt, &hn) == 0)
		dt_finish(&dt);
	return 0;
}
