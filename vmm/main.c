// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm-rcar: a small KVM VMM for arm64, built for passing platform devices
 * through to a guest. main() is the boot sequence, one step per line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/gic.h"
#include "arch/arm64/regs.h"
#include "devices/backend/gpio-cdev.h"
#include "devices/pvpanic.h"
#include "devices/vfio/bind.h"
#include "devices/vfio/platform.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/gpio.h"
#include "devices/virtio/rng.h"
#include "vmm/boot.h"
#include "vmm/config.h"
#include "vmm/log.h"
#include "vmm/record.h"
#include "vmm/run.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#ifndef LKVM_VERSION
#define LKVM_VERSION "unknown"
#endif

static int add_passthrough_devices(struct vm *vm, const struct vm_config *cfg)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < cfg->nr_passthrough; i++)
		ret = vm_add_device(vm, &vfio_platform_ops, &cfg->passthrough[i]);
	return ret;
}

static int add_disks(struct vm *vm, const struct vm_config *cfg)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < cfg->nr_disks; i++)
		ret = vm_add_device(vm, &virtio_blk_ops, &cfg->disks[i]);
	return ret;
}

static int add_gpio_devices(struct vm *vm, const struct vm_config *cfg)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < cfg->nr_gpio; i++)
		ret = vm_add_device(vm, &virtio_gpio_ops, &cfg->gpio[i]);
	return ret;
}

/*
 * Keep the records' folder open (vmm/record.h): the loop removes the
 * records at exit through it, the only unlink its sandbox allows.
 */
static int hold_records(void)
{
	int fd = record_dir_open(RECORD_DIR);

	if (fd == -ENOENT)
		return 0;	/* no record of ours to remove */
	if (fd < 0) {
		pr_err("%s: %s; the records of what to give back at exit are there",
		       RECORD_DIR, strerror(-fd));
		return fd;
	}
	sandbox_allow_fd(fd, SANDBOX_FD_UNLINK, SANDBOX_ROLE(SANDBOX_LOOP));
	return 0;
}

/*
 * lkvm-rcar release DEV: give back what a killed VMM left behind, the
 * device bound to VFIO and the GPIO lines of the controller DEV lent
 * with --gpio.
 */
static int release_device(const char *dev)
{
	struct vfio_binding b;
	int lines = gpio_cdev_release(dev);

	if (vfio_bind_find(&b, "/sys", VFIO_BIND_STATE_DIR, dev)) {
		if (lines)	/* a controller named by its label */
			return lines < 0 ? VM_EXIT_ERROR : 0;
		pr_err("release %s: no such device on the platform or AMBA bus (see /sys/bus/platform/devices)",
		       dev);
		return VM_EXIT_ERROR;
	}
	/* Lines put back, and no binding recorded: nothing more to say. */
	if (lines > 0 && access(b.state, F_OK))
		return 0;
	return vfio_bind_release(&b) || lines < 0 ? VM_EXIT_ERROR : 0;
}

/* A step of the boot sequence: @ret is its result; --stats times it. */
static int step(struct vm *vm, const char *name, int ret)
{
	stats_step(vm, name);
	return ret;
}

int main(int argc, char **argv)
{
	struct console_cfg console = {
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.escape = isatty(STDIN_FILENO),
	};
	struct vm_config cfg;
	struct boot boot;
	struct vm vm;
	int ret, status;

	vm_init(&vm, &cfg);
	stats_start(&vm);
	if (config_parse(&cfg, argc, argv))
		return VM_EXIT_USAGE;
	if (cfg.action == CONFIG_HELP) {
		config_usage();
		return 0;
	}
	if (cfg.action == CONFIG_VERSION) {
		printf("lkvm-rcar %s\n", LKVM_VERSION);
		return 0;
	}
	log_set_level(cfg.debug ? LOG_DEBUG : LOG_NORMAL);
	if (cfg.action == CONFIG_RELEASE)
		return release_device(cfg.release_dev);
	if (cfg.stats && stats_open(&vm, cfg.stats_path))
		return VM_EXIT_USAGE;

	ret = run_block_signals();
	if (!ret)
		ret = step(&vm, "kvm", vm_create(&vm));
	if (!ret)
		ret = step(&vm, "ram", vm_setup_ram(&vm, cfg.mem_mib << 20));
	if (!ret)
		ret = step(&vm, "load", boot_load(&vm, &boot));
	if (!ret)
		ret = step(&vm, "gic", gic_create(&vm, cfg.irqchip, cfg.cpus));
	if (!ret)
		ret = step(&vm, "vcpus", vcpus_create(&vm));
	if (!ret)
		ret = step(&vm, "gic_init", gic_finalize(&vm));
	if (!ret)
		ret = step(&vm, "console", vm_add_device(&vm, &console_ops, &console));
	if (!ret)
		ret = step(&vm, "pvpanic", vm_add_device(&vm, &pvpanic_ops, NULL));
	if (!ret)
		ret = step(&vm, "disks", add_disks(&vm, &cfg));
	if (!ret && cfg.rng)
		ret = step(&vm, "rng", vm_add_device(&vm, &virtio_rng_ops, NULL));
	if (!ret)
		ret = step(&vm, "passthrough", add_passthrough_devices(&vm, &cfg));
	if (!ret)
		ret = step(&vm, "gpio", add_gpio_devices(&vm, &cfg));
	if (!ret)
		ret = step(&vm, "records", hold_records());
	if (!ret)
		ret = step(&vm, "dtb", boot_write_dtb(&vm, &boot));
	if (!ret)
		ret = step(&vm, "boot_regs",
			   arm64_vcpu_boot_regs(&vm.vcpus[0], boot.at.kernel, boot.at.dtb));
	/* Every fd the threads may use is open: the filters can pin them. */
	if (!ret && cfg.sandbox)
		ret = step(&vm, "sandbox", sandbox_prepare());

	status = ret ? VM_EXIT_ERROR : vm_run(&vm);
	stats_end(&vm);
	stats_collect(&vm, status);

	/* Each failing step has said what went wrong, in one line. */
	vcpus_destroy(&vm);
	stats_step(&vm, "vcpus");
	vm_destroy(&vm);
	stats_step(&vm, "vm");
	record_dir_close();
	if (stats_write(&vm) && !status)
		status = VM_EXIT_ERROR;
	return status;
}
