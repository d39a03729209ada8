// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue against a fake guest memory: the normal path, and rings
 * a hostile driver could write.
 */
#include "tests/check.h"

#include <errno.h>

#include <stdint.h>
#include <string.h>

#include "devices/virtio/virtq.h"

#define GPA_BASE	0x40000000ull
#define MEM_SIZE	(64 * 1024)
#define QSIZE		8
#define DESC		(GPA_BASE + 0x0000)
#define AVAIL		(GPA_BASE + 0x1000)
#define USED		(GPA_BASE + 0x2000)
#define DATA		(GPA_BASE + 0x4000)

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };

static uint8_t ram[MEM_SIZE] __attribute__((aligned(4096)));
static struct gmem mem = { .host = ram, .gpa = GPA_BASE, .size = MEM_SIZE };
static struct virtq vq;
static struct virtq_chain chain;

static void *at(uint64_t gpa)
{
	return ram + (gpa - GPA_BASE);
}

static struct desc *desc(unsigned int i)
{
	return (struct desc *)at(DESC) + i;
}

static uint16_t *avail_flags(void) { return at(AVAIL); }
static uint16_t *avail_idx(void) { return (uint16_t *)at(AVAIL) + 1; }
static uint16_t *avail_ring(unsigned int i) { return (uint16_t *)at(AVAIL) + 2 + i; }
static uint16_t *used_idx(void) { return (uint16_t *)at(USED) + 1; }
static uint32_t *used_elem(unsigned int i) { return (uint32_t *)at(USED) + 1 + 2 * i; }

static void set_desc(unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	*desc(i) = (struct desc) { addr, len, flags, next };
}

/* Make chain @head available, as a driver would. */
static void offer(uint16_t head)
{
	*avail_ring(*avail_idx() % QSIZE) = head;
	(*avail_idx())++;
}

static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, DESC, AVAIL, USED), 0);
}

START_TEST(test_empty)
{
	setup();
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
}
END_TEST

START_TEST(test_pop_push)
{
	setup();
	memcpy(at(DATA), "hello", 5);
	set_desc(0, DATA, 3, 1 /* NEXT */, 1);
	set_desc(1, DATA + 3, 2, 0, 0);
	set_desc(2, DATA + 0x100, 64, 2 /* WRITE */, 0);
	offer(0);
	offer(2);

	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 0);
	ck_assert_uint_eq(chain.nr_out, 2);
	ck_assert_uint_eq(chain.nr_in, 0);
	ck_assert_uint_eq(chain.out_len, 5);
	ck_assert_ptr_eq(chain.iov[0].iov_base, at(DATA));
	ck_assert_int_eq(memcmp(chain.iov[1].iov_base, "lo", 2), 0);
	ck_assert_int_eq(virtq_push(&vq, chain.head, 0), 0);
	ck_assert_uint_eq(*used_idx(), 1);
	ck_assert_uint_eq(used_elem(0)[0], 0);

	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_uint_eq(chain.nr_in, 1);
	ck_assert_uint_eq(virtq_chain_fill(&chain, "abc", 3), 3);
	ck_assert_int_eq(memcmp(at(DATA + 0x100), "abc", 3), 0);
	ck_assert_int_eq(virtq_push(&vq, chain.head, 3), 0);
	ck_assert_uint_eq(used_elem(1)[0], 2);
	ck_assert_uint_eq(used_elem(1)[1], 3);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
}
END_TEST

