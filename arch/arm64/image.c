// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 Image header (Documentation/arm64/booting.rst, "Call the kernel
 * image"): code0/code1, text_offset, image_size, flags, three reserved
 * words, magic "ARM\x64" at byte 56.
 */
#include "arch/arm64/image.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vmm/log.h"

#define IMAGE_MAGIC		0x644d5241u
#define IMAGE_FLAG_BE		(1ull << 0)
#define SZ_2M			(2ull << 20)
#define SZ_4K			4096ull
/* Kernels before 3.17 leave image_size 0; booting.rst says assume this. */
#define LEGACY_TEXT_OFFSET	0x80000ull
/* Room for such a kernel's BSS beyond the file, a generous guess. */
#define LEGACY_BSS_SLACK	(16ull << 20)
/*
 * image_size counts the BSS, which the file does not hold. Real Images
 * carry 0.94-0.98 of it; a debug kernel with large static tables carries
 * less, but never less than half. A shorter file was cut off.
 */
#define MIN_FILE_SHARE_DIV	2
/* The EFI stub's PE/COFF header (Documentation/arm64/booting.rst). */
#define PE_OFFSET_FIELD		0x3c
#define PE_SECTION_SIZE		40

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

/*
 * An EFI-stub Image describes its own file in the PE/COFF section table:
 * the last section's raw data ends where the file ends. Returns that
 * length, or 0 when @p (the first @len bytes) has no such table.
 */
static uint64_t pe_file_length(const uint8_t *p, size_t len)
{
	uint64_t pe, sections, end = 0;
	unsigned int i, count;

	if (len < PE_OFFSET_FIELD + 4 || p[0] != 'M' || p[1] != 'Z')
		return 0;
	pe = le32(p + PE_OFFSET_FIELD);
	if (pe + 24 > len || memcmp(p + pe, "PE\0\0", 4))
		return 0;
	count = le16(p + pe + 6);
	sections = pe + 24 + le16(p + pe + 20);
	for (i = 0; i < count; i++) {
		const uint8_t *s = p + sections + (uint64_t)i * PE_SECTION_SIZE;
		uint64_t s_end;

		if (sections + (uint64_t)(i + 1) * PE_SECTION_SIZE > len)
			return 0;
		s_end = (uint64_t)le32(s + 20) + le32(s + 16);
		if (s_end > end)
			end = s_end;
	}
	return end;
}

/* A file shorter than its own header says was cut off (a failed copy). */
static int check_complete(const char *name, const uint8_t *p, size_t len,
			  uint64_t file_size, uint64_t image_size)
{
	uint64_t want = pe_file_length(p, len);

	if (want ? file_size < want : file_size < image_size / MIN_FILE_SHARE_DIV) {
		pr_err("kernel %s is truncated: %llu bytes, where its header says %s %llu; copy the Image again",
		       name, (unsigned long long)file_size,
		       want ? "the file is" : "the kernel spans",
		       (unsigned long long)(want ? want : image_size));
		return -ENOEXEC;
	}
	return 0;
}

static int not_an_image(const char *name, const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		pr_err("kernel %s is gzip-compressed; unpack it first (zcat %s > Image) and pass the Image",
		       name, name);
	else if (len >= 4 && !memcmp(p, "\177ELF", 4))
		pr_err("kernel %s is an ELF file (vmlinux?); pass arch/arm64/boot/Image instead",
		       name);
	else if (len < ARM64_IMAGE_HEADER_SIZE)
		pr_err("kernel %s is too short (%zu bytes) to be an arm64 Image; pass arch/arm64/boot/Image",
		       name, len);
	else
		pr_err("kernel %s is not an arm64 Linux Image (no ARM\\x64 magic); pass arch/arm64/boot/Image",
		       name);
	return -ENOEXEC;
}

int image_parse(const char *name, const void *buf, size_t len,
		uint64_t file_size, struct image_info *info)
{
	const uint8_t *p = buf;
	uint64_t flags;

	if (len < ARM64_IMAGE_HEADER_SIZE || le32(p + 56) != IMAGE_MAGIC)
		return not_an_image(name, p, len);

	info->text_offset = le64(p + 8);
	info->image_size = le64(p + 16);
	flags = le64(p + 24);

	if (!info->image_size) {
		/* Nothing to check the file against: the size is a guess. */
		info->text_offset = LEGACY_TEXT_OFFSET;
		info->image_size = file_size + LEGACY_BSS_SLACK;
		return 0;
	}
	if (flags & IMAGE_FLAG_BE) {
		pr_err("kernel %s is a big-endian Image; this VMM boots little-endian guests only",
		       name);
		return -ENOEXEC;
	}
	if (info->text_offset >= SZ_2M || (info->text_offset & (SZ_4K - 1))) {
		pr_err("kernel %s has an impossible text_offset 0x%llx; the Image header is damaged",
		       name, (unsigned long long)info->text_offset);
		return -ENOEXEC;
	}
	if (info->image_size < file_size) {
		pr_err("kernel %s is larger (%llu bytes) than its header's image_size (%llu); the file is damaged",
		       name, (unsigned long long)file_size,
		       (unsigned long long)info->image_size);
		return -ENOEXEC;
	}
	return check_complete(name, p, len, file_size, info->image_size);
}

static uint64_t mib_up(uint64_t bytes)
{
	return (bytes >> 20) + !!(bytes & ((1u << 20) - 1));
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int image_place(const struct image_info *info, uint64_t initrd_size,
		uint64_t ram_base, uint64_t ram_size, struct boot_layout *out)
{
	uint64_t ram_end = ram_base + ram_size;
	uint64_t next;
	bool fits;

	out->kernel = align_up(ram_base, SZ_2M) + info->text_offset;
	/*
	 * The initrd and the DTB follow the kernel's image_size, packed:
	 * every 2 MiB of guest RAM written before the guest runs is a huge
	 * page the host must clear first, so the pieces share what they can.
	 * booting.rst asks the DTB for an 8-byte boundary, at most 2 MiB,
	 * and no 2 MiB region with attributes of its own: plain RAM next to
	 * the kernel is that.
	 */
	fits = out->kernel < ram_end && info->image_size <= ram_end - out->kernel;
	next = fits ? align_up(out->kernel + info->image_size, SZ_4K) : ram_end;
	fits = fits && next <= ram_end && initrd_size <= ram_end - next;
	out->initrd = initrd_size ? next : 0;
	if (fits)
		next = align_up(next + initrd_size, SZ_4K);
	out->dtb = next;
	fits = fits && next <= ram_end && ARM64_DTB_MAX_SIZE <= ram_end - next;
	if (!fits) {
		/* In MiB, so that an absurd initrd size cannot wrap the sum. */
		uint64_t need = mib_up(info->text_offset + info->image_size) +
				mib_up(initrd_size) + (ARM64_DTB_MAX_SIZE >> 20) + 1;

		pr_err("--mem: %llu MiB is too small for this kernel and initrd; they need at least %llu MiB",
		       (unsigned long long)(ram_size >> 20), (unsigned long long)need);
		return -ENOMEM;
	}
	return 0;
}
