// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-gpio messages over a fake set of host lines that records what
 * it was asked: every message type, the statuses, the checks that keep a
 * hostile driver away from the host lines, and the interrupt rules (one
 * buffer per line, no edge lost, levels, turning an interrupt off).
 */
#include "tests/check.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "devices/virtio/gpio-msg.h"

#define NR	4
#define IN	VIRTIO_GPIO_DIRECTION_IN
#define OUT	VIRTIO_GPIO_DIRECTION_OUT

struct fake_host {
	uint8_t value[NR];		/* the pins */
	uint8_t direction[NR];
	unsigned int edges[NR];
	unsigned int calls, restores;
	int fail;			/* next call returns this */
	unsigned int delivered;
	unsigned int deliver_line;
	uint16_t deliver_head;
	uint8_t deliver_status;
};

static struct fake_host host;
static struct vgpio g;

static int take_fail(unsigned int line)
{
	int ret = host.fail;

	ck_assert_uint_lt(line, NR);	/* never a line the guest was not given */
	host.calls++;
	host.fail = 0;
	return ret;
}

static int fake_get(void *h, unsigned int line, uint8_t *value)
{
	(void)h;
	*value = host.value[line < NR ? line : 0];
	return take_fail(line);
}

static int fake_set(void *h, unsigned int line, uint8_t value)
{
	int ret = take_fail(line);

	(void)h;
	ck_assert_uint_le(value, 1);
	if (!ret)
		host.value[line] = value;
	return ret;
}

static int fake_configure(void *h, unsigned int line, uint8_t dir,
			  uint8_t value, unsigned int edges)
{
	int ret = take_fail(line);

	(void)h;
	if (!ret) {
		host.direction[line] = dir;
		host.edges[line] = edges;
		if (dir == OUT)
			host.value[line] = value;
	}
	return ret;
}

static int fake_restore(void *h, unsigned int line)
{
	(void)h;
	host.restores++;
	host.edges[line] = 0;
	return take_fail(line);
}

static void fake_deliver(void *h, unsigned int line, uint16_t head, uint8_t status)
{
	(void)h;
	host.delivered++;
	host.deliver_line = line;
	host.deliver_head = head;
	host.deliver_status = status;
}

static const struct vgpio_lines_ops fake_ops = {
	.get = fake_get, .set = fake_set, .configure = fake_configure,
	.restore = fake_restore, .deliver = fake_deliver,
};

static const char names[] = "led0\0led1\0\0button";

static void setup(void)
{
	static const uint8_t dirs[NR] = { OUT, OUT, IN, IN };
	static const uint8_t values[NR] = { 1, 0, 0, 0 };

	memset(&host, 0, sizeof(host));
	memcpy(host.direction, dirs, NR);
	memcpy(host.value, values, NR);
	vgpio_init(&g, &fake_ops, &host, NR, dirs, values, names, sizeof(names));
	g.irq = true;
}

/* Send one request; the response's status, its value in *@value. */
static int request(uint16_t type, uint16_t line, uint32_t value, uint8_t *out)
{
	struct virtio_gpio_request r = {
		.type = htole16(type), .gpio = htole16(line), .value = htole32(value),
	};
	struct virtio_gpio_response res;

	ck_assert_uint_eq(vgpio_request(&g, &r, sizeof(r), &res, sizeof(res)), sizeof(res));
	if (out)
		*out = res.value;
	return res.status;
}

/* Queue an event buffer for @line: 1 and *@status if it came back at once. */
static int event_buffer(uint16_t line, uint16_t head, uint8_t *status)
{
	struct virtio_gpio_irq_request r = { .gpio = htole16(line) };

	return vgpio_event_buffer(&g, &r, sizeof(r), 1, head, status);
}

START_TEST(test_names)
{
	struct virtio_gpio_request r = { .type = htole16(VIRTIO_GPIO_MSG_GET_NAMES) };
	uint8_t resp[64];

	ck_assert_uint_eq(vgpio_request(&g, &r, sizeof(r), resp, sizeof(resp)),
			  1 + sizeof(names));
	ck_assert_uint_eq(resp[0], VIRTIO_GPIO_STATUS_OK);
	ck_assert_mem_eq(resp + 1, names, sizeof(names));
	/* No room for the block: an error, and nothing past the room. */
	memset(resp, 0xaa, sizeof(resp));
	ck_assert_uint_eq(vgpio_request(&g, &r, sizeof(r), resp, sizeof(names)), 1);
	ck_assert_uint_eq(resp[0], VIRTIO_GPIO_STATUS_ERR);
	ck_assert_uint_eq(resp[1], 0xaa);
}
END_TEST

START_TEST(test_directions_and_values)
{
	uint8_t v;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_GET_DIRECTION, 0, 0, &v), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(v, OUT);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_GET_DIRECTION, 3, 0, &v), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(v, IN);

	/* An output is driven at once. */
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_VALUE, 1, 1, NULL), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.value[1], 1);
	host.value[0] = 0;
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_GET_VALUE, 0, 0, &v), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(v, 0);

	/* Linux's direction_output(): the value first, then the direction. */
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, NULL), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.value[2], 0);	/* still an input */
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_DIRECTION, 2, OUT, NULL), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.direction[2], OUT);
	ck_assert_uint_eq(host.value[2], 1);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_GET_DIRECTION, 2, 0, &v), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(v, OUT);

	/* The driver lets it go: back as the host had it. */
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_DIRECTION, 2, VIRTIO_GPIO_DIRECTION_NONE, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.restores, 1);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_GET_DIRECTION, 2, 0, &v), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(v, IN);
}
END_TEST