START_TEST(test_fill_is_bounded_by_the_chain)
{
	setup();
	set_desc(0, DATA, 4, 2 | 1, 1);
	set_desc(1, DATA + 8, 2, 2, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(virtq_chain_fill(&chain, "0123456789", 10), 6);
	ck_assert_int_eq(memcmp(at(DATA), "0123", 4), 0);
	ck_assert_int_eq(memcmp(at(DATA + 8), "45", 2), 0);
	ck_assert_uint_eq(((uint8_t *)at(DATA))[4], 0);
}
END_TEST

START_TEST(test_read_is_bounded_by_the_chain)
{
	uint8_t buf[16];

	setup();
	memcpy(at(DATA), "abcd", 4);
	memcpy(at(DATA + 8), "ef", 2);
	set_desc(0, DATA, 4, 1, 1);
	set_desc(1, DATA + 8, 2, 1, 2);
	set_desc(2, DATA + 16, 8, 2 /* WRITE: not read */, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	/* Across descriptors, stopping at the driver-written part ... */
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_eq(virtq_chain_read(&chain, buf, sizeof(buf)), 6);
	ck_assert_int_eq(memcmp(buf, "abcdef", 6), 0);
	/* ... or at the room given. */
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_eq(virtq_chain_read(&chain, buf, 5), 5);
	ck_assert_int_eq(memcmp(buf, "abcde", 5), 0);
	ck_assert_uint_eq(buf[5], 0);
}
END_TEST

START_TEST(test_index_wraps)
{
	unsigned int i;

	setup();
	/* Start both sides near the 16-bit wrap. */
	*avail_idx() = 65533;
	*used_idx() = 65533;
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, DESC, AVAIL, USED), 0);
	set_desc(0, DATA, 1, 0, 0);
	for (i = 0; i < 6; i++) {
		offer(0);
		ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
		ck_assert_int_eq(virtq_push(&vq, chain.head, 0), 0);
	}
	ck_assert_uint_eq(*used_idx(), (uint16_t)(65533 + 6));
}
END_TEST

START_TEST(test_notify_suppression)
{
	setup();
	ck_assert(virtq_should_notify(&vq));
	*avail_flags() = 1;	/* VIRTQ_AVAIL_F_NO_INTERRUPT */
	ck_assert(!virtq_should_notify(&vq));
}
END_TEST

static uint16_t *used_event(void) { return avail_ring(QSIZE); }
static uint16_t *avail_event(void) { return (uint16_t *)used_elem(QSIZE); }

/*
 * With event indices: an interrupt when the entries pushed since the
 * last one reach the index the driver published, none while it has not
 * looked since the last.
 */
