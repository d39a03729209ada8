/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Getting the guest ready to boot: kernel and initrd read into guest RAM
 * where image_place() says, and the device tree written last, once every
 * device is known.
 */
#ifndef LKVM_VMM_BOOT_H
#define LKVM_VMM_BOOT_H

#include <stdint.h>

#include "arch/arm64/image.h"

#define BOOT_DEFAULT_CMDLINE	"console=hvc0 panic=-1"

struct vm;

struct boot {
	struct boot_layout at;
	uint64_t initrd_size;
	char cmdline[4096];
};

/* Load --kernel and --initrd into RAM. Returns 0 or -errno (reported). */
int boot_load(struct vm *vm, struct boot *boot);
/* Build the device tree into RAM (and --dump-dtb). 0 or -errno. */
int boot_write_dtb(struct vm *vm, struct boot *boot);

#endif