START_TEST(test_host_error_is_a_status)
{
	host.fail = -EIO;
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), VIRTIO_GPIO_STATUS_ERR);
	ck_assert_uint_eq(g.rejected, 1);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), VIRTIO_GPIO_STATUS_OK);
}
END_TEST

/* Requests a hostile or broken driver may send: an error, no host call. */
static const struct {
	uint16_t type, line;
	uint32_t value;
} bad_requests[] = {
	{ VIRTIO_GPIO_MSG_GET_VALUE, NR, 0 },
	{ VIRTIO_GPIO_MSG_SET_VALUE, 0xffff, 1 },
	{ VIRTIO_GPIO_MSG_SET_DIRECTION, NR + 1, OUT },
	{ VIRTIO_GPIO_MSG_SET_VALUE, 0, 2 },
	{ VIRTIO_GPIO_MSG_SET_DIRECTION, 0, 3 },
	{ VIRTIO_GPIO_MSG_IRQ_TYPE, 2, 5 },
	{ VIRTIO_GPIO_MSG_IRQ_TYPE, 0, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING },	/* an output */
	{ 0, 0, 0 },
	{ 7, 0, 0 },
	{ 0xffff, 1, 1 },
};

START_TEST(test_bad_request)
{
	ck_assert_int_eq(request(bad_requests[_i].type, bad_requests[_i].line,
				 bad_requests[_i].value, NULL), VIRTIO_GPIO_STATUS_ERR);
	ck_assert_uint_eq(host.calls, 0);
	ck_assert_uint_eq(g.rejected, 1);
}
END_TEST

START_TEST(test_short_buffers)
{
	struct virtio_gpio_request r = { .type = htole16(VIRTIO_GPIO_MSG_SET_VALUE) };
	uint8_t resp[2] = { 0xaa, 0xaa };

	/* A request shorter than the message. */
	ck_assert_uint_eq(vgpio_request(&g, &r, sizeof(r) - 1, resp, sizeof(resp)), 2);
	ck_assert_uint_eq(resp[0], VIRTIO_GPIO_STATUS_ERR);
	/* Room for the status only: the status, and an error. */
	memset(resp, 0xaa, sizeof(resp));
	ck_assert_uint_eq(vgpio_request(&g, &r, sizeof(r), resp, 1), 1);
	ck_assert_uint_eq(resp[0], VIRTIO_GPIO_STATUS_ERR);
	ck_assert_uint_eq(resp[1], 0xaa);
	/* No room at all: nothing written. */
	ck_assert_uint_eq(vgpio_request(&g, &r, sizeof(r), resp, 0), 0);
	ck_assert_uint_eq(host.calls, 0);
}
END_TEST

START_TEST(test_irq_needs_the_feature)
{
	uint8_t status;

	g.irq = false;
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			 VIRTIO_GPIO_STATUS_ERR);
	ck_assert_int_eq(event_buffer(3, 0, &status), 1);
	ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_INVALID);
}
END_TEST

START_TEST(test_edge_rising)
{
	uint8_t status;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.edges[3], VGPIO_EDGE_RISING);
	ck_assert_int_eq(event_buffer(3, 17, &status), 0);	/* held */
	vgpio_host_edge(&g, 3, false);
	ck_assert_uint_eq(host.delivered, 0);
	vgpio_host_edge(&g, 3, true);
	ck_assert_uint_eq(host.delivered, 1);
	ck_assert_uint_eq(host.deliver_line, 3);
	ck_assert_uint_eq(host.deliver_head, 17);
	ck_assert_uint_eq(host.deliver_status, VIRTIO_GPIO_IRQ_STATUS_VALID);
	/* No buffer now: the next edge waits for one. */
	vgpio_host_edge(&g, 3, true);
	ck_assert_uint_eq(host.delivered, 1);
	ck_assert_uint_eq(g.irqs, 1);
}
END_TEST

