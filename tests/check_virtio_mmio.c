// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio register file, driven the way a guest driver drives it, and
 * by a guest that writes nonsense.
 */
#include "tests/check.h"

#include <errno.h>
#include <pthread.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/mmio.h"
#include "devices/virtio/queue.h"
#include "vmm/loop.h"

#define GPA_BASE	0x40000000ull
#define MEM_SIZE	(64 * 1024)

#define GUARD		4096
#define GUARD_BYTE	0x5a

/* Guest RAM with guard pages either side that nothing may touch. */
static uint8_t arena[GUARD + MEM_SIZE + GUARD] __attribute__((aligned(4096)));
#define ram (arena + GUARD)
static struct gmem mem = { .host = arena + GUARD, .gpa = GPA_BASE, .size = MEM_SIZE };
static struct virtio_mmio vm;
static int ready_calls, reset_calls;

static void read_config(struct virtio_mmio *v, unsigned int off, void *data,
			unsigned int len)
{
	static const uint8_t config[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	(void)v;
	memcpy(data, config + off, len);
}

static void queue_ready(struct virtio_mmio *v, unsigned int q)
{
	(void)v;
	(void)q;
	ready_calls++;
}

static void reset(struct virtio_mmio *v)
{
	(void)v;
	reset_calls++;
}

static const struct virtio_dev_ops test_ops = {
	.device_id	= 3,
	.features	= (1ull << VIRTIO_F_VERSION_1) | (1ull << 1) |
			  (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
			  (1ull << VIRTIO_RING_F_EVENT_IDX),
	.nr_queues	= 2,
	.config_size	= 8,
	.read_config	= read_config,
	.queue_ready	= queue_ready,
	.reset		= reset,
};

static uint32_t rd(uint64_t off)
{
	uint32_t v;

	virtio_mmio_read(&vm, off, &v, 4);
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	virtio_mmio_write(&vm, off, &v, 4);
}

/* Pending count of an eventfd, draining it. */
static uint64_t drain(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static void setup(void)
{
	memset(arena, GUARD_BYTE, sizeof(arena));
	memset(ram, 0, MEM_SIZE);
	ready_calls = reset_calls = 0;
	ck_assert_int_eq(virtio_mmio_init(&vm, &test_ops, &mem, "test", NULL), 0);
}

static void teardown(void)
{
	virtio_mmio_exit(&vm);
}

/* Queue @q with rings in RAM, as Linux's virtio_mmio.c sets it up. */
static void driver_setup_queue(unsigned int q, uint64_t base)
{
	wr(0x030, q);
	ck_assert_uint_eq(rd(0x034), VIRTQ_MAX_SIZE);
	wr(0x038, 16);
	wr(0x080, (uint32_t)base);
	wr(0x084, base >> 32);
	wr(0x090, (uint32_t)(base + 0x100));
	wr(0x094, 0);
	wr(0x0a0, (uint32_t)(base + 0x200));
	wr(0x0a4, 0);
	wr(0x044, 1);
}

START_TEST(test_identity)
{
	ck_assert_uint_eq(rd(0x000), 0x74726976);
	ck_assert_uint_eq(rd(0x004), 2);
	ck_assert_uint_eq(rd(0x008), 3);
}
END_TEST

START_TEST(test_features)
{
	wr(0x014, 0);
	ck_assert_uint_eq(rd(0x010), (1u << 1) | (1u << VIRTIO_RING_F_INDIRECT_DESC) |
				     (1u << VIRTIO_RING_F_EVENT_IDX));
	wr(0x014, 1);
	ck_assert_uint_eq(rd(0x010), 1);	/* VERSION_1 is bit 32 */
	wr(0x014, 7);
	ck_assert_uint_eq(rd(0x010), 0);

	/* The driver cannot acknowledge features we did not offer. */
	wr(0x024, 0);
	wr(0x020, 0xffffffff);
	wr(0x024, 1);
	wr(0x020, 0xffffffff);
	ck_assert_uint_eq(vm.driver_features, test_ops.features);
}
END_TEST

START_TEST(test_legacy_driver_refused)
{
	/* FEATURES_OK without VERSION_1 does not stick (virtio 1.2, 3.1.1). */
	wr(0x070, 1 | 2 | 8);
	ck_assert_uint_eq(rd(0x070) & 8, 0);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8);
	ck_assert_uint_eq(rd(0x070) & 8, 8);
}
END_TEST

START_TEST(test_queue_setup_and_driver_ok)
{
	driver_setup_queue(0, GPA_BASE);
	driver_setup_queue(1, GPA_BASE + 0x1000);
	ck_assert_int_eq(ready_calls, 2);
	ck_assert_uint_eq(rd(0x044), 1);
	/* Not usable before DRIVER_OK. */
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 0));
	drain(vm.queues[0].kick_fd);

	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_ptr_nonnull(virtio_mmio_queue(&vm, 0));
	ck_assert_ptr_nonnull(virtio_mmio_queue(&vm, 1));
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 2));
	/* Offered, not taken: the rings may not hold indirect tables. */
	ck_assert(!virtio_mmio_queue(&vm, 0)->indirect);
	/* DRIVER_OK replays a notification for each ready queue. */
	ck_assert_uint_eq(drain(vm.queues[0].kick_fd), 1);
	ck_assert_uint_eq(drain(vm.queues[1].kick_fd), 1);
}
END_TEST