START_TEST(test_event_idx_interrupts)
{
	setup();
	vq.event_idx = true;
	set_desc(0, DATA, 1, 0, 0);
	offer(0);
	offer(0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_int_eq(virtq_push(&vq, chain.head, 0), 0);
	ck_assert(virtq_should_notify(&vq));
	/* The driver has not looked yet (used_event still 0): no second. */
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_int_eq(virtq_push(&vq, chain.head, 0), 0);
	ck_assert(!virtq_should_notify(&vq));
	/* It consumed both and asks to hear of the next one. */
	*used_event() = 2;
	ck_assert(!virtq_should_notify(&vq));	/* nothing new pushed */
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_int_eq(virtq_push(&vq, chain.head, 0), 0);
	ck_assert(virtq_should_notify(&vq));
}
END_TEST

/* With event indices, an empty ring publishes the entry to notify for. */
START_TEST(test_event_idx_publishes_avail_event)
{
	setup();
	vq.event_idx = true;
	set_desc(0, DATA, 1, 0, 0);
	*avail_event() = 0x5555;
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(*avail_event(), 0);
	offer(0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	/* Not empty yet: the driver is not asked to notify. */
	ck_assert_uint_eq(*avail_event(), 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(*avail_event(), 2);
	/* Without the feature the field is left alone. */
	vq.event_idx = false;
	*avail_event() = 0x5555;
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(*avail_event(), 0x5555);
}
END_TEST

/* Malformed rings: each must break the queue, never touch outside ram. */
static void ring_loop(void)
{
	set_desc(0, DATA, 1, 1, 1);
	set_desc(1, DATA, 1, 1, 0);
	offer(0);
}

static void ring_self_loop(void)
{
	set_desc(3, DATA, 1, 1, 3);
	offer(3);
}

static void ring_desc_outside(void)
{
	set_desc(0, GPA_BASE + MEM_SIZE - 4, 8, 0, 0);
	offer(0);
}

static void ring_desc_below(void)
{
	set_desc(0, 0x1000, 8, 0, 0);
	offer(0);
}

static void ring_desc_wraps(void)
{
	set_desc(0, ~0ull - 2, 16, 0, 0);
	offer(0);
}

static void ring_head_past_table(void)
{
	offer(QSIZE);
}

static void ring_next_past_table(void)
{
	set_desc(0, DATA, 1, 1, 200);
	offer(0);
}

static void ring_avail_jumps(void)
{
	set_desc(0, DATA, 1, 0, 0);
	*avail_idx() = QSIZE + 1;
}

static void ring_indirect(void)
{
	set_desc(0, DATA, 16, 4, 0);
	offer(0);
}

static void ring_read_after_write(void)
{
	set_desc(0, DATA, 1, 2 | 1, 1);
	set_desc(1, DATA, 1, 0, 0);
	offer(0);
}

static void ring_huge_len(void)
{
	set_desc(0, DATA, 0xffffffff, 0, 0);
	offer(0);
}

static void (*const bad_rings[])(void) = {
	ring_loop, ring_self_loop, ring_desc_outside, ring_desc_below,
	ring_desc_wraps, ring_head_past_table, ring_next_past_table,
	ring_avail_jumps, ring_indirect, ring_read_after_write, ring_huge_len,
};

START_TEST(test_malformed_ring)
{
	setup();
	bad_rings[_i]();
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EIO);
	ck_assert(vq.broken);
	ck_assert_ptr_nonnull(vq.why_broken);
	/* A broken queue stays broken and takes nothing more. */
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EIO);
	ck_assert_int_eq(virtq_push(&vq, 0, 0), -EIO);
}
END_TEST

/* Indirect tables (negotiated): the table sits at TABLE. */
#define TABLE		(GPA_BASE + 0x8000)
#define F_NEXT		1
#define F_WRITE		2
#define F_INDIRECT	4

static void set_entry(unsigned int i, uint64_t addr, uint32_t len,
		      uint16_t flags, uint16_t next)
{
	((struct desc *)at(TABLE))[i] = (struct desc) { addr, len, flags, next };
}

START_TEST(test_indirect_chain)
{
	setup();
	vq.indirect = true;
	/* One normal descriptor, then a table of three: out, in, in. */
	set_desc(2, DATA, 4, F_NEXT, 5);
	set_desc(5, TABLE, 3 * 16, F_INDIRECT | F_WRITE, 0);
	set_entry(0, DATA + 16, 16, F_NEXT, 2);
	set_entry(2, DATA + 64, 512, F_WRITE | F_NEXT, 1);
	set_entry(1, DATA + 1024, 1, F_WRITE, 0);
	offer(2);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_uint_eq(chain.nr_out, 2);
	ck_assert_uint_eq(chain.nr_in, 2);
	ck_assert_uint_eq(chain.out_len, 20);
	ck_assert_uint_eq(chain.in_len, 513);
	ck_assert_ptr_eq(chain.iov[0].iov_base, at(DATA));
	ck_assert_ptr_eq(chain.iov[1].iov_base, at(DATA + 16));
	ck_assert_ptr_eq(chain.iov[2].iov_base, at(DATA + 64));
	ck_assert_ptr_eq(chain.iov[3].iov_base, at(DATA + 1024));
	ck_assert_int_eq(virtq_push(&vq, chain.head, 513), 0);
	ck_assert_uint_eq(*used_idx(), 1);
}
END_TEST

/* A table of the most buffers a chain may have is taken whole. */
START_TEST(test_indirect_full_table)
{
	unsigned int i;

	setup();
	vq.indirect = true;
	for (i = 0; i < VIRTQ_MAX_SIZE; i++)
		set_entry(i, DATA, 1, i + 1 < VIRTQ_MAX_SIZE ? F_NEXT : 0, i + 1);
	set_desc(0, TABLE, VIRTQ_MAX_SIZE * 16, F_INDIRECT, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 1);
	ck_assert_uint_eq(chain.nr_out, VIRTQ_MAX_SIZE);
}
END_TEST

/* Malformed indirect tables, negotiated: each breaks the queue. */
static void table_with_next(void)
{
	set_entry(0, DATA, 1, 0, 0);
	set_desc(0, TABLE, 16, F_INDIRECT | F_NEXT, 1);
	set_desc(1, DATA, 1, 0, 0);
	offer(0);
}

static void table_empty(void)
{
	set_desc(0, TABLE, 0, F_INDIRECT, 0);
	offer(0);
}

static void table_partial_entry(void)
{
	set_entry(0, DATA, 1, 0, 0);
	set_desc(0, TABLE, 24, F_INDIRECT, 0);
	offer(0);
}

static void table_outside(void)
{
	set_desc(0, GPA_BASE + MEM_SIZE - 16, 32, F_INDIRECT, 0);
	offer(0);
}

static void table_nested(void)
{
	set_entry(0, TABLE, 16, F_INDIRECT, 0);
	set_desc(0, TABLE, 16, F_INDIRECT, 0);
	offer(0);
}

static void table_loop(void)
{
	set_entry(0, DATA, 1, F_NEXT, 1);
	set_entry(1, DATA, 1, F_NEXT, 0);
	set_desc(0, TABLE, 32, F_INDIRECT, 0);
	offer(0);
}

static void table_next_past_end(void)
{
	set_entry(0, DATA, 1, F_NEXT, 2);
	set_desc(0, TABLE, 32, F_INDIRECT, 0);
	offer(0);
}

static void table_entry_outside(void)
{
	set_entry(0, GPA_BASE + MEM_SIZE - 4, 8, 0, 0);
	set_desc(0, TABLE, 16, F_INDIRECT, 0);
	offer(0);
}

/* One buffer more than a chain may hold, through the table. */
static void table_too_long(void)
{
	unsigned int i;

	for (i = 0; i <= VIRTQ_MAX_SIZE; i++)
		set_entry(i, DATA, 1, i < VIRTQ_MAX_SIZE ? F_NEXT : 0, i + 1);
	set_desc(0, TABLE, (VIRTQ_MAX_SIZE + 1) * 16, F_INDIRECT, 0);
	offer(0);
}

static void (*const bad_tables[])(void) = {
	table_with_next, table_empty, table_partial_entry, table_outside,
	table_nested, table_loop, table_next_past_end, table_entry_outside,
	table_too_long,
};

START_TEST(test_malformed_table)
{
	setup();
	vq.indirect = true;
	bad_tables[_i]();
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EIO);
	ck_assert(vq.broken);
	ck_assert_ptr_nonnull(vq.why_broken);
}
END_TEST

