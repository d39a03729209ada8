// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 Image header parsing and boot placement.
 */
#include "tests/check.h"

#include <errno.h>

#include <stdint.h>
#include <string.h>

#include "arch/arm64/image.h"

#define MiB (1ull << 20)

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* A header like the kernel's head.S writes. */
static void make_header(uint8_t *h, uint64_t text_offset, uint64_t size,
			uint64_t flags)
{
	memset(h, 0, ARM64_IMAGE_HEADER_SIZE);
	h[0] = 0x4d; h[1] = 0x5a;	/* "MZ": the EFI stub's code0 */
	put_le64(h + 8, text_offset);
	put_le64(h + 16, size);
	put_le64(h + 24, flags);
	memcpy(h + 56, "ARM\x64", 4);
}

START_TEST(test_good_header)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct image_info info;

	make_header(h, 0, 20 * MiB, 0xa);
	ck_assert_int_eq(image_parse("Image", h, sizeof(h), 18 * MiB, &info), 0);
	ck_assert_uint_eq(info.text_offset, 0);
	ck_assert_uint_eq(info.image_size, 20 * MiB);
}
END_TEST

START_TEST(test_legacy_header)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct image_info info;

	/* image_size 0: before Linux 3.17, text_offset is 0x80000. */
	make_header(h, 0x1234, 0, 0);
	ck_assert_int_eq(image_parse("Image", h, sizeof(h), 5 * MiB, &info), 0);
	ck_assert_uint_eq(info.text_offset, 0x80000);
	ck_assert_uint_gt(info.image_size, 5 * MiB);
}
END_TEST

static const struct bad_image {
	const char *what;
	uint8_t bytes[ARM64_IMAGE_HEADER_SIZE];
	size_t len;
	const char *says;
} bad_images[] = {
	{ "empty", { 0 }, 0, "too short" },
	{ "truncated", { 0x4d, 0x5a }, 40, "too short" },
	{ "gzip", { 0x1f, 0x8b, 0x08 }, 64, "gzip-compressed" },
	{ "ELF", { 0x7f, 'E', 'L', 'F' }, 64, "ELF file" },
	{ "zeros", { 0 }, 64, "not an arm64 Linux Image" },
};

START_TEST(test_bad_images)
{
	const struct bad_image *b = &bad_images[_i];
	struct image_info info;

	capture_log();
	ck_assert_int_eq(image_parse("vmlinux", b->bytes, b->len, 1 * MiB, &info),
			 -ENOEXEC);
	ck_assert_msg(strstr(captured_log(), b->says), "%s: got '%s'", b->what,
		      captured_log());
	ck_assert_ptr_nonnull(strstr(captured_log(), "vmlinux"));
	ck_assert_int_eq(captured_lines(), 1);
}
END_TEST

START_TEST(test_bad_fields)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct image_info info;

	capture_log();
	make_header(h, 0, 20 * MiB, 1);		/* big-endian */
	ck_assert_int_eq(image_parse("K", h, sizeof(h), MiB, &info), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(captured_log(), "big-endian"));

	make_header(h, 3 * MiB, 20 * MiB, 0);	/* text_offset past 2 MiB */
	ck_assert_int_eq(image_parse("K", h, sizeof(h), MiB, &info), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(captured_log(), "text_offset"));

	make_header(h, 0, 1 * MiB, 0);		/* file larger than image_size */
	ck_assert_int_eq(image_parse("K", h, sizeof(h), 2 * MiB, &info), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(captured_log(), "image_size"));
}
END_TEST

/* A cut-off copy: the header says 32 MiB, the file has 100 bytes. */
START_TEST(test_truncated)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct image_info info;

	capture_log();
	make_header(h, 0, 32 * MiB, 0xa);
	ck_assert_int_eq(image_parse("K", h, sizeof(h), 100, &info), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(captured_log(), "kernel K is truncated: 100 bytes"));
	ck_assert_int_eq(captured_lines(), 1);
	/* Half of image_size is still a kernel with a large BSS. */
	ck_assert_int_eq(image_parse("K", h, sizeof(h), 16 * MiB, &info), 0);
}
END_TEST

static void put_le32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/*
 * An EFI stub's header: the PE signature at 0x40, no optional header,
 * two sections whose raw data ends at @file_end.
 */
static void make_pe_header(uint8_t *h, size_t len, uint64_t file_end)
{
	uint8_t *pe = h + 0x40, *sec = pe + 24;

	memset(h, 0, len);
	make_header(h, 0, 20 * MiB, 0xa);
	put_le32(h + 0x3c, 0x40);
	memcpy(pe, "PE\0\0", 4);
	pe[6] = 2;				/* NumberOfSections */
	put_le32(sec + 16, 0x10000 - 0x1000);	/* .text: SizeOfRawData */
	put_le32(sec + 20, 0x1000);		/* PointerToRawData */
	put_le32(sec + 40 + 16, file_end - 0x10000);
	put_le32(sec + 40 + 20, 0x10000);
}

