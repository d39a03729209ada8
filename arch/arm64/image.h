/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 Linux Image format and where its pieces go in guest RAM
 * (Documentation/arm64/booting.rst). Works on bytes already read; reading
 * files happens in the caller.
 */
#ifndef LKVM_ARCH_ARM64_IMAGE_H
#define LKVM_ARCH_ARM64_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_HEADER_SIZE	64
/* What image_parse() wants to see: the header and an EFI stub's PE table. */
#define ARM64_IMAGE_PROBE_SIZE	4096
#define ARM64_DTB_MAX_SIZE	(2ull << 20)

struct image_info {
	uint64_t text_offset;
	uint64_t image_size;	/* memory the kernel needs from its load address */
};

/*
 * Check that @buf (the first @len bytes of @name, up to
 * ARM64_IMAGE_PROBE_SIZE) is a whole arm64 Image of @file_size bytes and
 * fill @info. Returns 0 or -ENOEXEC after one line saying what the file
 * is instead, or that it is truncated.
 */
int image_parse(const char *name, const void *buf, size_t len,
		uint64_t file_size, struct image_info *info);

struct boot_layout {
	uint64_t kernel;	/* load address (2 MiB aligned base + text_offset) */
	uint64_t initrd;	/* 0 when there is none */
	uint64_t dtb;
};

/*
 * Place kernel, initrd and DTB in RAM [@ram_base, @ram_base + @ram_size):
 * the kernel at the start, then, page aligned, the initrd just past the
 * kernel's image_size and the DTB (with room for ARM64_DTB_MAX_SIZE)
 * just past the initrd. Returns 0, or -ENOMEM after one line saying how
 * much RAM the pieces need.
 */
int image_place(const struct image_info *info, uint64_t initrd_size,
		uint64_t ram_base, uint64_t ram_size, struct boot_layout *out);

#endif
