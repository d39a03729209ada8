// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the arm64 Image header parser and the boot placement it
 * feeds, with RAM and initrd sizes taken from the input too.
 */
#include <stdint.h>
#include <string.h>

#include "arch/arm64/image.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_info info;
	struct boot_layout at;
	uint64_t file_size = size, ram, initrd;

	if (size >= 80) {
		memcpy(&ram, data + 64, 8);
		memcpy(&initrd, data + 72, 8);
		file_size = initrd >> 40;
	} else {
		ram = 256ull << 20;
		initrd = 0;
	}
	if (image_parse("fuzz", data, size < ARM64_IMAGE_PROBE_SIZE ? size : ARM64_IMAGE_PROBE_SIZE,
			file_size, &info))
		return 0;
	/* Sizes a user could ask for: 32 MiB to 256 GiB of RAM. */
	ram = (32ull << 20) + (ram % (256ull << 30));
	image_place(&info, initrd % (ram * 2), 0x40000000, ram, &at);
	return 0;
}
