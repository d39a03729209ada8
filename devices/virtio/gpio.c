// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-gpio over host GPIO lines. Queue 0 (requestq) carries the
 * driver's requests, queue 1 (eventq) one buffer per line whose interrupt
 * it has unmasked. Requests are answered in the vCPU thread that traps
 * the notification (a GPIO ioctl is quicker than a hop to the loop); the
 * host's edge events are read in the event loop, one read outstanding per
 * line, and go back to the guest through the held event buffers. Both
 * paths take the transport's lock. The messages themselves are decoded in
 * devices/virtio/gpio-msg.c; the host lines are devices/backend/gpio-cdev.c.
 */
#include "devices/virtio/gpio.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ids.h>

#include "devices/backend/gpio-cdev.h"
#include "devices/virtio/gpio-msg.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/plug.h"
#include "devices/virtio/queue.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define REQUESTQ	0
#define EVENTQ		1
#define NAMES_MAX	(CONFIG_MAX_GPIO_LINES * CONFIG_GPIO_NAME_MAX)
#define EVENTS_PER_READ	8

struct virtio_gpio;

/* The read outstanding on one line's request fd, for its edge events. */
struct line_events {
	struct loop_op op;
	struct virtio_gpio *dev;
	unsigned int line;
	bool warned;
	struct gpio_v2_line_event ev[EVENTS_PER_READ];
};

struct virtio_gpio {
	struct vm *vm;
	const struct gpio_cfg *cfg;
	struct gpio_cdev host;
	bool host_open;
	struct vgpio msg;
	struct virtio_mmio vmmio;
	char mmio_name[160];		/* "virtio-gpio CHIP", for --stats */
	struct virtio_plug plug;

	char names[NAMES_MAX];
	uint32_t names_size;

	struct line_events events[CONFIG_MAX_GPIO_LINES];
	bool restore_warned[CONFIG_MAX_GPIO_LINES];
	/* The status byte of each held event buffer, by its head. */
	struct iovec held[VIRTQ_MAX_SIZE];

	uint8_t req[sizeof(struct virtio_gpio_request)];
	uint8_t resp[1 + NAMES_MAX];
};

/* --- the host lines, for the messages -------------------------------- */

static int lines_get(void *host, unsigned int line, uint8_t *value)
{
	struct virtio_gpio *dev = host;

	return gpio_cdev_get(&dev->host, line, value);
}

static int lines_set(void *host, unsigned int line, uint8_t value)
{
	struct virtio_gpio *dev = host;

	return gpio_cdev_set(&dev->host, line, value);
}

static int lines_configure(void *host, unsigned int line, uint8_t direction,
			   uint8_t value, unsigned int edges)
{
	struct virtio_gpio *dev = host;
	unsigned int cdev_edges = 0;

	if (edges & VGPIO_EDGE_RISING)
		cdev_edges |= GPIO_CDEV_EDGE_RISING;
	if (edges & VGPIO_EDGE_FALLING)
		cdev_edges |= GPIO_CDEV_EDGE_FALLING;
	return gpio_cdev_configure(&dev->host, line,
				   direction == VIRTIO_GPIO_DIRECTION_OUT, value,
				   cdev_edges);
}

/* On a device reset; a line that cannot be put back is said once. */
static int lines_restore(void *host, unsigned int line)
{
	struct virtio_gpio *dev = host;
	int ret = gpio_cdev_restore(&dev->host, line);

	if (ret && !dev->restore_warned[line])
		pr_warn("gpio %s: line %u: putting it back as the host had it on the guest's reset: %s (reported once)",
			dev->cfg->chip, dev->host.lines[line].offset, strerror(-ret));
	dev->restore_warned[line] = dev->restore_warned[line] || ret;
	return ret;
}

