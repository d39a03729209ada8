// SPDX-License-Identifier: GPL-2.0
/*
 * Loading the guest's boot files and writing its device tree.
 */
#include "vmm/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arm64/gic.h"
#include "fdt/dt.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* Open @path for reading and give its size; one message on failure. */
static int open_input(const char *opt, const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		pr_err("%s %s: %s", opt, path, strerror(err));
		return -err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		pr_err("%s %s: not a regular file", opt, path);
		close(fd);
		return -EINVAL;
	}
	*size = st.st_size;
	return fd;
}

static int read_all(const char *opt, const char *path, int fd, void *dst,
		    uint64_t len)
{
	uint8_t *p = dst;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, p - (uint8_t *)dst);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_err("%s %s: %s", opt, path,
			       n < 0 ? strerror(errno) : "file shrank while being read");
			return n < 0 ? -errno : -EIO;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int load_into_ram(struct vm *vm, const char *opt, const char *path,
			 int fd, uint64_t gpa, uint64_t len)
{
	void *dst = gmem_ptr(&vm->ram, gpa, len);

	if (!dst) {
		pr_err("%s %s does not fit guest RAM; raise --mem", opt, path);
		return -ENOMEM;
	}
	return read_all(opt, path, fd, dst, len);
}

static int build_cmdline(struct boot *boot, const char *params)
{
	int n = snprintf(boot->cmdline, sizeof(boot->cmdline), "%s%s%s",
			 BOOT_DEFAULT_CMDLINE, params ? " " : "",
			 params ? params : "");

	if (n >= (int)sizeof(boot->cmdline)) {
		pr_err("--params: the kernel command line would be %d bytes; keep it under %zu",
		       n, sizeof(boot->cmdline));
		return -E2BIG;
	}
	return 0;
}

int boot_load(struct vm *vm, struct boot *boot)
{
	const struct vm_config *cfg = vm->cfg;
	uint8_t header[ARM64_IMAGE_PROBE_SIZE];
	uint64_t kernel_size, got;
	struct image_info info;
	int kfd, ifd = -1, ret;
	ssize_t n;

	memset(boot, 0, sizeof(*boot));
	ret = build_cmdline(boot, cfg->params);
	if (ret)
		return ret;

	kfd = open_input("--kernel", cfg->kernel, &kernel_size);
	if (kfd < 0)
		return kfd;
	n = pread(kfd, header, sizeof(header), 0);
	got = n > 0 ? n : 0;
	ret = image_parse(cfg->kernel, header, got, kernel_size, &info);
	if (ret)
		goto out;

	if (cfg->initrd) {
		ifd = open_input("--initrd", cfg->initrd, &boot->initrd_size);
		if (ifd < 0) {
			ret = ifd;
			goto out;
		}
	}
	ret = image_place(&info, boot->initrd_size, vm->ram.gpa, vm->ram.size,
			  &boot->at);
	if (ret)
		goto out;
	ret = load_into_ram(vm, "--kernel", cfg->kernel, kfd, boot->at.kernel,
			    kernel_size);
	if (!ret && ifd >= 0)
		ret = load_into_ram(vm, "--initrd", cfg->initrd, ifd,
				    boot->at.initrd, boot->initrd_size);
	pr_debug("kernel at 0x%llx, initrd at 0x%llx (%llu bytes), dtb at 0x%llx",
		 (unsigned long long)boot->at.kernel,
		 (unsigned long long)boot->at.initrd,
		 (unsigned long long)boot->initrd_size,
		 (unsigned long long)boot->at.dtb);
out:
	if (ifd >= 0)
		close(ifd);
	close(kfd);
	return ret;
}

static void describe(struct vm *vm, struct boot *boot, struct dt_desc *d)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->nr_cpus = vm->nr_vcpus;
	for (i = 0; i < vm->nr_vcpus; i++)
		d->mpidr[i] = vm->vcpus[i].mpidr;
	d->mem_base = vm->ram.gpa;
	d->mem_size = vm->ram.size;
	d->bootargs = boot->cmdline;
	d->initrd_start = boot->at.initrd;
	d->initrd_size = boot->initrd_size;
	gic_describe(vm, &d->gic);
}

static int dump_dtb(const char *path, const void *blob, size_t size)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f) {
		ret = -errno;
		pr_err("--dump-dtb %s: %s", path, strerror(errno));
		return ret;
	}
	if (fwrite(blob, 1, size, f) != size)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		pr_err("--dump-dtb %s: write failed: %s", path, strerror(-ret));
	return ret;
}

/*
 * What the tree is first built in: libfdt clears the whole buffer it is
 * given, and clearing the 2 MiB the guest's map keeps for the tree cost
 * more page faults than everything else in the step (tens of ms on a
 * slow host). Trees are a few KiB; a larger one is built again in the
 * whole space.
 */
#define DTB_FIRST_TRY_SIZE	(64u << 10)

static int build_dtb(struct vm *vm, const struct dt_desc *desc, void *blob,
		     size_t size, struct dt *dt)
{
	unsigned int i;
	int ret;

	ret = dt_begin(dt, blob, size, desc);
	for (i = 0; !ret && i < vm->nr_devices; i++) {
		struct device *dev = &vm->devices[i];

		if (dev->ops->fdt)
			ret = dev->ops->fdt(vm, dev, dt);
	}
	return ret ? ret : dt_finish(dt);
}

int boot_write_dtb(struct vm *vm, struct boot *boot)
{
	void *blob = gmem_ptr(&vm->ram, boot->at.dtb, ARM64_DTB_MAX_SIZE);
	struct dt_desc desc;
	struct dt dt;
	int ret;

	if (!blob)
		return -ENOMEM;
	describe(vm, boot, &desc);
	ret = build_dtb(vm, &desc, blob, DTB_FIRST_TRY_SIZE, &dt);
	if (ret == -ENOSPC)
		ret = build_dtb(vm, &desc, blob, ARM64_DTB_MAX_SIZE, &dt);
	if (ret) {
		pr_err("device tree: %s", strerror(-ret));
		return ret;
	}
	if (vm->cfg->dump_dtb)
		return dump_dtb(vm->cfg->dump_dtb, blob, dt_size(&dt));
	return 0;
}
