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

START_TEST(test_place)
{
	struct image_info info = { .text_offset = 0x80000, .image_size = 30 * MiB };
	const uint64_t base = 0x40000000, size = 256 * MiB;
	struct boot_layout at;

	ck_assert_int_eq(image_place(&info, 10 * MiB + 123, base, size, &at), 0);
	ck_assert_uint_eq(at.kernel, base + 0x80000);
	/* The DTB: 8-byte aligned, in its own 2 MiB block at the top. */
	ck_assert_uint_eq(at.dtb % (2 * MiB), 0);
	ck_assert_uint_eq(at.dtb + ARM64_DTB_MAX_SIZE, base + size);
	/* The initrd: page aligned, below the DTB, clear of the kernel. */
	ck_assert_uint_eq(at.initrd % 4096, 0);
	ck_assert_uint_le(at.initrd + 10 * MiB + 123, at.dtb);
	ck_assert_uint_ge(at.initrd, at.kernel + info.image_size);
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
	/* A huge initrd must not wrap around below the kernel. */
	ck_assert_int_eq(image_place(&info, 1ull << 40, 0x40000000, 64 * MiB, &at),
			 -ENOMEM);
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
	tcase_add_test(tc, test_place);
	tcase_add_test(tc, test_place_without_initrd);
	tcase_add_test(tc, test_place_too_small);
	suite_add_tcase(s, tc);
	return s;
}