/* Indirect tables are allowed in the rings when the driver took them. */
START_TEST(test_indirect_follows_the_features)
{
	driver_setup_queue(0, GPA_BASE);
	wr(0x024, 0);
	wr(0x020, 1u << VIRTIO_RING_F_INDIRECT_DESC);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8);
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 0));
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	ck_assert(virtio_mmio_queue(&vm, 0)->indirect);
	/* Offered but not taken: notifications go by the flags. */
	ck_assert(!virtio_mmio_queue(&vm, 0)->event_idx);
}
END_TEST

START_TEST(test_event_idx_follows_the_features)
{
	driver_setup_queue(0, GPA_BASE);
	wr(0x024, 0);
	wr(0x020, 1u << VIRTIO_RING_F_EVENT_IDX);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	ck_assert(virtio_mmio_queue(&vm, 0)->event_idx);
	ck_assert(!virtio_mmio_queue(&vm, 0)->indirect);
}
END_TEST

START_TEST(test_queue_bad_rings_stay_disabled)
{
	wr(0x030, 0);
	wr(0x038, 16);
	wr(0x080, 0x1000);	/* outside guest RAM */
	wr(0x044, 1);
	ck_assert_uint_eq(rd(0x044), 0);
	ck_assert_int_eq(ready_calls, 0);

	wr(0x030, 1);
	wr(0x038, 3);		/* not a power of two */
	wr(0x080, (uint32_t)GPA_BASE);
	wr(0x090, (uint32_t)GPA_BASE + 0x100);
	wr(0x0a0, (uint32_t)GPA_BASE + 0x200);
	wr(0x044, 1);
	ck_assert_uint_eq(rd(0x044), 0);
}
END_TEST

START_TEST(test_notify_and_interrupt)
{
	driver_setup_queue(0, GPA_BASE);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	drain(vm.queues[0].kick_fd);

	/* The trapped QueueNotify path signals the same eventfd as KVM would. */
	wr(0x050, 0);
	ck_assert_uint_eq(drain(vm.queues[0].kick_fd), 1);
	wr(0x050, 9);		/* no such queue: ignored */

	virtio_mmio_notify(&vm, virtio_mmio_queue(&vm, 0));
	ck_assert_uint_eq(drain(vm.irq_fd), 1);
	ck_assert_uint_eq(rd(0x060), VIRTIO_MMIO_INT_VRING);
	wr(0x064, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(0x060), 0);
}
END_TEST

/*
 * The acknowledgement can arrive late (KVM's coalesced MMIO ring): an
 * interrupt raised between the driver's read and its write-back keeps
 * its reason, for the handler that interrupt runs.
 */
