// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the split virtqueue against guest memory the input fills.
 * The first bytes choose the queue size, whether indirect tables were
 * negotiated and where the rings sit; the rest is guest RAM, rings and
 * tables included. The device then takes and returns
 * chains as the console does. Guest RAM is its own heap block, so any
 * access past it is an AddressSanitizer report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtq.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE	(16 * 1024)
#define RAM_GPA		0x40000000ull

static uint64_t ring_gpa(const uint8_t *p)
{
	/* Mostly inside RAM, sometimes just outside or misaligned. */
	return RAM_GPA - 64 + ((p[0] | p[1] << 8) % (RAM_SIZE + 128));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtq_chain *chain;
	struct gmem mem;
	struct virtq vq;
	unsigned int i;
	uint8_t *ram;

	if (size < 8)
		return 0;
	ram = calloc(1, RAM_SIZE);
	chain = malloc(sizeof(*chain));
	if (!ram || !chain)
		abort();
	memcpy(ram, data + 8, size - 8 < RAM_SIZE ? size - 8 : RAM_SIZE);
	mem = (struct gmem) { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };

	if (virtq_setup(&vq, &mem, 1u << (data[0] % 10), ring_gpa(data + 2),
			ring_gpa(data + 4), ring_gpa(data + 6)) == 0) {
		/* Indirect tables negotiated, or not. */
		vq.indirect = data[0] & 0x80;
		for (i = 0; i < 64; i++) {
			int ret = virtq_pop(&vq, chain);

			if (ret <= 0)
				break;
			virtq_chain_fill(chain, data, size < 4096 ? size : 4096);
			virtq_push(&vq, chain->head, data[1]);
			virtq_should_notify(&vq);
		}
	}
	free(chain);
	free(ram);
	return 0;
}