START_TEST(test_bad_setup)
{
	ck_assert_int_eq(virtq_setup(&vq, &mem, 0, DESC, AVAIL, USED), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, 6, DESC, AVAIL, USED), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, 512, DESC, AVAIL, USED), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, DESC + 8, AVAIL, USED), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, DESC, AVAIL + 1, USED), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, DESC, AVAIL, USED + 2), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, GPA_BASE + MEM_SIZE - 16,
				     AVAIL, USED), -EINVAL);
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, 0, AVAIL, USED), -EINVAL);
}
END_TEST

Suite *virtq_suite(void)
{
	Suite *s = suite_create("virtq");
	TCase *tc = tcase_create("split");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_pop_push);
	tcase_add_test(tc, test_fill_is_bounded_by_the_chain);
	tcase_add_test(tc, test_read_is_bounded_by_the_chain);
	tcase_add_test(tc, test_index_wraps);
	tcase_add_test(tc, test_notify_suppression);
	tcase_add_test(tc, test_event_idx_interrupts);
	tcase_add_test(tc, test_event_idx_publishes_avail_event);
	tcase_add_loop_test(tc, test_malformed_ring, 0,
			    sizeof(bad_rings) / sizeof(bad_rings[0]));
	tcase_add_test(tc, test_indirect_chain);
	tcase_add_test(tc, test_indirect_full_table);
	tcase_add_loop_test(tc, test_malformed_table, 0,
			    sizeof(bad_tables) / sizeof(bad_tables[0]));
	tcase_add_test(tc, test_bad_setup);
	suite_add_tcase(s, tc);
	return s;
}