/* Hand a held event buffer back (lock held). */
static void lines_deliver(void *host, unsigned int line, uint16_t head,
			  uint8_t status)
{
	struct virtio_gpio *dev = host;
	struct iovec *iov = &dev->held[head % VIRTQ_MAX_SIZE];

	(void)line;
	/* After a reset the buffer belongs to no ring: vgpio forgot it. */
	if (!virtio_mmio_queue(&dev->vmmio, EVENTQ))
		return;
	if (iov->iov_len)
		*(uint8_t *)iov->iov_base = status;
	virtio_queue_complete(&dev->vmmio, EVENTQ, head, iov->iov_len ? 1 : 0);
}

static const struct vgpio_lines_ops host_lines_ops = {
	.get		= lines_get,
	.set		= lines_set,
	.configure	= lines_configure,
	.restore	= lines_restore,
	.deliver	= lines_deliver,
};

/* --- the queues ------------------------------------------------------ */

static uint32_t chain_room(const struct virtq_chain *chain, uint32_t max)
{
	return chain->in_len < max ? chain->in_len : max;
}

/* Answer one request (lock held). */
static int serve_request(struct virtio_gpio *dev, struct virtq_chain *chain)
{
	uint32_t req_len, n;

	req_len = virtq_chain_read(chain, dev->req, sizeof(dev->req));
	n = vgpio_request(&dev->msg, dev->req, req_len, dev->resp,
			  chain_room(chain, sizeof(dev->resp)));
	return virtq_chain_fill(chain, dev->resp, n);
}

/*
 * Take one event buffer (lock held): held until its line fires, or
 * handed back at once with a status.
 */
static int take_event_buffer(struct virtio_gpio *dev, struct virtq_chain *c)
{
	struct iovec *slot = &dev->held[c->head % VIRTQ_MAX_SIZE];
	uint32_t req_len;
	uint8_t status;

	req_len = virtq_chain_read(c, dev->req, sizeof(struct virtio_gpio_irq_request));
	/* The status byte: the first writable byte of the chain. */
	*slot = (struct iovec) { 0 };
	if (c->nr_in && c->iov[c->nr_out].iov_len)
		*slot = (struct iovec) { c->iov[c->nr_out].iov_base, 1 };
	if (!vgpio_event_buffer(&dev->msg, dev->req, req_len, slot->iov_len,
				c->head, &status))
		return VIRTIO_QUEUE_HELD;
	if (slot->iov_len)
		*(uint8_t *)slot->iov_base = status;
	return slot->iov_len;
}

static int vgpio_handle_chain(struct virtio_mmio *vmmio, unsigned int q,
			      struct virtq_chain *chain)
{
	struct virtio_gpio *dev = vmmio->priv;

	return q == REQUESTQ ? serve_request(dev, chain) : take_event_buffer(dev, chain);
}

/* --- transport hooks ------------------------------------------------- */

static void vgpio_read_config(struct virtio_mmio *vmmio, unsigned int off,
			      void *data, unsigned int len)
{
	struct virtio_gpio *dev = vmmio->priv;
	struct virtio_gpio_config config = {
		.ngpio = htole16(dev->msg.nr_lines),
		.gpio_names_size = htole32(dev->names_size),
	};

	memcpy(data, (uint8_t *)&config + off, len);
}

/* Queues become ready after the features are settled. */
static void vgpio_queue_ready(struct virtio_mmio *vmmio, unsigned int q)
{
	struct virtio_gpio *dev = vmmio->priv;

	(void)q;
	dev->msg.irq = vmmio->driver_features & (1ull << VIRTIO_GPIO_F_IRQ);
}

static void vgpio_reset_hook(struct virtio_mmio *vmmio)
{
	struct virtio_gpio *dev = vmmio->priv;

	vgpio_reset(&dev->msg);
}

static const struct virtio_dev_ops vgpio_virtio_ops = {
	.device_id	= VIRTIO_ID_GPIO,
	.features	= (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_GPIO_F_IRQ),
	.nr_queues	= 2,
	.config_size	= sizeof(struct virtio_gpio_config),
	.read_config	= vgpio_read_config,
	.queue_ready	= vgpio_queue_ready,
	.reset		= vgpio_reset_hook,
	.handle_chain	= vgpio_handle_chain,
	/* A GPIO ioctl is quicker than a hop to the loop. */
	.serve_in_vcpu	= (1u << REQUESTQ) | (1u << EVENTQ),
};