START_TEST(test_late_ack_keeps_a_new_reason)
{
	driver_setup_queue(0, GPA_BASE);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);

	virtio_mmio_notify(&vm, virtio_mmio_queue(&vm, 0));
	ck_assert_uint_eq(rd(0x060), VIRTIO_MMIO_INT_VRING);
	virtio_mmio_notify(&vm, virtio_mmio_queue(&vm, 0));
	wr(0x064, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(drain(vm.irq_fd), 2);
	ck_assert_uint_eq(rd(0x060), VIRTIO_MMIO_INT_VRING);
	/* That handler's own acknowledgement clears it. */
	wr(0x064, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(0x060), 0);

	/* Only the reason raised since the read survives; the other goes. */
	virtio_mmio_notify(&vm, virtio_mmio_queue(&vm, 0));
	ck_assert_uint_eq(rd(0x060), VIRTIO_MMIO_INT_VRING);
	virtio_mmio_fail(&vm, virtio_mmio_queue(&vm, 0));
	wr(0x064, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(0x060), VIRTIO_MMIO_INT_CONFIG);
}
END_TEST

/* What the sandbox lets the VMM write: every queue's kick, the interrupt. */
START_TEST(test_eventfds_listed)
{
	int fds[VIRTIO_MMIO_MAX_QUEUES + 1];
	unsigned int n = virtio_mmio_eventfds(&vm, fds), q;

	ck_assert_uint_eq(n, test_ops.nr_queues + 1);
	for (q = 0; q < test_ops.nr_queues; q++)
		ck_assert_int_eq(fds[q], vm.queues[q].kick_fd);
	ck_assert_int_eq(fds[n - 1], vm.irq_fd);
	ck_assert_int_ge(vm.irq_fd, 0);
}
END_TEST

START_TEST(test_fail_asks_for_reset)
{
	struct virtq *vq;

	driver_setup_queue(0, GPA_BASE);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	vq = virtio_mmio_queue(&vm, 0);
	vq->why_broken = "test";
	capture_log();
	virtio_mmio_fail(&vm, vq);
	virtio_mmio_fail(&vm, vq);
	ck_assert_int_eq(captured_lines(), 1);
	ck_assert_uint_eq(rd(0x070) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(rd(0x060) & VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 0));

	wr(0x070, 0);
	ck_assert_int_eq(reset_calls, 1);
	ck_assert_uint_eq(rd(0x070), 0);
	ck_assert_uint_eq(rd(0x044), 0);
}
END_TEST

START_TEST(test_config_space)
{
	uint8_t b[8];
	uint16_t h;

	virtio_mmio_read(&vm, 0x100 + 2, &h, 2);
	ck_assert_uint_eq(h, 0x0403);
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_read(&vm, 0x100 + 6, b, 4);		/* runs past the end */
	ck_assert_uint_eq(b[0], 0);
	virtio_mmio_read(&vm, 0x1fc, b, 4);
	ck_assert_uint_eq(b[0], 0);
}
END_TEST

START_TEST(test_odd_accesses)
{
	uint8_t b[8];

	memset(b, 0xaa, sizeof(b));
	virtio_mmio_read(&vm, 0x000, b, 1);	/* byte read of a word register */
	ck_assert_uint_eq(b[0], 0);
	virtio_mmio_read(&vm, 0x002, b, 4);	/* misaligned */
	ck_assert_uint_eq(b[0], 0);
	virtio_mmio_write(&vm, 0x072, b, 2);
	ck_assert_uint_eq(rd(0x070), 0);
}
END_TEST

/* The driver's way to DRIVER_OK with queue 0 at GPA_BASE, replay drained. */
static void driver_ready(void)
{
	driver_setup_queue(0, GPA_BASE);
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	drain(vm.queues[0].kick_fd);
}

/* Make one more one-descriptor chain available on the rings at @base (size 16). */
static void driver_add_chain_at(uint8_t *base)
{
	uint8_t *desc = base, *avail = base + 0x100;
	uint64_t addr = GPA_BASE + 0x2000;
	uint32_t len = 16;
	uint16_t idx;

	memcpy(desc, &addr, 8);
	memcpy(desc + 8, &len, 4);
	memset(desc + 12, 0, 4);
	memcpy(&idx, avail + 2, 2);
	memset(avail + 4 + 2 * (idx % 16), 0, 2);
	idx++;
	memcpy(avail + 2, &idx, 2);
}

