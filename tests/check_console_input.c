// SPDX-License-Identifier: GPL-2.0
/*
 * The console's input buffer and Ctrl-A escape, byte by byte, and the
 * sequences that once wrote past the buffer.
 */
#include "tests/check.h"

#include <string.h>

#include "devices/virtio/console-input.h"

#define CTRL_A	0x01

/* The buffer inside a larger struct, with a guard after it. */
static struct {
	struct console_input in;
	uint8_t guard[64];
} t;

static void setup(void)
{
	memset(&t, 0x5a, sizeof(t));
	console_input_init(&t.in, true);
}

static void check_guard(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(t.guard); i++)
		ck_assert_uint_eq(t.guard[i], 0x5a);
	ck_assert_uint_le(t.in.len, CONSOLE_INPUT_SIZE);
	ck_assert_uint_le(t.in.pos, t.in.len);
}

static size_t take(const void *raw, size_t n, bool *stop)
{
	size_t took = console_input_take(&t.in, raw, n, stop);

	check_guard();
	return took;
}

static void expect_data(const void *want, size_t want_len)
{
	size_t len;
	const uint8_t *data = console_input_data(&t.in, &len);

	ck_assert_uint_eq(len, want_len);
	ck_assert_int_eq(memcmp(data, want, len), 0);
}

START_TEST(test_escape_sequences)
{
	static const uint8_t raw[] = { 'a', CTRL_A, CTRL_A, 'b', CTRL_A, 'c', 'd' };
	static const uint8_t want[] = { 'a', CTRL_A, 'b', CTRL_A, 'c', 'd' };
	bool stop = false;

	ck_assert_uint_eq(take(raw, sizeof(raw), &stop), sizeof(raw));
	ck_assert(!stop);
	expect_data(want, sizeof(want));
}
END_TEST

START_TEST(test_ctrl_a_x_stops)
{
	static const uint8_t raw[] = { 'a', CTRL_A, 'x', 'b' };
	bool stop = false;

	take(raw, sizeof(raw), &stop);
	ck_assert(stop);
	expect_data("ab", 2);
}
END_TEST

START_TEST(test_escape_across_reads)
{
	static const uint8_t first[] = { 'a', CTRL_A };
	bool stop = false;

	take(first, sizeof(first), &stop);
	ck_assert(t.in.escape_pending);
	expect_data("a", 1);
	take("x", 1, &stop);
	ck_assert(stop);
	expect_data("a", 1);
}
END_TEST

START_TEST(test_no_escape_passes_everything)
{
	static const uint8_t raw[] = { CTRL_A, 'x', CTRL_A };
	bool stop = false;

	console_input_init(&t.in, false);
	take(raw, sizeof(raw), &stop);
	ck_assert(!stop);
	expect_data(raw, sizeof(raw));
}
END_TEST

/*
 * A Ctrl-A at the end of one read, then a read of exactly the room
 * offered whose first byte is ordinary: the pair takes two bytes for
 * one, which used to run one byte past the buffer and then on into what
 * followed it.
 */
START_TEST(test_pending_escape_then_full_read)
{
	static uint8_t raw[CONSOLE_INPUT_SIZE];
	static const size_t consumed[] = { 0, 1, 1000, CONSOLE_INPUT_SIZE - 3 };
	bool stop = false;
	size_t room, len;
	unsigned int round;

	for (round = 0; round < 4; round++) {
		/* One read that ends in a Ctrl-A and leaves two bytes free. */
		room = console_input_room(&t.in);
		ck_assert_uint_ge(room, 2);
		memset(raw, 'q', room - 1);
		raw[room - 2] = CTRL_A;
		ck_assert_uint_eq(take(raw, room - 1, &stop), room - 1);
		ck_assert(t.in.escape_pending);

		/* The next read, exactly as large as offered, ordinary first byte. */
		room = console_input_room(&t.in);
		ck_assert_uint_eq(room, 1);
		memset(raw, 'q', sizeof(raw));
		ck_assert_uint_eq(take(raw, room, &stop), room);
		console_input_data(&t.in, &len);
		ck_assert_uint_eq(len, CONSOLE_INPUT_SIZE);
		ck_assert_uint_eq(t.in.buf[CONSOLE_INPUT_SIZE - 2], CTRL_A);
		ck_assert_uint_eq(t.in.buf[CONSOLE_INPUT_SIZE - 1], 'q');

		/* Full: a read that brings more is not taken. */
		ck_assert_uint_eq(take(raw, sizeof(raw), &stop), 0);
		ck_assert(!stop);
		console_input_consume(&t.in, consumed[round] + 3);
	}
}
END_TEST