/* --- the event loop -------------------------------------------------- */

static void wait_events(struct virtio_gpio *dev, struct line_events *le)
{
	int ret = loop_read(&dev->vm->loop, &le->op, dev->host.lines[le->line].fd,
			    le->ev, sizeof(le->ev));

	if (ret < 0)
		pr_warn("gpio %s: line %u: cannot wait for its events: %s",
			dev->cfg->chip, dev->host.lines[le->line].offset, strerror(-ret));
}

static void events_done(struct loop_op *op, int res)
{
	struct line_events *le = (struct line_events *)op;
	struct virtio_gpio *dev = le->dev;
	unsigned int i, n;

	if (res == -EINTR || res == -EAGAIN) {
		wait_events(dev, le);
		return;
	}
	if (res < 0) {
		if (res != -ECANCELED && !le->warned)
			pr_warn("gpio %s: line %u: reading its events: %s; its interrupts stop",
				dev->cfg->chip, dev->host.lines[le->line].offset, strerror(-res));
		le->warned = true;
		return;
	}
	n = res / sizeof(le->ev[0]);
	pthread_mutex_lock(&dev->vmmio.lock);
	for (i = 0; i < n; i++)
		vgpio_host_edge(&dev->msg, le->line,
				le->ev[i].id == GPIO_V2_LINE_EVENT_RISING_EDGE);
	pthread_mutex_unlock(&dev->vmmio.lock);
	wait_events(dev, le);
}

/* --- device ops ------------------------------------------------------ */

/*
 * The names the guest sees, one NUL-terminated string per line: names=,
 * else the host's name. None at all: no block (the driver then asks not).
 */
static void build_names(struct virtio_gpio *dev)
{
	uint32_t size = 0;
	unsigned int i;
	bool any = false;

	for (i = 0; i < dev->host.nr_lines; i++) {
		const char *name = dev->cfg->lines[i].guest_name[0] ?
				   dev->cfg->lines[i].guest_name : dev->host.lines[i].name;
		size_t len = strlen(name) + 1;

		memcpy(dev->names + size, name, len);
		size += len;
		any = any || len > 1;
	}
	dev->names_size = any ? size : 0;
}

static void start_messages(struct virtio_gpio *dev)
{
	uint8_t dirs[CONFIG_MAX_GPIO_LINES], values[CONFIG_MAX_GPIO_LINES];
	unsigned int i;

	for (i = 0; i < dev->host.nr_lines; i++) {
		dirs[i] = gpio_cdev_was_output(&dev->host, i) ?
			  VIRTIO_GPIO_DIRECTION_OUT : VIRTIO_GPIO_DIRECTION_IN;
		values[i] = dev->host.lines[i].host_value;
	}
	build_names(dev);
	vgpio_init(&dev->msg, &host_lines_ops, dev, dev->host.nr_lines, dirs,
		   values, dev->names, dev->names_size);
}

/* Once sandboxed, the GPIO ioctls stay open on the line requests alone. */
static void allow_line_ioctls(struct virtio_gpio *dev)
{
	unsigned int i;

	for (i = 0; i < dev->host.nr_lines; i++)
		sandbox_allow_fd_ioctls(dev->host.lines[i].fd, GPIO_CDEV_IOCTL_TYPE);
}

/* Last in init: nothing may fail after reads point into the device. */
static void start_waiting(struct virtio_gpio *dev)
{
	unsigned int i;

	virtio_queue_listen(&dev->vmmio, &dev->vm->loop);
	for (i = 0; i < dev->host.nr_lines; i++) {
		dev->events[i] = (struct line_events) {
			.op.done = events_done, .dev = dev, .line = i,
		};
		wait_events(dev, &dev->events[i]);
	}
}

