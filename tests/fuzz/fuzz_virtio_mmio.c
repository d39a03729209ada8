// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: any sequence of guest accesses to the virtio-mmio register
 * file, interleaved with the device side taking chains from whatever
 * queues the accesses enabled. Each 8-byte record is one access: kind,
 * size, offset, value. Guest RAM (the rings) is the input's tail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/mmio.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE	(16 * 1024)
#define RAM_GPA		0x40000000ull

static const struct virtio_dev_ops ops = {
	.device_id	= 3,
	.features	= 1ull << VIRTIO_F_VERSION_1,
	.nr_queues	= 2,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	struct virtq_chain *chain = malloc(sizeof(*chain));
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct virtio_mmio vm;
	struct gmem mem = { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
	size_t n = size / 2 / 8 * 8, i;

	if (!chain || !ram)
		abort();
	memcpy(ram, data + n, size - n < RAM_SIZE ? size - n : RAM_SIZE);
	if (virtio_mmio_init(&vm, &ops, &mem, "fuzz", NULL))
		abort();

	for (i = 0; i + 8 <= n; i += 8) {
		const uint8_t *r = data + i;
		uint64_t off = (r[2] | r[3] << 8) % 0x220;
		uint32_t val;
		uint8_t buf[8];

		memcpy(&val, r + 4, 4);
		/* Addresses near RAM make enabled queues likely. */
		if (r[0] & 0x10)
			val = RAM_GPA + (val % RAM_SIZE);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &val, 4);
		if (r[0] & 1)
			virtio_mmio_write(&vm, off, buf, sizes[r[1] % 4]);
		else
			virtio_mmio_read(&vm, off, buf, sizes[r[1] % 4]);
		if (r[0] & 0x20) {
			/* A device's pass over the queue, as the devices make it. */
			unsigned int q = r[1] % 3, taken = 0;
			struct virtq *vq = virtio_mmio_queue(&vm, q);

			while (virtio_mmio_pop(&vm, q, &taken, chain) > 0)
				virtq_push(vq, chain->head, 0);
			if (vq && taken > vq->size)
				abort();
			if (taken)
				virtio_mmio_notify(&vm, vq);
		}
	}
	virtio_mmio_exit(&vm);
	free(ram);
	free(chain);
	return 0;
}
