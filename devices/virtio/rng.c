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
#include "devices/virtio/queue.h"
#include "fdt/dt.h"
#include "vmm/log.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define REQUESTQ		0
/* A guest asks for 64 bytes at a time; a hostile one gets no more than this. */
#define RNG_MAX_PER_REQUEST	(64 * 1024)

struct virtio_rng {
	struct virtio_mmio vmmio;
	uint64_t base;
	int spi;
	bool mmio_registered;
	bool ioeventfd;
	bool irqfd_assigned;
	uint64_t bytes;			/* for --stats */
};

static int rng_handle_chain(struct virtio_mmio *vmmio, unsigned int q,
			    struct virtq_chain *chain)
{
	struct virtio_rng *rng = vmmio->priv;
	uint32_t done = 0;
	unsigned int i;
	ssize_t n;

	(void)q;
	for (i = chain->nr_out; i < chain->nr_out + chain->nr_in; i++) {
		size_t want = chain->iov[i].iov_len;

		if (want > RNG_MAX_PER_REQUEST - done)
			want = RNG_MAX_PER_REQUEST - done;
		if (!want)
			break;
		n = getrandom(chain->iov[i].iov_base, want, GRND_NONBLOCK);
		if (n <= 0)
			break;
		done += n;
		if ((size_t)n < want)
			break;
	}
	STAT_ADD(rng->bytes, done);
	return done;
}

static const struct virtio_dev_ops rng_virtio_ops = {
	.device_id	= VIRTIO_ID_RNG,
	.features	= 1ull << VIRTIO_F_VERSION_1,
	.nr_queues	= 1,
	.handle_chain	= rng_handle_chain,
};

/* Under the sandbox every thread writes the eventfds, and nothing else of ours. */
static void rng_allow_writes(struct virtio_mmio *vmmio)
{
	int fds[VIRTIO_MMIO_MAX_QUEUES + 1];
	unsigned int i, n = virtio_mmio_eventfds(vmmio, fds);

	for (i = 0; i < n; i++)
		sandbox_allow_fd(fds[i], SANDBOX_FD_WRITE, SANDBOX_EVERY_ROLE);
}

static int rng_wire(struct vm *vm, struct virtio_rng *rng)
{
	int ret;

	ret = vm_register_mmio(vm, rng->base, VIRTIO_MMIO_SIZE, virtio_mmio_access,
			       &rng->vmmio, "virtio-rng");
	if (ret)
		return ret;
	rng->mmio_registered = true;
	ret = vm_ioeventfd(vm, rng->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, REQUESTQ,
			   rng->vmmio.queues[REQUESTQ].kick_fd, true);
	if (ret)
		return ret;
	rng->ioeventfd = true;
	ret = vm_irqfd(vm, rng->spi, rng->vmmio.irq_fd, true);
	if (ret)
		return ret;
	rng->irqfd_assigned = true;
	return 0;
}

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
	rng->base = vm_alloc_device_addr(vm);
	rng->spi = vm_alloc_spi(vm);
	if (!rng->base || rng->spi < 0) {
		pr_err("--rng: no guest address or interrupt left");
		return -ENOSPC;
	}
	ret = virtio_mmio_init(&rng->vmmio, &rng_virtio_ops, &vm->ram, "virtio-rng", rng);
	if (ret) {
		pr_err("--rng: %s", strerror(-ret));
		return ret;
	}
	rng_allow_writes(&rng->vmmio);
	ret = rng_wire(vm, rng);
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
	if (rng->irqfd_assigned)
		vm_irqfd(vm, rng->spi, rng->vmmio.irq_fd, false);
	if (rng->ioeventfd)
		vm_ioeventfd(vm, rng->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, REQUESTQ,
			     rng->vmmio.queues[REQUESTQ].kick_fd, false);
	if (rng->mmio_registered)
		vm_unregister_mmio(vm, rng->base);
	virtio_mmio_exit(&rng->vmmio);
	free(rng);
	dev->priv = NULL;
}

static int rng_fdt(struct vm *vm, struct device *dev, struct dt *dt)
{
	struct virtio_rng *rng = dev->priv;

	(void)vm;
	return dt_add_mmio_device(dt, "virtio", "virtio,mmio", rng->base,
				  VIRTIO_MMIO_SIZE, rng->spi, DT_IRQ_EDGE_RISING);
}

static void rng_stats(struct vm *vm, struct device *dev, FILE *out)
{
	struct virtio_rng *rng = dev->priv;

	fprintf(out, ", \"mmio_exits\": %llu, \"bytes\": %llu, \"irqs\": { \"spi\": %d, \"delivery\": \"irqfd\", \"raised_by_vmm\": %llu }",
		(unsigned long long)stats_mmio_exits(vm, "virtio-rng"),
		(unsigned long long)rng->bytes, rng->spi,
		(unsigned long long)rng->vmmio.irqs_raised);
}

const struct dev_ops virtio_rng_ops = {
	.name	= "virtio-rng",
	.init	= rng_init,
	.exit	= rng_exit,
	.fdt	= rng_fdt,
	.stats	= rng_stats,
};
