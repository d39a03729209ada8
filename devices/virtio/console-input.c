// SPDX-License-Identifier: GPL-2.0
/*
 * The console's host input buffer and its Ctrl-A escape; see
 * console-input.h.
 */
#include "devices/virtio/console-input.h"

#include <string.h>

#define CTRL_A	0x01

void console_input_init(struct console_input *in, bool escape)
{
	memset(in, 0, sizeof(*in));
	in->escape = escape;
}

size_t console_input_room(struct console_input *in)
{
	size_t room;

	if (in->pos) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	room = sizeof(in->buf) - in->len;
	/* The pending Ctrl-A goes out with the next byte read. */
	if (in->escape_pending && room)
		room--;
	return room;
}

/*
 * One raw byte: the number of bytes it puts into the buffer is 0, 1, or
 * 2 for the byte after a pending Ctrl-A; the room computed above counts
 * that, so this cannot write past the end.
 */
static void take_byte(struct console_input *in, uint8_t c, bool *stop)
{
	if (!in->escape) {
		in->buf[in->len++] = c;
		return;
	}
	if (in->escape_pending) {
		in->escape_pending = false;
		if (c == 'x') {
			*stop = true;
			return;
		}
		if (c != CTRL_A)
			in->buf[in->len++] = CTRL_A;
		in->buf[in->len++] = c;
	} else if (c == CTRL_A) {
		in->escape_pending = true;
	} else {
		in->buf[in->len++] = c;
	}
}

size_t console_input_take(struct console_input *in, const uint8_t *raw,
			  size_t n, bool *stop)
{
	size_t room = console_input_room(in), i;

	if (n > room)
		n = room;
	for (i = 0; i < n; i++)
		take_byte(in, raw[i], stop);
	return n;
}

const uint8_t *console_input_data(const struct console_input *in, size_t *len)
{
	*len = in->len - in->pos;
	return in->buf + in->pos;
}

void console_input_consume(struct console_input *in, size_t n)
{
	if (n > in->len - in->pos)
		n = in->len - in->pos;
	in->pos += n;
}

void console_gate_init(struct console_input_gate *g, uint64_t quiet_ns,
		       uint64_t max_ns)
{
	*g = (struct console_input_gate) { .quiet_ns = quiet_ns, .max_ns = max_ns };
}

void console_gate_offered(struct console_input_gate *g, uint64_t now)
{
	if (!g->offered_ns)
		g->offered_ns = now;
}

/* Output before the first receive buffers says nothing: it is ignored. */
void console_gate_output(struct console_input_gate *g, uint64_t now)
{
	if (g->offered_ns)
		g->output_ns = now;
}

bool console_gate_open(const struct console_input_gate *g, uint64_t now)
{
	if (!g->offered_ns)
		return false;
	if (now - g->offered_ns >= g->max_ns)
		return true;
	return g->output_ns && now - g->output_ns >= g->quiet_ns;
}