START_TEST(test_room_counts_the_pending_byte)
{
	static uint8_t raw[CONSOLE_INPUT_SIZE];
	bool stop = false;

	memset(raw, 'q', sizeof(raw));
	raw[CONSOLE_INPUT_SIZE - 2] = CTRL_A;
	ck_assert_uint_eq(take(raw, CONSOLE_INPUT_SIZE - 1, &stop),
			  CONSOLE_INPUT_SIZE - 1);
	/* 4094 bytes in, a Ctrl-A pending: one more byte may make two. */
	ck_assert_uint_eq(console_input_room(&t.in), 1);
	ck_assert_uint_eq(take("z", 1, &stop), 1);
	ck_assert_uint_eq(console_input_room(&t.in), 0);
	ck_assert_uint_eq(t.in.len, CONSOLE_INPUT_SIZE);

	/* Full: nothing is taken until the guest takes some. */
	ck_assert_uint_eq(take("abc", 3, &stop), 0);
	console_input_consume(&t.in, 10);
	ck_assert_uint_eq(console_input_room(&t.in), 10);
}
END_TEST

START_TEST(test_consume_is_bounded)
{
	bool stop = false;

	take("hello", 5, &stop);
	console_input_consume(&t.in, 2);
	expect_data("llo", 3);
	console_input_consume(&t.in, 100);
	expect_data("", 0);
	ck_assert_uint_eq(console_input_room(&t.in), CONSOLE_INPUT_SIZE);
}
END_TEST

/* --- when input may start: the gate ---------------------------------- */

#define MS	1000000ull
#define T0	(5000 * MS)	/* any clock reading but 0 */

static struct console_input_gate gate;

static void gate_setup(void)
{
	console_gate_init(&gate, 50 * MS, 2000 * MS);
}

START_TEST(test_gate_waits_for_receive_buffers)
{
	/* Output alone, long ago, opens nothing. */
	console_gate_output(&gate, T0);
	ck_assert(!console_gate_open(&gate, T0 + 10000 * MS));
	console_gate_offered(&gate, T0 + 10000 * MS);
	ck_assert(!console_gate_open(&gate, T0 + 10000 * MS + 60 * MS));
}
END_TEST

START_TEST(test_gate_opens_when_output_goes_quiet)
{
	console_gate_offered(&gate, T0);
	ck_assert(!console_gate_open(&gate, T0 + 400 * MS));
	console_gate_output(&gate, T0 + 500 * MS);
	ck_assert(!console_gate_open(&gate, T0 + 549 * MS));
	console_gate_output(&gate, T0 + 549 * MS);
	ck_assert(!console_gate_open(&gate, T0 + 598 * MS));
	ck_assert(console_gate_open(&gate, T0 + 599 * MS));
}
END_TEST

START_TEST(test_gate_first_buffers_count)
{
	/* A later offer does not move the start of the longest wait. */
	console_gate_offered(&gate, T0);
	console_gate_offered(&gate, T0 + 1500 * MS);
	ck_assert(!console_gate_open(&gate, T0 + 1999 * MS));
	ck_assert(console_gate_open(&gate, T0 + 2000 * MS));
}
END_TEST

START_TEST(test_gate_opens_for_a_guest_that_keeps_writing)
{
	uint64_t t;

	console_gate_offered(&gate, T0);
	for (t = T0; t < T0 + 1990 * MS; t += 10 * MS) {
		console_gate_output(&gate, t);
		ck_assert(!console_gate_open(&gate, t + 5 * MS));
	}
	console_gate_output(&gate, T0 + 2000 * MS);
	ck_assert(console_gate_open(&gate, T0 + 2000 * MS));
}
END_TEST

Suite *console_input_suite(void)
{
	Suite *s = suite_create("console-input");
	TCase *tc = tcase_create("escape");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_escape_sequences);
	tcase_add_test(tc, test_ctrl_a_x_stops);
	tcase_add_test(tc, test_escape_across_reads);
	tcase_add_test(tc, test_no_escape_passes_everything);
	tcase_add_test(tc, test_pending_escape_then_full_read);
	tcase_add_test(tc, test_room_counts_the_pending_byte);
	tcase_add_test(tc, test_consume_is_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("gate");
	tcase_add_checked_fixture(tc, gate_setup, NULL);
	tcase_add_test(tc, test_gate_waits_for_receive_buffers);
	tcase_add_test(tc, test_gate_opens_when_output_goes_quiet);
	tcase_add_test(tc, test_gate_first_buffers_count);
	tcase_add_test(tc, test_gate_opens_for_a_guest_that_keeps_writing);
	suite_add_tcase(s, tc);
	return s;
}
