// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the console's input path as a user's terminal and a
 * guest that takes input at its own pace drive it. The input is a
 * script: each step's first byte says how large a read to make (up to
 * the room offered, as the event loop asks) or how much the guest takes;
 * the read's bytes follow, Ctrl-A escapes and all. The buffer sits in a
 * larger struct whose tail must never change, and its counts must stay
 * within it.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/console-input.h"
#include "tests/fuzz/fuzz.h"

static struct {
	struct console_input in;
	uint8_t guard[32];
} t;

static void check(void)
{
	unsigned int i;

	if (t.in.len > CONSOLE_INPUT_SIZE || t.in.pos > t.in.len)
		abort();
	for (i = 0; i < sizeof(t.guard); i++)
		if (t.guard[i] != 0xa5)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t raw[CONSOLE_INPUT_SIZE];
	bool stop = false;
	size_t room, n, len, i;

	if (!size)
		return 0;
	memset(t.guard, 0xa5, sizeof(t.guard));
	console_input_init(&t.in, data[0] & 1);
	data++;
	size--;
	while (size >= 2) {
		uint8_t op = data[0];
		/* Reads as large as the room, so the edge is reached often. */
		n = (size_t)data[1] << 4 | (op >> 4);
		data += 2;
		size -= 2;
		if (op & 1) {
			console_input_data(&t.in, &len);
			console_input_consume(&t.in, op & 2 ? len : n);
		} else {
			room = console_input_room(&t.in);
			if (op & 2 || n > room)
				n = room;
			/* A read fills what it was given: repeat the script's bytes. */
			for (i = 0; i < n; i++)
				raw[i] = size ? data[i % size] : 'q';
			if (console_input_take(&t.in, raw, n, &stop) != n)
				abort();
		}
		check();
	}
	return 0;
}
