// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-gpio requests and events, decoded and checked; see the header.
 * Everything is read once from the driver's buffer into a local copy
 * before it is looked at.
 */
#include "devices/virtio/gpio-msg.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#define IRQ_TYPE_LEVEL	(VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH | VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW)

void vgpio_init(struct vgpio *g, const struct vgpio_lines_ops *ops, void *host,
		unsigned int nr_lines, const uint8_t *directions,
		const uint8_t *values, const char *names, uint32_t names_size)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->ops = ops;
	g->host = host;
	g->nr_lines = nr_lines < VGPIO_MAX_LINES ? nr_lines : VGPIO_MAX_LINES;
	g->names = names;
	g->names_size = names_size;
	for (i = 0; i < g->nr_lines; i++) {
		struct vgpio_line *l = &g->lines[i];

		l->host_direction = l->direction = directions[i];
		l->host_value = l->value = values[i];
	}
}

/* The edges the host must report for an interrupt of @type. */
static unsigned int edges_for(uint8_t type)
{
	switch (type) {
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING:
		return VGPIO_EDGE_RISING;
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING:
		return VGPIO_EDGE_FALLING;
	case VIRTIO_GPIO_IRQ_TYPE_NONE:
		return 0;
	default:	/* both edges; levels follow the line through them */
		return VGPIO_EDGE_RISING | VGPIO_EDGE_FALLING;
	}
}

static bool irq_type_valid(uint32_t type)
{
	switch (type) {
	case VIRTIO_GPIO_IRQ_TYPE_NONE:
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING:
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING:
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH:
	case VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH:
	case VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW:
		return true;
	default:
		return false;
	}
}

/* --- interrupts ------------------------------------------------------ */

/*
 * Whether @line's interrupt fires now, for a buffer the driver has
 * queued; an edge it fires for is used up.
 */
static bool line_fires(struct vgpio *g, unsigned int line)
{
	struct vgpio_line *l = &g->lines[line];
	uint8_t value;

	if (l->irq_type & IRQ_TYPE_LEVEL) {
		if (g->ops->get(g->host, line, &value))
			return false;
		return value == (l->irq_type == VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH);
	}
	if (!l->pending)
		return false;
	l->pending--;
	return true;
}

/* Give @line's held buffer back with @status. */
static void line_deliver(struct vgpio *g, unsigned int line, uint8_t status)
{
	struct vgpio_line *l = &g->lines[line];

	l->held = false;
	if (status == VIRTIO_GPIO_IRQ_STATUS_VALID)
		g->irqs++;
	g->ops->deliver(g->host, line, l->head, status);
}

int vgpio_event_buffer(struct vgpio *g, const void *req, uint32_t req_len,
		       uint32_t resp_cap, uint16_t head, uint8_t *status)
{
	struct virtio_gpio_irq_request r;
	struct vgpio_line *l;
	unsigned int line;

	*status = VIRTIO_GPIO_IRQ_STATUS_INVALID;
	if (!g->irq || req_len < sizeof(r) || resp_cap < 1)
		return 1;
	memcpy(&r, req, sizeof(r));
	line = le16toh(r.gpio);
	if (line >= g->nr_lines)
		return 1;
	l = &g->lines[line];
	/* One buffer per line; the type says whether the line may fire. */
	if (l->held || l->irq_type == VIRTIO_GPIO_IRQ_TYPE_NONE)
		return 1;
	if (line_fires(g, line)) {
		g->irqs++;
		*status = VIRTIO_GPIO_IRQ_STATUS_VALID;
		return 1;
	}
	l->held = true;
	l->head = head;
	return 0;
}

void vgpio_host_edge(struct vgpio *g, unsigned int line, bool rising)
{
	struct vgpio_line *l;

	if (line >= g->nr_lines)
		return;
	l = &g->lines[line];
	g->edges++;
	if (l->irq_type == VIRTIO_GPIO_IRQ_TYPE_NONE)
		return;		/* a late report from before the guest turned it off */
	if (!(l->irq_type & IRQ_TYPE_LEVEL)) {
		if (!(edges_for(l->irq_type) & (rising ? VGPIO_EDGE_RISING : VGPIO_EDGE_FALLING)))
			return;
		if (l->pending < UINT32_MAX)
			l->pending++;
	}
	if (l->held && line_fires(g, line))
		line_deliver(g, line, VIRTIO_GPIO_IRQ_STATUS_VALID);
}

/* --- requests -------------------------------------------------------- */

static int set_irq_type(struct vgpio *g, unsigned int line, uint32_t type)
{
	struct vgpio_line *l = &g->lines[line];
	int ret;

	if (!g->irq || !irq_type_valid(type))
		return -EINVAL;
	if (type != VIRTIO_GPIO_IRQ_TYPE_NONE &&
	    l->direction != VIRTIO_GPIO_DIRECTION_IN)
		return -EINVAL;		/* an interrupt comes from an input */
	if (l->direction == VIRTIO_GPIO_DIRECTION_IN) {
		ret = g->ops->configure(g->host, line, VIRTIO_GPIO_DIRECTION_IN,
					0, edges_for(type));
		if (ret)
			return ret;
	}
	if (type != l->irq_type)
		l->pending = 0;
	l->irq_type = type;
	if (l->held && type == VIRTIO_GPIO_IRQ_TYPE_NONE)
		line_deliver(g, line, VIRTIO_GPIO_IRQ_STATUS_INVALID);
	else if (l->held && (type & IRQ_TYPE_LEVEL) && line_fires(g, line))
		line_deliver(g, line, VIRTIO_GPIO_IRQ_STATUS_VALID);
	return 0;
}