/* ... on queue 0's. */
static void driver_add_chain(void)
{
	driver_add_chain_at(ram);
}

START_TEST(test_features_settled_at_features_ok)
{
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x024, 0);
	wr(0x020, 0);
	wr(0x070, 1 | 2 | 8);
	ck_assert_uint_eq(rd(0x070) & 8, 8);
	/* Section 3.1.1: no feature changes once FEATURES_OK is set. */
	wr(0x020, 1u << 1);
	wr(0x024, 1);
	wr(0x020, 0);
	ck_assert_uint_eq(vm.driver_features, 1ull << VIRTIO_F_VERSION_1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	wr(0x024, 0);
	wr(0x020, 1u << 1);
	ck_assert_uint_eq(vm.driver_features, 1ull << VIRTIO_F_VERSION_1);
	/* A reset opens them again. */
	wr(0x070, 0);
	wr(0x024, 0);
	wr(0x020, 1u << 1);
	ck_assert_uint_eq(vm.driver_features, 1ull << 1);
}
END_TEST

START_TEST(test_queues_fixed_after_driver_ok)
{
	driver_ready();
	/* No RING_RESET offered: the ring stays as it is until a reset. */
	wr(0x030, 0);
	wr(0x044, 0);
	ck_assert_uint_eq(rd(0x044), 1);
	ck_assert_ptr_nonnull(virtio_mmio_queue(&vm, 0));
	wr(0x080, 0x1234);
	ck_assert_uint_eq(vm.queues[0].desc, GPA_BASE);
	/* Nor may another queue be set up now. */
	driver_setup_queue(1, GPA_BASE + 0x1000);
	ck_assert_uint_eq(rd(0x044), 0);
	ck_assert_int_eq(ready_calls, 1);
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 1));
	/* A reset takes them down and lets the driver start again. */
	wr(0x070, 0);
	ck_assert_int_eq(reset_calls, 1);
	wr(0x030, 0);
	ck_assert_uint_eq(rd(0x044), 0);
	driver_ready();
	ck_assert_ptr_nonnull(virtio_mmio_queue(&vm, 0));
}
END_TEST

