// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng's fill: the bound a hostile driver's chain cannot pass, and
 * a source that runs dry or gives less than asked.
 */
#include "tests/check.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "devices/virtio/rng-fill.h"

#define FILL	0xa5
#define UNTOUCHED 0x00

/* Gives at most @budget bytes in all, then fails with EAGAIN. */
static size_t budget;
static unsigned int calls;

static ssize_t fake_source(void *buf, size_t len, unsigned int flags)
{
	(void)flags;
	calls++;
	if (!budget) {
		errno = EAGAIN;
		return -1;
	}
	if (len > budget)
		len = budget;
	memset(buf, FILL, len);
	budget -= len;
	return len;
}

/* Claims more than it was asked for. */
static ssize_t boasting_source(void *buf, size_t len, unsigned int flags)
{
	(void)flags;
	memset(buf, FILL, len);
	return len + 4096;
}

static uint8_t big[2 * RNG_MAX_PER_REQUEST];

static size_t count_filled(const uint8_t *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] == FILL;
	return n;
}

START_TEST(test_guest_sized_request_is_filled)
{
	uint8_t buf[64 + 1];
	struct iovec v = { buf, 64 };

	memset(buf, UNTOUCHED, sizeof(buf));
	budget = SIZE_MAX;
	ck_assert_uint_eq(rng_fill(&v, 1, fake_source), 64);
	ck_assert_uint_eq(count_filled(buf, 64), 64);
	ck_assert_uint_eq(buf[64], UNTOUCHED);
}
END_TEST

START_TEST(test_huge_buffer_gets_the_bound)
{
	struct iovec v = { big, sizeof(big) };

	memset(big, UNTOUCHED, sizeof(big));
	budget = SIZE_MAX;
	ck_assert_uint_eq(rng_fill(&v, 1, fake_source), RNG_MAX_PER_REQUEST);
	ck_assert_uint_eq(count_filled(big, sizeof(big)), RNG_MAX_PER_REQUEST);
	ck_assert_uint_eq(big[RNG_MAX_PER_REQUEST], UNTOUCHED);
}
END_TEST

/* The bound is per request, not per buffer: many buffers share it. */
START_TEST(test_bound_spans_buffers)
{
	struct iovec v[3] = {
		{ big, 48 * 1024 },
		{ big + 48 * 1024, 48 * 1024 },
		{ big + 96 * 1024, 48 * 1024 },
	};

	memset(big, UNTOUCHED, sizeof(big));
	budget = SIZE_MAX;
	calls = 0;
	ck_assert_uint_eq(rng_fill(v, 3, fake_source), RNG_MAX_PER_REQUEST);
	ck_assert_uint_eq(count_filled(big, sizeof(big)), RNG_MAX_PER_REQUEST);
	ck_assert_uint_eq(big[RNG_MAX_PER_REQUEST - 1], FILL);
	ck_assert_uint_eq(big[RNG_MAX_PER_REQUEST], UNTOUCHED);
	ck_assert_uint_eq(calls, 2);	/* the third buffer is never asked for */
}
END_TEST

/* A short read ends the request: what was written is at the front. */
START_TEST(test_short_source_stops_at_the_front)
{
	uint8_t a[100], b[100];
	struct iovec v[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

	memset(a, UNTOUCHED, sizeof(a));
	memset(b, UNTOUCHED, sizeof(b));
	budget = 30;
	ck_assert_uint_eq(rng_fill(v, 2, fake_source), 30);
	ck_assert_uint_eq(count_filled(a, sizeof(a)), 30);
	ck_assert_uint_eq(count_filled(b, sizeof(b)), 0);
}
END_TEST

START_TEST(test_dry_source_and_empty_chain)
{
	uint8_t a[16];
	struct iovec v = { a, sizeof(a) };

	budget = 0;
	ck_assert_uint_eq(rng_fill(&v, 1, fake_source), 0);
	budget = SIZE_MAX;
	ck_assert_uint_eq(rng_fill(&v, 0, fake_source), 0);
}
END_TEST

START_TEST(test_source_claiming_more_is_not_believed)
{
	uint8_t a[16];
	struct iovec v = { a, sizeof(a) };

	ck_assert_uint_eq(rng_fill(&v, 1, boasting_source), sizeof(a));
}
END_TEST

Suite *rng_fill_suite(void)
{
	Suite *s = suite_create("rng-fill");
	TCase *tc = tcase_create("fill");

	tcase_add_test(tc, test_guest_sized_request_is_filled);
	tcase_add_test(tc, test_huge_buffer_gets_the_bound);
	tcase_add_test(tc, test_bound_spans_buffers);
	tcase_add_test(tc, test_short_source_stops_at_the_front);
	tcase_add_test(tc, test_dry_source_and_empty_chain);
	tcase_add_test(tc, test_source_claiming_more_is_not_believed);
	suite_add_tcase(s, tc);
	return s;
}
