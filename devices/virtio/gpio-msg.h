/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-gpio messages (virtio 1.2, section 5.19) and the per-line
 * interrupt state, over a set of host lines reached through a small ops
 * table: no rings, no KVM, no /dev/gpiochip, so that the decoder can be
 * unit-tested and fuzzed. The guest is hostile: every request is checked
 * against the lines it was given before a host line is touched, and a
 * bad one gets VIRTIO_GPIO_STATUS_ERR.
 *
 * Interrupts: the driver queues one event buffer per line to unmask it;
 * the device hands it back (VALID) when the line's interrupt fires.
 * Edges that arrive while the line has no buffer are counted and each
 * is delivered when the driver queues the next one, so none is lost.
 * Level types are emulated from both edges and the line's value, read
 * again whenever a buffer is queued.
 */
#ifndef LKVM_DEVICES_VIRTIO_GPIO_MSG_H
#define LKVM_DEVICES_VIRTIO_GPIO_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_gpio.h>

#define VGPIO_MAX_LINES		64
#define VGPIO_EDGE_RISING	1u	/* edges the host is to report */
#define VGPIO_EDGE_FALLING	2u

/* What the messages need of the host lines; each returns 0 or -errno. */
struct vgpio_lines_ops {
	int (*get)(void *host, unsigned int line, uint8_t *value);
	int (*set)(void *host, unsigned int line, uint8_t value);
	/*
	 * Make @line an output driving @value (VIRTIO_GPIO_DIRECTION_OUT), or
	 * an input reporting @edges (VGPIO_EDGE_*).
	 */
	int (*configure)(void *host, unsigned int line, uint8_t direction,
			 uint8_t value, unsigned int edges);
	/* Put @line back as the host had it before the guest came. */
	int (*restore)(void *host, unsigned int line);
	/*
	 * Hand the event buffer @head back to the driver with @status
	 * (VIRTIO_GPIO_IRQ_STATUS_*), for a buffer that was held.
	 */
	void (*deliver)(void *host, unsigned int line, uint16_t head,
			uint8_t status);
};

struct vgpio_line {
	uint8_t direction;	/* VIRTIO_GPIO_DIRECTION_IN or _OUT */
	uint8_t value;		/* what it drives, or will once an output */
	uint8_t irq_type;	/* VIRTIO_GPIO_IRQ_TYPE_* */
	bool held;		/* the driver has an event buffer queued */
	uint16_t head;		/* ... and this is it */
	uint32_t pending;	/* edges not yet delivered */
	uint8_t host_direction;	/* as the host had it: what restore() gives */
	uint8_t host_value;
};

struct vgpio {
	const struct vgpio_lines_ops *ops;
	void *host;
	unsigned int nr_lines;
	struct vgpio_line lines[VGPIO_MAX_LINES];
	bool irq;		/* the driver accepted VIRTIO_GPIO_F_IRQ */
	const char *names;	/* the names block: NUL-terminated, in order */
	uint32_t names_size;

	/* For --stats. */
	uint64_t requests, rejected, edges, irqs;
};

/*
 * Set up @g for @nr_lines lines, each starting as @directions[i] with
 * @values[i]; @names is the names block of @names_size bytes (kept).
 */
void vgpio_init(struct vgpio *g, const struct vgpio_lines_ops *ops, void *host,
		unsigned int nr_lines, const uint8_t *directions,
		const uint8_t *values, const char *names, uint32_t names_size);

/*
 * Carry out the request in @req (@req_len bytes, as the driver wrote it)
 * and write its response into @resp, which has room for @resp_cap bytes.
 * Returns the number of bytes written.
 */
uint32_t vgpio_request(struct vgpio *g, const void *req, uint32_t req_len,
		       void *resp, uint32_t resp_cap);

/*
 * The driver queued the event buffer @head: @req (@req_len bytes) names the
 * line, @resp_cap is the room for the status. Returns 1 when the buffer is
 * to go back at once with *@status, 0 when it is held for the line's next
 * interrupt (the ops' deliver() returns it then).
 */
int vgpio_event_buffer(struct vgpio *g, const void *req, uint32_t req_len,
		       uint32_t resp_cap, uint16_t head, uint8_t *status);

/* The host saw an edge on @line (@rising: low to high). */
void vgpio_host_edge(struct vgpio *g, unsigned int line, bool rising);

/*
 * The driver reset the device: every line goes back as the host had it,
 * interrupts off, held buffers forgotten (they belong to no ring now).
 */
void vgpio_reset(struct vgpio *g);

#endif