START_TEST(test_status_bits_only_accumulate)
{
	driver_ready();
	wr(0x070, 1);		/* tries to clear DRIVER_OK and FEATURES_OK */
	ck_assert_uint_eq(rd(0x070), 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_ptr_nonnull(virtio_mmio_queue(&vm, 0));
	/* NEEDS_RESET is the device's to set, never the driver's. */
	wr(0x070, VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(rd(0x070) & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(test_no_queue_without_features_ok)
{
	driver_setup_queue(0, GPA_BASE);
	/* DRIVER_OK with the features never settled: nothing is served. */
	wr(0x070, 1 | 2 | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 0));
	/* And FEATURES_OK cannot come after DRIVER_OK. */
	wr(0x024, 1);
	wr(0x020, 1);
	wr(0x070, 1 | 2 | 8 | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(rd(0x070) & 8, 0);
	ck_assert_ptr_null(virtio_mmio_queue(&vm, 0));
}
END_TEST

/*
 * A driver that adds a chain each time one is taken, as a second vCPU
 * can: one pass ends after the queue's size, with the kick signalled so
 * that the loop comes back, and the next pass goes on.
 */
START_TEST(test_pass_is_bounded)
{
	struct virtq_chain chain;
	unsigned int taken = 0, popped = 0, pass;

	driver_ready();
	for (pass = 0; pass < 3; pass++) {
		taken = 0;
		driver_add_chain();
		while (virtio_mmio_pop(&vm, 0, &taken, &chain) > 0) {
			virtq_push(virtio_mmio_queue(&vm, 0), chain.head, 0);
			driver_add_chain();
			popped++;
			ck_assert_uint_le(popped, 16 * (pass + 1));
		}
		ck_assert_uint_eq(taken, 16);
		ck_assert_uint_eq(popped, 16 * (pass + 1));
		ck_assert_uint_eq(drain(vm.queues[0].kick_fd), 1);
		ck_assert_uint_eq(drain(vm.queues[1].kick_fd), 0);
	}
	/* An empty queue ends a pass without a kick. */
	taken = 0;
	while (virtio_mmio_pop(&vm, 0, &taken, &chain) > 0)
		virtq_push(virtio_mmio_queue(&vm, 0), chain.head, 0);
	ck_assert_uint_eq(drain(vm.queues[0].kick_fd), 0);
	/* No queue at all: nothing taken, no kick. */
	taken = 0;
	ck_assert_int_eq(virtio_mmio_pop(&vm, 1, &taken, &chain), 0);
	ck_assert_uint_eq(drain(vm.queues[1].kick_fd), 0);
}
END_TEST

/* Any sequence of guest accesses must leave the VMM standing. */
START_TEST(test_random_accesses)
{
	unsigned int seed = 12345, i;
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	uint64_t v;

	for (i = 0; i < 200000; i++) {
		uint64_t off = rand_r(&seed) % 0x200;
		unsigned int len = sizes[rand_r(&seed) % 4];

		v = (uint64_t)rand_r(&seed) << 32 | rand_r(&seed);
		/* Point some addresses into RAM so queues do get enabled. */
		if (rand_r(&seed) % 4 == 0)
			v = GPA_BASE + (v % MEM_SIZE);
		if (rand_r(&seed) % 2)
			virtio_mmio_write(&vm, off, &v, len);
		else
			virtio_mmio_read(&vm, off, &v, len);
		if (i % 64 == 0) {
			struct virtq *vq = virtio_mmio_queue(&vm, rand_r(&seed) % 3);
			struct virtq_chain chain;

			if (vq && virtq_pop(vq, &chain) > 0)
				virtq_push(vq, chain.head, 0);
		}
	}
	/* Every byte the device wrote stayed inside the fake guest RAM. */
	for (i = 0; i < GUARD; i++) {
		ck_assert_uint_eq(arena[i], GUARD_BYTE);
		ck_assert_uint_eq(arena[GUARD + MEM_SIZE + i], GUARD_BYTE);
	}
	/* And a reset still brings the device back. */
	wr(0x070, 0);
	ck_assert_uint_eq(rd(0x070), 0);
	ck_assert_uint_eq(rd(0x000), 0x74726976);
}
END_TEST

/* --- the queue service ---------------------------------------------- */

static struct loop test_loop;
static int handled, held_heads[32], nr_held;
static bool take_none, hold_all, refill;
static int kicked_calls;

static int test_handle_chain(struct virtio_mmio *v, unsigned int q,
			     struct virtq_chain *chain)
{
	(void)v;
	(void)q;
	handled++;
	if (refill)
		driver_add_chain();
	if (hold_all) {
		held_heads[nr_held++ % 32] = chain->head;
		return VIRTIO_QUEUE_HELD;
	}
	return 7;
}

static bool test_can_take(struct virtio_mmio *v, unsigned int q)
{
	(void)v;
	(void)q;
	return !take_none;
}

static void test_kicked(struct virtio_mmio *v, unsigned int q)
{
	(void)v;
	(void)q;
	kicked_calls++;
	loop_stop(&test_loop);
}

static const struct virtio_dev_ops served_ops = {
	.device_id	= 3,
	.features	= 1ull << VIRTIO_F_VERSION_1,
	.nr_queues	= 2,
	.handle_chain	= test_handle_chain,
	.can_take	= test_can_take,
	.kicked		= test_kicked,
	.serve_in_vcpu	= 1u << 1,
};

static void served_setup(void)
{
	memset(ram, 0, MEM_SIZE);
	handled = nr_held = kicked_calls = 0;
	take_none = hold_all = refill = false;
	ck_assert_int_eq(virtio_mmio_init(&vm, &served_ops, &mem, "served", NULL), 0);
	driver_ready();
	drain(vm.irq_fd);
}

static uint16_t used_idx(void)
{
	uint16_t idx;

	memcpy(&idx, ram + 0x200 + 2, 2);
	return idx;
}

START_TEST(test_serve_pushes_and_notifies_once)
{
	driver_add_chain();
	driver_add_chain();
	driver_add_chain();
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(handled, 3);
	ck_assert_uint_eq(used_idx(), 3);
	ck_assert_uint_eq(drain(vm.irq_fd), 1);
	/* Nothing available: nothing handled, no interrupt. */
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(handled, 3);
	ck_assert_uint_eq(drain(vm.irq_fd), 0);
}
END_TEST

START_TEST(test_serve_held_chains_complete_later)
{
	hold_all = true;
	driver_add_chain();
	driver_add_chain();
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(nr_held, 2);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(drain(vm.irq_fd), 0);
	virtio_queue_complete(&vm, 0, held_heads[1], 1);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(drain(vm.irq_fd), 1);
	/* After a reset a held chain belongs to no ring: it is dropped. */
	wr(0x070, 0);
	virtio_queue_complete(&vm, 0, held_heads[0], 1);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(drain(vm.irq_fd), 0);
}
END_TEST

static void noop_done(struct loop_op *op, int res)
{
	(void)op;
	(void)res;
}

static void stop_done(struct loop_op *op, int res)
{
	(void)op;
	(void)res;
	loop_stop(&test_loop);
}

/* Chains completed in one batch of the loop's share one interrupt. */
START_TEST(test_complete_later_one_interrupt)
{
	struct loop_op first = { .done = noop_done }, last = { .done = stop_done };

	ck_assert_int_eq(loop_init(&test_loop, 16), 0);
	virtio_queue_listen(&vm, &test_loop);
	hold_all = true;
	driver_add_chain();
	driver_add_chain();
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(nr_held, 2);
	virtio_queue_complete_later(&vm, 0, held_heads[0], 1);
	virtio_queue_complete_later(&vm, 0, held_heads[1], 1);
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_eq(drain(vm.irq_fd), 0);
	/* The first batch ends with the interrupt; the second stops the run. */
	ck_assert_int_eq(loop_timeout(&test_loop, &first, 1), 0);
	ck_assert_int_eq(loop_timeout(&test_loop, &last, 200), 0);
	ck_assert_int_eq(loop_run(&test_loop), 0);
	ck_assert_uint_eq(drain(vm.irq_fd), 1);
	loop_exit(&test_loop);
}
END_TEST

START_TEST(test_serve_asks_can_take)
{
	take_none = true;
	driver_add_chain();
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(handled, 0);
	take_none = false;
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(handled, 1);
}
END_TEST

/* The driver adds a chain for each one handled: the pass stops at the size. */
START_TEST(test_serve_is_bounded)
{
	refill = true;
	driver_add_chain();
	virtio_queue_serve(&vm, 0);
	ck_assert_int_eq(handled, 16);
	ck_assert_uint_eq(drain(vm.queues[0].kick_fd), 1);
	ck_assert_uint_eq(drain(vm.irq_fd), 1);
}
END_TEST

/* A trapped notification: queue 1 is served in the vCPU, queue 0 kicked. */
START_TEST(test_trapped_notify)
{
	wr(0x070, 0);
	driver_setup_queue(1, GPA_BASE + 0x4000);
	driver_ready();
	drain(vm.queues[1].kick_fd);
	driver_add_chain();
	driver_add_chain_at(ram + 0x4000);
	wr(0x050, 0);
	ck_assert_int_eq(handled, 0);
	ck_assert_uint_eq(drain(vm.queues[0].kick_fd), 1);
	wr(0x050, 1);
	ck_assert_int_eq(handled, 1);
	ck_assert_uint_eq(drain(vm.queues[1].kick_fd), 0);
}
END_TEST

/* In the loop: a kick is served, then the device's kicked() hook runs. */
START_TEST(test_listen_serves_kicks)
{
	ck_assert_int_eq(loop_init(&test_loop, 16), 0);
	virtio_queue_listen(&vm, &test_loop);
	driver_add_chain();
	virtio_mmio_kick(&vm, 0);
	ck_assert_int_eq(loop_run(&test_loop), 0);
	ck_assert_int_eq(handled, 1);
	ck_assert_int_eq(kicked_calls, 1);
	ck_assert_uint_eq(used_idx(), 1);
	loop_exit(&test_loop);
}
END_TEST

/*
 * A vCPU holding the device's lock when a kick comes: the loop waits on
 * the lock, and past its wait sends the kick round again; the kick is
 * served once the lock is free either way.
 */
static volatile int holding;

static void *hold_lock(void *until_counter)
{
	uint64_t *counter = until_counter;

	pthread_mutex_lock(&vm.lock);
	__atomic_store_n(&holding, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(counter, __ATOMIC_SEQ_CST))
		usleep(50);
	pthread_mutex_unlock(&vm.lock);
	return NULL;
}

/* Runs the loop with the lock held until @counter moves; the kick's fate. */
static void kick_under_held_lock(uint64_t *counter)
{
	pthread_t holder;
	int runs;

	ck_assert_int_eq(loop_init(&test_loop, 16), 0);
	virtio_queue_listen(&vm, &test_loop);
	holding = 0;
	ck_assert_int_eq(pthread_create(&holder, NULL, hold_lock, counter), 0);
	while (!__atomic_load_n(&holding, __ATOMIC_SEQ_CST))
		usleep(50);
	driver_add_chain();
	virtio_mmio_kick(&vm, 0);
	/* kicked() stops the loop after every kick, served or sent round. */
	for (runs = 0; runs < 10000 && !handled; runs++)
		ck_assert_int_eq(loop_run(&test_loop), 0);
	pthread_join(holder, NULL);
	ck_assert_int_eq(handled, 1);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_ge(test_loop.lock_waits, 1);
	loop_exit(&test_loop);
}

START_TEST(test_kick_waits_for_the_lock)
{
	kick_under_held_lock(&test_loop.lock_waits);
}
END_TEST

START_TEST(test_kick_sent_round_after_the_wait)
{
	kick_under_held_lock(&test_loop.lock_retries);
	ck_assert_uint_ge(test_loop.lock_retries, 1);
	ck_assert_int_ge(kicked_calls, 2);
}
END_TEST

Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio-mmio");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_eventfds_listed);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_indirect_follows_the_features);
	tcase_add_test(tc, test_event_idx_follows_the_features);
	tcase_add_test(tc, test_legacy_driver_refused);
	tcase_add_test(tc, test_queue_setup_and_driver_ok);
	tcase_add_test(tc, test_queue_bad_rings_stay_disabled);
	tcase_add_test(tc, test_notify_and_interrupt);
	tcase_add_test(tc, test_late_ack_keeps_a_new_reason);
	tcase_add_test(tc, test_fail_asks_for_reset);
	tcase_add_test(tc, test_config_space);
	tcase_add_test(tc, test_odd_accesses);
	tcase_add_test(tc, test_random_accesses);
	tcase_add_test(tc, test_features_settled_at_features_ok);
	tcase_add_test(tc, test_queues_fixed_after_driver_ok);
	tcase_add_test(tc, test_status_bits_only_accumulate);
	tcase_add_test(tc, test_no_queue_without_features_ok);
	tcase_add_test(tc, test_pass_is_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue service");
	tcase_add_checked_fixture(tc, served_setup, teardown);
	tcase_add_test(tc, test_serve_pushes_and_notifies_once);
	tcase_add_test(tc, test_serve_held_chains_complete_later);
	tcase_add_test(tc, test_serve_asks_can_take);
	tcase_add_test(tc, test_serve_is_bounded);
	tcase_add_test(tc, test_trapped_notify);
	tcase_add_test(tc, test_listen_serves_kicks);
	tcase_add_test(tc, test_kick_waits_for_the_lock);
	tcase_add_test(tc, test_kick_sent_round_after_the_wait);
	tcase_add_test(tc, test_complete_later_one_interrupt);
	suite_add_tcase(s, tc);
	return s;
}
