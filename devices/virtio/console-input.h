/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console's host input on its way to the guest: a buffer of what was
 * read and not yet taken by the guest, and the Ctrl-A escape of an
 * interactive terminal (Ctrl-A x stops the VM, Ctrl-A Ctrl-A sends one
 * Ctrl-A, Ctrl-A and any other byte send both). Pure, so that the exact
 * byte sequences can be unit-tested and fuzzed.
 *
 * Reads are sized by console_input_room(), which never offers more than
 * the buffer can take whatever the bytes turn out to be: a Ctrl-A left
 * pending at the end of one read adds a byte to the next, so that byte
 * is kept out of the room while it is pending. console_input_take()
 * enforces the same bound itself and takes no more than fits.
 */
#ifndef LKVM_DEVICES_VIRTIO_CONSOLE_INPUT_H
#define LKVM_DEVICES_VIRTIO_CONSOLE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_INPUT_SIZE	4096

struct console_input {
	uint8_t buf[CONSOLE_INPUT_SIZE];
	size_t len;		/* bytes in buf */
	size_t pos;		/* of which the guest has taken this many */
	bool escape;		/* the Ctrl-A escape is on */
	bool escape_pending;	/* the last byte read was a lone Ctrl-A */
};

void console_input_init(struct console_input *in, bool escape);

/*
 * How many raw bytes the next read may bring: room left in the buffer
 * (after moving what is pending to its start), less the byte a pending
 * Ctrl-A may still add. 0 when full.
 */
size_t console_input_room(struct console_input *in);

/*
 * Append the @n raw bytes at @raw, decoding the escape. Takes at most
 * console_input_room() bytes and returns how many it took; *@stop is set
 * when Ctrl-A x was typed (and left alone otherwise).
 */
size_t console_input_take(struct console_input *in, const uint8_t *raw,
			   size_t n, bool *stop);

/* The bytes waiting for the guest, and how many there are. */
const uint8_t *console_input_data(const struct console_input *in, size_t *len);

/* The guest took @n of the waiting bytes (at most as many as wait). */
void console_input_consume(struct console_input *in, size_t n);

/*
 * When input may start to reach the guest (why: console.c,
 * console_input_hold()): once it has offered receive buffers, then
 * written output, and its output has been quiet for @quiet_ns; or
 * @max_ns after its first receive buffers whatever it wrote. Times are
 * nanoseconds of one monotonic clock, never 0.
 */
struct console_input_gate {
	uint64_t quiet_ns, max_ns;
	uint64_t offered_ns;	/* first receive buffers; 0: none yet */
	uint64_t output_ns;	/* last output since then; 0: none */
};

void console_gate_init(struct console_input_gate *g, uint64_t quiet_ns,
		       uint64_t max_ns);
void console_gate_offered(struct console_input_gate *g, uint64_t now);
void console_gate_output(struct console_input_gate *g, uint64_t now);
bool console_gate_open(const struct console_input_gate *g, uint64_t now);

#endif