static int gpio_device_init(struct vm *vm, struct device *device)
{
	struct virtio_gpio *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	device->priv = dev;
	dev->vm = vm;
	dev->cfg = device->cfg;
	snprintf(dev->mmio_name, sizeof(dev->mmio_name), "virtio-gpio %s", dev->cfg->chip);

	ret = gpio_cdev_open(&dev->host, dev->cfg, "/dev");
	if (ret)
		return ret;
	dev->host_open = true;
	allow_line_ioctls(dev);
	start_messages(dev);

	if (virtio_plug_reserve(&dev->plug, vm)) {
		pr_err("gpio %s: no guest address or interrupt left", dev->cfg->chip);
		return -ENOSPC;
	}
	ret = virtio_mmio_init(&dev->vmmio, &vgpio_virtio_ops, &vm->ram,
			       dev->mmio_name, dev);
	if (ret) {
		pr_err("gpio %s: %s", dev->cfg->chip, strerror(-ret));
		return ret;
	}
	/* Both queues' notifications trap: they are served in the vCPU. */
	ret = virtio_plug_wire(&dev->plug, vm, &dev->vmmio, 0);
	if (ret) {
		pr_err("gpio %s: wiring it to KVM: %s", dev->cfg->chip, strerror(-ret));
		return ret;
	}
	start_waiting(dev);
	pr_debug("gpio %s: %u lines of %s (%s) shared", dev->cfg->chip,
		 dev->host.nr_lines, dev->host.path, dev->host.label);
	return 0;
}

static void gpio_device_exit(struct vm *vm, struct device *device)
{
	struct virtio_gpio *dev = device->priv;

	if (!dev)
		return;
	virtio_plug_unwire(&dev->plug, vm, &dev->vmmio);
	virtio_mmio_exit(&dev->vmmio);
	if (dev->host_open)
		gpio_cdev_close(&dev->host);
	free(dev);
	device->priv = NULL;
}

static int gpio_device_fdt(struct vm *vm, struct device *device, struct dt *dt)
{
	struct virtio_gpio *dev = device->priv;

	(void)vm;
	return virtio_plug_fdt(&dev->plug, dt);
}

static void print_offsets(const struct virtio_gpio *dev, FILE *out)
{
	unsigned int i;

	for (i = 0; i < dev->host.nr_lines; i++)
		fprintf(out, "%s%u", i ? ", " : "", dev->host.lines[i].offset);
}

/* The loop's wake-ups for the device: its lines' edge events (the queues are served in the vCPUs). */
static uint64_t gpio_loop_wakeups(const struct virtio_gpio *dev)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < dev->host.nr_lines; i++)
		n += dev->events[i].op.completions;
	return n;
}

static void gpio_device_stats(struct vm *vm, struct device *device, FILE *out)
{
	struct virtio_gpio *dev = device->priv;
	const struct vgpio *g = &dev->msg;

	fprintf(out, ", \"chip\": ");
	stats_json_string(out, dev->host.path);
	fprintf(out, ", \"label\": ");
	stats_json_string(out, dev->host.label);
	fprintf(out, ", \"lines\": [");
	print_offsets(dev, out);
	fprintf(out, "], \"mmio_exits\": %llu, \"loop_wakeups\": %llu, \"requests\": %llu, \"rejected\": %llu, \"host_edges\": %llu, \"line_irqs\": %llu",
		(unsigned long long)stats_mmio_exits(vm, dev->mmio_name),
		(unsigned long long)gpio_loop_wakeups(dev),
		(unsigned long long)g->requests, (unsigned long long)g->rejected,
		(unsigned long long)g->edges, (unsigned long long)g->irqs);
	virtio_plug_stats_irqs(&dev->plug, dev->vmmio.irqs_raised, out);
}

const struct dev_ops virtio_gpio_ops = {
	.name	= "virtio-gpio",
	.init	= gpio_device_init,
	.exit	= gpio_device_exit,
	.fdt	= gpio_device_fdt,
	.stats	= gpio_device_stats,
};