START_TEST(test_no_edge_lost)
{
	uint8_t status;
	int i;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 2, VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.edges[2], VGPIO_EDGE_RISING | VGPIO_EDGE_FALLING);
	/* Three edges while the driver had no buffer queued ... */
	vgpio_host_edge(&g, 2, true);
	vgpio_host_edge(&g, 2, false);
	vgpio_host_edge(&g, 2, true);
	/* ... each comes back on one buffer, then the next is held. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(event_buffer(2, i, &status), 1);
		ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_VALID);
	}
	ck_assert_int_eq(event_buffer(2, 3, &status), 0);
	ck_assert_uint_eq(g.irqs, 3);
	ck_assert_uint_eq(host.delivered, 0);
}
END_TEST

START_TEST(test_level)
{
	uint8_t status;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	/* High when the buffer comes: it fires at once, and again while high. */
	host.value[3] = 1;
	ck_assert_int_eq(event_buffer(3, 1, &status), 1);
	ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_VALID);
	ck_assert_int_eq(event_buffer(3, 2, &status), 1);
	/* Low: held until the line rises. */
	host.value[3] = 0;
	ck_assert_int_eq(event_buffer(3, 3, &status), 0);
	vgpio_host_edge(&g, 3, false);
	ck_assert_uint_eq(host.delivered, 0);
	host.value[3] = 1;
	vgpio_host_edge(&g, 3, true);
	ck_assert_uint_eq(host.delivered, 1);
	ck_assert_uint_eq(host.deliver_head, 3);

	/* Level low on another line. */
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 2, VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	host.value[2] = 0;
	ck_assert_int_eq(event_buffer(2, 4, &status), 1);
	ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_VALID);
}
END_TEST

START_TEST(test_irq_off_returns_the_buffer)
{
	uint8_t status;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_int_eq(event_buffer(3, 9, &status), 0);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_NONE, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.delivered, 1);
	ck_assert_uint_eq(host.deliver_head, 9);
	ck_assert_uint_eq(host.deliver_status, VIRTIO_GPIO_IRQ_STATUS_INVALID);
	ck_assert_uint_eq(host.edges[3], 0);
	/* Off: edges are not kept, buffers come back invalid. */
	vgpio_host_edge(&g, 3, false);
	ck_assert_int_eq(event_buffer(3, 10, &status), 1);
	ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_INVALID);
	ck_assert_uint_eq(g.irqs, 0);
}
END_TEST

START_TEST(test_bad_event_buffers)
{
	struct virtio_gpio_irq_request r = { .gpio = htole16(3) };
	uint8_t status;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	host.calls = 0;
	/* No such line; too short; no room for the status. */
	ck_assert_int_eq(event_buffer(NR, 1, &status), 1);
	ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_INVALID);
	ck_assert_int_eq(vgpio_event_buffer(&g, &r, 1, 1, 2, &status), 1);
	ck_assert_int_eq(vgpio_event_buffer(&g, &r, sizeof(r), 0, 3, &status), 1);
	/* A second buffer for a line that has one. */
	ck_assert_int_eq(event_buffer(3, 4, &status), 0);
	ck_assert_int_eq(event_buffer(3, 5, &status), 1);
	ck_assert_uint_eq(status, VIRTIO_GPIO_IRQ_STATUS_INVALID);
	vgpio_host_edge(&g, 3, true);
	ck_assert_uint_eq(host.deliver_head, 4);
	/* An edge report for a line the device does not have. */
	vgpio_host_edge(&g, NR + 3, true);
	ck_assert_uint_eq(host.delivered, 1);
	ck_assert_uint_eq(host.calls, 0);
}
END_TEST

START_TEST(test_interrupt_line_stays_an_input)
{
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_DIRECTION, 3, OUT, NULL), VIRTIO_GPIO_STATUS_ERR);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_DIRECTION, 3, VIRTIO_GPIO_DIRECTION_NONE, NULL),
			 VIRTIO_GPIO_STATUS_ERR);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_DIRECTION, 3, IN, NULL), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(host.edges[3], VGPIO_EDGE_RISING);
}
END_TEST

START_TEST(test_reset)
{
	uint8_t status, v;

	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_SET_DIRECTION, 1, IN, NULL), VIRTIO_GPIO_STATUS_OK);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_IRQ_TYPE, 3, VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			 VIRTIO_GPIO_STATUS_OK);
	ck_assert_int_eq(event_buffer(3, 6, &status), 0);
	vgpio_reset(&g);
	ck_assert_uint_eq(host.restores, NR);
	/* The held buffer belongs to no ring now: not handed back. */
	vgpio_host_edge(&g, 3, true);
	ck_assert_uint_eq(host.delivered, 0);
	ck_assert_int_eq(request(VIRTIO_GPIO_MSG_GET_DIRECTION, 1, 0, &v), VIRTIO_GPIO_STATUS_OK);
	ck_assert_uint_eq(v, OUT);
	ck_assert(!g.irq);
}
END_TEST

Suite *virtio_gpio_suite(void)
{
	Suite *s = suite_create("virtio_gpio");
	TCase *tc = tcase_create("messages");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_directions_and_values);
	tcase_add_test(tc, test_host_error_is_a_status);
	tcase_add_loop_test(tc, test_bad_request, 0,
			    sizeof(bad_requests) / sizeof(bad_requests[0]));
	tcase_add_test(tc, test_short_buffers);
	tcase_add_test(tc, test_irq_needs_the_feature);
	tcase_add_test(tc, test_edge_rising);
	tcase_add_test(tc, test_no_edge_lost);
	tcase_add_test(tc, test_level);
	tcase_add_test(tc, test_irq_off_returns_the_buffer);
	tcase_add_test(tc, test_bad_event_buffers);
	tcase_add_test(tc, test_interrupt_line_stays_an_input);
	tcase_add_test(tc, test_reset);
	suite_add_tcase(s, tc);
	return s;
}
