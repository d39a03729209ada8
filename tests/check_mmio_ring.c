// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's coalesced MMIO ring as the VMM reads it: in order, around the
 * end, each entry given back, and nothing taken on trust.
 */
#include "tests/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/mmio-ring.h"

#define PAGE		4096
#define MAX_SEEN	256

static union {
	struct kvm_coalesced_mmio_ring ring;
	uint8_t page[PAGE];
} shared;
static struct seen {
	uint64_t addr;
	unsigned int len;
	uint8_t data[8];
} seen[MAX_SEEN];
static unsigned int nr_seen;

static void record(void *opaque, uint64_t addr, const void *data, unsigned int len)
{
	ck_assert_ptr_eq(opaque, &nr_seen);
	ck_assert_uint_lt(nr_seen, MAX_SEEN);
	seen[nr_seen].addr = addr;
	seen[nr_seen].len = len;
	memcpy(seen[nr_seen].data, data, len);
	nr_seen++;
}

/* What KVM does for a guest write: fill the entry at last, then move last. */
static void kvm_appends(uint32_t capacity, uint64_t addr, uint32_t value)
{
	struct kvm_coalesced_mmio *w = &shared.ring.coalesced_mmio[shared.ring.last];

	w->phys_addr = addr;
	w->len = sizeof(value);
	memcpy(w->data, &value, sizeof(value));
	shared.ring.last = (shared.ring.last + 1) % capacity;
}

static void setup(void)
{
	memset(&shared, 0, sizeof(shared));
	memset(seen, 0, sizeof(seen));
	nr_seen = 0;
}

START_TEST(test_capacity_is_kvms)
{
	/* include/uapi/linux/kvm.h: KVM_COALESCED_MMIO_MAX for 4 KiB pages. */
	ck_assert_uint_eq(mmio_ring_capacity(4096), (4096 - 8) / 24);
	ck_assert_uint_eq(mmio_ring_capacity(65536), (65536 - 8) / 24);
	ck_assert_uint_eq(mmio_ring_capacity(8), 0);
	ck_assert_uint_eq(mmio_ring_capacity(-1), 0);
}
END_TEST

START_TEST(test_empty_ring_gives_nothing)
{
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, mmio_ring_capacity(PAGE), record, &nr_seen), 0);
	ck_assert_uint_eq(nr_seen, 0);
}
END_TEST

START_TEST(test_writes_in_order_and_given_back)
{
	uint32_t cap = mmio_ring_capacity(PAGE);
	uint32_t v;

	kvm_appends(cap, 0x0a000064, 1);
	kvm_appends(cap, 0x0a000264, 2);
	kvm_appends(cap, 0x0a000064, 3);
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, cap, record, &nr_seen), 3);
	ck_assert_uint_eq(nr_seen, 3);
	ck_assert_uint_eq(seen[0].addr, 0x0a000064);
	ck_assert_uint_eq(seen[1].addr, 0x0a000264);
	ck_assert_uint_eq(seen[2].len, 4);
	memcpy(&v, seen[2].data, 4);
	ck_assert_uint_eq(v, 3);
	/* Every entry is KVM's again. */
	ck_assert_uint_eq(shared.ring.first, shared.ring.last);
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, cap, record, &nr_seen), 0);
}
END_TEST

START_TEST(test_wraps_around_the_end)
{
	uint32_t cap = mmio_ring_capacity(PAGE), i, v;

	shared.ring.first = shared.ring.last = cap - 2;
	for (i = 0; i < 5; i++)
		kvm_appends(cap, 0x1000 + i, 100 + i);
	ck_assert_uint_eq(shared.ring.last, 3);
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, cap, record, &nr_seen), 5);
	for (i = 0; i < 5; i++) {
		memcpy(&v, seen[i].data, 4);
		ck_assert_uint_eq(seen[i].addr, 0x1000 + i);
		ck_assert_uint_eq(v, 100 + i);
	}
	ck_assert_uint_eq(shared.ring.first, 3);
}
END_TEST

START_TEST(test_nothing_taken_on_trust)
{
	uint32_t cap = mmio_ring_capacity(PAGE);

	/* An entry's length past its data: no more than its 8 bytes. */
	kvm_appends(cap, 0x2000, 7);
	shared.ring.coalesced_mmio[0].len = 4096;
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, cap, record, &nr_seen), 1);
	ck_assert_uint_eq(seen[0].len, 8);

	/* Indices outside the ring: nothing read, nothing given back. */
	shared.ring.first = 0;
	shared.ring.last = cap;
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, cap, record, &nr_seen), 0);
	shared.ring.first = cap + 7;
	shared.ring.last = 1;
	ck_assert_uint_eq(mmio_ring_drain(&shared.ring, cap, record, &nr_seen), 0);
	ck_assert_uint_eq(shared.ring.first, cap + 7);
	ck_assert_uint_eq(nr_seen, 1);
}
END_TEST

Suite *mmio_ring_suite(void)
{
	Suite *s = suite_create("mmio-ring");
	TCase *tc = tcase_create("drain");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_capacity_is_kvms);
	tcase_add_test(tc, test_empty_ring_gives_nothing);
	tcase_add_test(tc, test_writes_in_order_and_given_back);
	tcase_add_test(tc, test_wraps_around_the_end);
	tcase_add_test(tc, test_nothing_taken_on_trust);
	suite_add_tcase(s, tc);
	return s;
}