START_TEST(test_truncated_efi_stub)
{
	uint8_t h[512];
	struct image_info info;

	/* The section table says exactly how long the file is. */
	make_pe_header(h, sizeof(h), 18 * MiB + 4096);
	ck_assert_int_eq(image_parse("K", h, sizeof(h), 18 * MiB + 4096, &info), 0);
	capture_log();
	ck_assert_int_eq(image_parse("K", h, sizeof(h), 18 * MiB, &info), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(captured_log(), "the file is 18878464"));
	/* A table past what was read counts as none: the share rule holds. */
	ck_assert_int_eq(image_parse("K", h, 0x40 + 24 + 40, 18 * MiB, &info), 0);
}
END_TEST

START_TEST(test_place)
{
	struct image_info info = { .text_offset = 0x80000, .image_size = 30 * MiB + 5 };
	const uint64_t base = 0x40000000, size = 256 * MiB;
	struct boot_layout at;

	ck_assert_int_eq(image_place(&info, 10 * MiB + 123, base, size, &at), 0);
	ck_assert_uint_eq(at.kernel, base + 0x80000);
	/* The initrd: page aligned, the first page past the kernel's image. */
	ck_assert_uint_eq(at.initrd, base + 0x80000 + 30 * MiB + 4096);
	/* The DTB: 8-byte aligned, the first page past the initrd, 2 MiB room. */
	ck_assert_uint_eq(at.dtb, at.initrd + 10 * MiB + 4096);
	ck_assert_uint_le(at.dtb + ARM64_DTB_MAX_SIZE, base + size);
}
END_TEST

START_TEST(test_place_packed)
{
	/* A small kernel and no initrd: kernel and DTB share one 2 MiB page. */
	struct image_info info = { .text_offset = 0, .image_size = 64 * 1024 };
	struct boot_layout at;

	ck_assert_int_eq(image_place(&info, 0, 0x40000000, 64 * MiB, &at), 0);
	ck_assert_uint_eq(at.dtb, 0x40000000 + 64 * 1024);
	ck_assert_uint_eq(at.dtb / (2 * MiB), at.kernel / (2 * MiB));
	/* Exactly enough: the DTB's 2 MiB end where RAM does. */
	info.image_size = 62 * MiB;
	ck_assert_int_eq(image_place(&info, 0, 0x40000000, 64 * MiB, &at), 0);
	ck_assert_uint_eq(at.dtb + ARM64_DTB_MAX_SIZE, 0x40000000 + 64 * MiB);
	capture_log();
	info.image_size = 62 * MiB + 1;
	ck_assert_int_eq(image_place(&info, 0, 0x40000000, 64 * MiB, &at), -ENOMEM);
}
END_TEST

START_TEST(test_place_without_initrd)
{
	struct image_info info = { .text_offset = 0, .image_size = 30 * MiB };
	struct boot_layout at;

	ck_assert_int_eq(image_place(&info, 0, 0x40000000, 64 * MiB, &at), 0);
	ck_assert_uint_eq(at.initrd, 0);
	ck_assert_uint_eq(at.kernel, 0x40000000);
}
END_TEST

START_TEST(test_place_too_small)
{
	struct image_info info = { .text_offset = 0, .image_size = 30 * MiB };
	struct boot_layout at;

	capture_log();
	ck_assert_int_eq(image_place(&info, 0, 0x40000000, 30 * MiB, &at), -ENOMEM);
	ck_assert_int_eq(image_place(&info, 40 * MiB, 0x40000000, 64 * MiB, &at),
			 -ENOMEM);
	ck_assert_ptr_nonnull(strstr(captured_log(), "--mem"));
	/* A huge initrd or image_size must not wrap around below the kernel. */
	ck_assert_int_eq(image_place(&info, 1ull << 40, 0x40000000, 64 * MiB, &at),
			 -ENOMEM);
	ck_assert_int_eq(image_place(&info, ~0ull - 4095, 0x40000000, 64 * MiB, &at),
			 -ENOMEM);
	info.image_size = ~0ull - 4095;
	ck_assert_int_eq(image_place(&info, 0, 0x40000000, 64 * MiB, &at), -ENOMEM);
}
END_TEST

Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("header");

	tcase_add_test(tc, test_good_header);
	tcase_add_test(tc, test_legacy_header);
	tcase_add_loop_test(tc, test_bad_images, 0,
			    sizeof(bad_images) / sizeof(bad_images[0]));
	tcase_add_test(tc, test_bad_fields);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_truncated_efi_stub);
	tcase_add_test(tc, test_place);
	tcase_add_test(tc, test_place_packed);
	tcase_add_test(tc, test_place_without_initrd);
	tcase_add_test(tc, test_place_too_small);
	suite_add_tcase(s, tc);
	return s;
}
