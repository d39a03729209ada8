// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng: each buffer the driver queues is filled from getrandom(),
 * at most RNG_MAX_PER_REQUEST bytes of it, in the event loop (the queue's
 * notification is a KVM ioeventfd).
 *
 * A buffer must never come back empty: Linux's driver then waits for an
 * answer to a request it never made, and every reader of /dev/hwrng
 * hangs. getrandom() gives nothing (GRND_NONBLOCK) or blocks until the
 * host's pool is initialised, which on a freshly booted board with few
 * interrupts can be minutes; so the device waits for the pool once, as
 * the VM is set up (a blocking getrandom() makes the kernel gather
 * entropy from CPU jitter at once), and the loop's reads never wait.
 */
#include "devices/virtio/rng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

#include "devices/virtio/mmio.h"
#include "devices/virtio/plug.h"
#include "devices/virtio/queue.h"
#include "devices/virtio/rng-fill.h"
#include "vmm/log.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define REQUESTQ		0

struct virtio_rng {
	struct virtio_mmio vmmio;
	struct virtio_plug plug;
	uint64_t bytes;			/* for --stats */
};

static int rng_handle_chain(struct virtio_mmio *vmmio, unsigned int q,
			    struct virtq_chain *chain)
{
	struct virtio_rng *rng = vmmio->priv;
	uint32_t done;

	(void)q;
	done = rng_fill(chain->iov + chain->nr_out, chain->nr_in, getrandom);
	STAT_ADD(rng->bytes, done);
	return done;
}

static const struct virtio_dev_ops rng_virtio_ops = {
	.device_id	= VIRTIO_ID_RNG,
	.features	= 1ull << VIRTIO_F_VERSION_1,
	.nr_queues	= 1,
	.handle_chain	= rng_handle_chain,
};

/* Until the host's pool is initialised; after that it stays so. */
static int wait_for_host_pool(void)
{
	uint8_t byte;
	ssize_t n;

	if (getrandom(&byte, 1, GRND_NONBLOCK) == 1)
		return 0;
	if (errno != EAGAIN)
		return -errno;
	pr_info("--rng: waiting for the host's random pool to be initialised");
	do
		n = getrandom(&byte, 1, 0);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -errno;
}

static int rng_init(struct vm *vm, struct device *dev)
{
	struct virtio_rng *rng;
	int ret;

	ret = wait_for_host_pool();
	if (ret) {
		pr_err("--rng: getrandom: %s", strerror(-ret));
		return ret;
	}
	rng = calloc(1, sizeof(*rng));
	if (!rng)
		return -ENOMEM;
	dev->priv = rng;
	if (virtio_plug_reserve(&rng->plug, vm)) {
		pr_err("--rng: no guest address or interrupt left");
		return -ENOSPC;
	}
	ret = virtio_mmio_init(&rng->vmmio, &rng_virtio_ops, &vm->ram, "virtio-rng", rng);
	if (ret) {
		pr_err("--rng: %s", strerror(-ret));
		return ret;
	}
	ret = virtio_plug_wire(&rng->plug, vm, &rng->vmmio, 1u << REQUESTQ);
	if (ret) {
		pr_err("--rng: wiring it to KVM: %s", strerror(-ret));
		return ret;
	}
	virtio_queue_listen(&rng->vmmio, &vm->loop);
	return 0;
}

static void rng_exit(struct vm *vm, struct device *dev)
{
	struct virtio_rng *rng = dev->priv;

	if (!rng)
		return;
	virtio_plug_unwire(&rng->plug, vm, &rng->vmmio);
	virtio_mmio_exit(&rng->vmmio);
	free(rng);
	dev->priv = NULL;
}

static int rng_fdt(struct vm *vm, struct device *dev, struct dt *dt)
{
	struct virtio_rng *rng = dev->priv;

	(void)vm;
	return virtio_plug_fdt(&rng->plug, dt);
}

static void rng_stats(struct vm *vm, struct device *dev, FILE *out)
{
	struct virtio_rng *rng = dev->priv;

	fprintf(out, ", \"mmio_exits\": %llu, \"bytes\": %llu",
		(unsigned long long)stats_mmio_exits(vm, "virtio-rng"),
		(unsigned long long)rng->bytes);
	virtio_plug_stats_irqs(&rng->plug, rng->vmmio.irqs_raised, out);
}

const struct dev_ops virtio_rng_ops = {
	.name	= "virtio-rng",
	.init	= rng_init,
	.exit	= rng_exit,
	.fdt	= rng_fdt,
	.stats	= rng_stats,
};
