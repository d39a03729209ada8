// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the virtio-gpio messages, as a hostile driver sends them.
 * The input is a script of steps: requests (any bytes, any length, any
 * room for the response), event buffers, host edges and resets, over a
 * fake host of four lines that aborts on anything the device must never
 * ask of it: a line the guest was not given, a value other than 0 or 1,
 * a buffer handed back that was not held.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/gpio-msg.h"
#include "tests/fuzz/fuzz.h"

#define NR	4

static uint8_t pins[NR];
static bool held[VGPIO_MAX_LINES][65536 / 64];

static void check_line(unsigned int line)
{
	if (line >= NR)
		abort();
}

static int host_get(void *h, unsigned int line, uint8_t *value)
{
	(void)h;
	check_line(line);
	*value = pins[line];
	return 0;
}

static int host_set(void *h, unsigned int line, uint8_t value)
{
	(void)h;
	check_line(line);
	if (value > 1)
		abort();
	pins[line] = value;
	return 0;
}

static int host_configure(void *h, unsigned int line, uint8_t dir, uint8_t value,
			  unsigned int edges)
{
	(void)h;
	(void)edges;
	check_line(line);
	if (dir != VIRTIO_GPIO_DIRECTION_IN && dir != VIRTIO_GPIO_DIRECTION_OUT)
		abort();
	if (dir == VIRTIO_GPIO_DIRECTION_OUT && value > 1)
		abort();
	return line == 2 ? -EIO : 0;	/* one line the host refuses */
}

static int host_restore(void *h, unsigned int line)
{
	(void)h;
	check_line(line);
	return 0;
}

static void host_deliver(void *h, unsigned int line, uint16_t head, uint8_t status)
{
	(void)h;
	(void)status;
	check_line(line);
	if (!held[line][head / 64])
		abort();
	held[line][head / 64] = false;
}

static const struct vgpio_lines_ops ops = {
	.get = host_get, .set = host_set, .configure = host_configure,
	.restore = host_restore, .deliver = host_deliver,
};

static const char names[] = "a\0b\0\0d";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t dirs[NR] = { 1, 1, 2, 2 }, values[NR] = { 0, 1, 0, 0 };
	struct vgpio g;
	uint8_t resp[64];
	size_t pos = 0;

	memset(held, 0, sizeof(held));
	memset(pins, 0, sizeof(pins));
	vgpio_init(&g, &ops, NULL, NR, dirs, values, names, sizeof(names));
	g.irq = size && (data[0] & 1);
	while (pos + 2 <= size) {
		uint8_t op = data[pos], len = data[pos + 1] % 16, cap = data[pos + 1] >> 4;
		const uint8_t *arg = data + pos + 2;
		uint8_t status;
		uint16_t head;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		switch (op % 4) {
		case 0:
			if (vgpio_request(&g, arg, len, resp, cap * 4) > cap * 4u)
				abort();
			break;
		case 1:
			/* Head numbers 64 apart: one slot each in held[]. */
			head = (uint16_t)(op * 64);
			if (len >= 2 && !vgpio_event_buffer(&g, arg, len, cap, head, &status)) {
				uint16_t line = arg[0] | arg[1] << 8;

				check_line(line);
				held[line][head / 64] = true;
			}
			break;
		case 2:
			pins[op % NR] ^= 1;
			vgpio_host_edge(&g, (op >> 2) % (NR + 2), pins[op % NR]);
			break;
		case 3:
			vgpio_reset(&g);
			memset(held, 0, sizeof(held));
			g.irq = op & 4;
			break;
		}
		pos += len;
	}
	return 0;
}