static int set_direction(struct vgpio *g, unsigned int line, uint32_t dir)
{
	struct vgpio_line *l = &g->lines[line];
	int ret;

	/* An interrupt line stays an input until its interrupt is off. */
	if (l->irq_type != VIRTIO_GPIO_IRQ_TYPE_NONE)
		return dir == VIRTIO_GPIO_DIRECTION_IN ? 0 : -EINVAL;
	switch (dir) {
	case VIRTIO_GPIO_DIRECTION_OUT:
	case VIRTIO_GPIO_DIRECTION_IN:
		ret = g->ops->configure(g->host, line, dir, l->value, 0);
		if (!ret)
			l->direction = dir;
		return ret;
	case VIRTIO_GPIO_DIRECTION_NONE:
		/* The driver let the line go: back to how the host had it. */
		ret = g->ops->restore(g->host, line);
		if (!ret) {
			l->direction = l->host_direction;
			l->value = l->host_value;
		}
		return ret;
	default:
		return -EINVAL;
	}
}

static int set_value(struct vgpio *g, unsigned int line, uint32_t value)
{
	struct vgpio_line *l = &g->lines[line];
	int ret = 0;

	if (value > 1)
		return -EINVAL;
	/* On an input it waits for the line to become an output (Linux sets
	 * the value before the direction). */
	if (l->direction == VIRTIO_GPIO_DIRECTION_OUT)
		ret = g->ops->set(g->host, line, value);
	if (!ret)
		l->value = value;
	return ret;
}

/* Carry out one request for @line; its value, if it has one, in *@out. */
static int do_request(struct vgpio *g, uint16_t type, unsigned int line,
		      uint32_t value, uint8_t *out)
{
	switch (type) {
	case VIRTIO_GPIO_MSG_GET_DIRECTION:
		*out = g->lines[line].direction;
		return 0;
	case VIRTIO_GPIO_MSG_SET_DIRECTION:
		return set_direction(g, line, value);
	case VIRTIO_GPIO_MSG_GET_VALUE:
		return g->ops->get(g->host, line, out);
	case VIRTIO_GPIO_MSG_SET_VALUE:
		return set_value(g, line, value);
	case VIRTIO_GPIO_MSG_IRQ_TYPE:
		return set_irq_type(g, line, value);
	default:
		return -EINVAL;
	}
}

/* GET_NAMES: the status, then the whole names block. */
static uint32_t get_names(struct vgpio *g, uint8_t *resp, uint32_t resp_cap)
{
	if (resp_cap < 1 + g->names_size) {
		g->rejected++;
		resp[0] = VIRTIO_GPIO_STATUS_ERR;
		return 1;
	}
	resp[0] = VIRTIO_GPIO_STATUS_OK;
	if (g->names_size)
		memcpy(resp + 1, g->names, g->names_size);
	return 1 + g->names_size;
}

uint32_t vgpio_request(struct vgpio *g, const void *req, uint32_t req_len,
		       void *resp, uint32_t resp_cap)
{
	struct virtio_gpio_response res = { .status = VIRTIO_GPIO_STATUS_ERR };
	struct virtio_gpio_request r;
	unsigned int line;
	uint16_t type;
	uint8_t value = 0;

	g->requests++;
	if (!resp_cap)
		goto reject;
	if (req_len < sizeof(r))
		goto respond;
	memcpy(&r, req, sizeof(r));
	type = le16toh(r.type);
	line = le16toh(r.gpio);
	if (type == VIRTIO_GPIO_MSG_GET_NAMES)
		return get_names(g, resp, resp_cap);
	if (line >= g->nr_lines || resp_cap < sizeof(res))
		goto respond;
	if (!do_request(g, type, line, le32toh(r.value), &value)) {
		res.status = VIRTIO_GPIO_STATUS_OK;
		res.value = value;
	}
respond:
	if (res.status != VIRTIO_GPIO_STATUS_OK)
		g->rejected++;
	resp_cap = resp_cap < sizeof(res) ? resp_cap : sizeof(res);
	memcpy(resp, &res, resp_cap);
	return resp_cap;
reject:
	g->rejected++;
	return 0;
}

void vgpio_reset(struct vgpio *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_lines; i++) {
		struct vgpio_line *l = &g->lines[i];

		l->held = false;
		l->pending = 0;
		l->irq_type = VIRTIO_GPIO_IRQ_TYPE_NONE;
		g->ops->restore(g->host, i);
		l->direction = l->host_direction;
		l->value = l->host_value;
	}
	g->irq = false;
}
