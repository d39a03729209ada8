// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk on the io_uring loop. The queue's notification is a KVM
 * ioeventfd, so a vCPU that kicks never leaves the kernel; the loop
 * serves the queue (devices/virtio/queue.c), each request is checked
 * (blk-req.c) and submitted as one io_uring operation (READV, WRITEV,
 * FSYNC with DATASYNC for a flush, FALLOCATE for discard and write
 * zeroes) whose completion writes the status byte and hands the chain
 * back through the used ring and an irqfd. Nothing runs in the vCPU
 * threads, and nothing blocks the loop.
 *
 * A write is answered once the kernel has it (the page cache for a
 * file); a flush once fdatasync() returned, so that what the guest was
 * told is on stable storage is. The guest is told of a volatile write
 * cache (VIRTIO_BLK_F_FLUSH) and flushes as it would on real hardware.
 */
#include "devices/virtio/blk.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "devices/backend/disk-image.h"
#include "devices/virtio/blk-req.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/plug.h"
#include "devices/virtio/queue.h"
#include "vmm/config.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/sandbox.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

#define REQUESTQ	0

struct virtio_blk;

/* A request in flight, by the head of its chain. */
struct blk_slot {
	struct loop_op op;
	struct virtio_blk *dev;
	bool busy;
	uint16_t head;
	unsigned int gen;	/* the device's reset count when it began */
	struct blk_req req;
};

struct virtio_blk {
	struct vm *vm;
	const struct disk_cfg *cfg;
	struct disk_image img;
	struct blk_disk disk;
	struct virtio_mmio vmmio;
	char name[64];			/* "virtio-blk@ADDR", for messages and --stats */
	struct virtio_plug plug;
	unsigned int reset_gen;
	unsigned int inflight;
	struct blk_slot slots[VIRTQ_MAX_SIZE];
	struct blk_req scratch;		/* a chain whose head is in flight */

	/* For --stats. */
	uint64_t reads, writes, flushes, discards, errors;
	uint64_t writes_here;		/* of the writes, those write_here() chose */
	uint64_t bytes_read, bytes_written;
	unsigned int max_inflight;

	uint64_t here_bytes;		/* written in the loop this pass: write_here() */
};

/* write_here(): the largest write, and the most bytes of a pass over the queue. */
#define BLK_HERE_MAX		(2u << 20)
#define BLK_HERE_PASS_MAX	(4u << 20)

/* The bytes a request wrote into its chain: data read, and the status. */
static uint32_t used_len(const struct blk_req *req, uint8_t status)
{
	if (!req->status)
		return 0;
	if (status == VIRTIO_BLK_S_OK && req->type == VIRTIO_BLK_T_IN)
		return req->len + 1;
	return 1;
}

static void count(struct virtio_blk *dev, const struct blk_req *req, uint8_t status)
{
	if (status != VIRTIO_BLK_S_OK) {
		STAT_ADD(dev->errors, 1);
		return;
	}
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		STAT_ADD(dev->reads, 1);
		STAT_ADD(dev->bytes_read, req->len);
		break;
	case VIRTIO_BLK_T_OUT:
		STAT_ADD(dev->writes, 1);
		STAT_ADD(dev->bytes_written, req->len);
		break;
	case VIRTIO_BLK_T_FLUSH:
		STAT_ADD(dev->flushes, 1);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		STAT_ADD(dev->discards, 1);
		break;
	}
}

/* A request is done: its status, and the chain back to the driver (lock held). */
static void finish(struct virtio_blk *dev, struct blk_slot *slot, uint8_t status)
{
	struct blk_req *req = &slot->req;

	count(dev, req, status);
	slot->busy = false;
	dev->inflight--;
	/* After a reset, the chain and its status byte belong to no ring. */
	if (slot->gen != dev->reset_gen)
		return;
	*req->status = status;
	/* Requests done in one batch of the loop's share one interrupt. */
	virtio_queue_complete_later(&dev->vmmio, REQUESTQ, slot->head,
				    used_len(req, status));
}

static void request_done(struct loop_op *op, int res)
{
	struct blk_slot *slot = (struct blk_slot *)op;
	struct virtio_blk *dev = slot->dev;
	const struct blk_req *req = &slot->req;
	uint8_t status = VIRTIO_BLK_S_OK;

	if (res < 0 || ((req->type == VIRTIO_BLK_T_IN || req->type == VIRTIO_BLK_T_OUT) &&
			(uint64_t)res != req->len)) {
		status = VIRTIO_BLK_S_IOERR;
		pr_debug("%s: request type %u at %llu: %s", dev->name, req->type,
			 (unsigned long long)req->offset,
			 res < 0 ? strerror(-res) : "short transfer");
	}
	pthread_mutex_lock(&dev->vmmio.lock);
	finish(dev, slot, status);
	pthread_mutex_unlock(&dev->vmmio.lock);
}

/*
 * Whether to write @req here in the loop rather than through io_uring:
 * a write to an image kept in memory (tmpfs, ramfs) is a copy into the
 * page cache that no disk holds up and no write-back throttles (only the
 * host reclaiming memory can make it wait, as it can any allocation of
 * the loop's), while io_uring (Linux 6.1) passes every buffered write on
 * such a file to a worker thread and back, two thread switches for each
 * request. Bounded per request and per pass over the queue, so that a
 * queue of large writes never keeps the loop, or a vCPU waiting for the
 * device's lock, for long: past the bounds, writes go through io_uring.
 */
static bool write_here(struct virtio_blk *dev, const struct blk_req *req)
{
	if (req->type != VIRTIO_BLK_T_OUT || !dev->img.in_memory ||
	    req->len > BLK_HERE_MAX || dev->here_bytes + req->len > BLK_HERE_PASS_MAX)
		return false;
	dev->here_bytes += req->len;
	return true;
}

/* The write write_here() chose: its status. */
static uint8_t write_in_loop(struct virtio_blk *dev, const struct blk_req *req)
{
	ssize_t n = pwritev(dev->img.fd, req->iov, (int)req->nr_iov, (off_t)req->offset);

	if (n == (ssize_t)req->len)
		return VIRTIO_BLK_S_OK;
	pr_debug("%s: write at %llu: %s", dev->name, (unsigned long long)req->offset,
		 n < 0 ? strerror(errno) : "short transfer");
	return VIRTIO_BLK_S_IOERR;
}

/* Hand the request to the loop. 0, or -errno if it cannot be submitted. */
static int submit(struct virtio_blk *dev, struct blk_slot *slot)
{
	struct loop *loop = &dev->vm->loop;
	struct blk_req *req = &slot->req;
	int fd = dev->img.fd;

	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return loop_rw_at(loop, &slot->op, fd, req->type == VIRTIO_BLK_T_OUT,
				  req->iov, req->nr_iov, req->offset);
	case VIRTIO_BLK_T_FLUSH:
		return loop_fdatasync(loop, &slot->op, fd);
	default:
		/* Discard and write zeroes: the range reads as zeroes after. */
		return loop_fallocate(loop, &slot->op, fd,
				      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      req->offset, req->len);
	}
}

/* One chain from the driver (lock held, in the loop). */
static int blk_handle_chain(struct virtio_mmio *vmmio, unsigned int q,
			    struct virtq_chain *chain)
{
	struct virtio_blk *dev = vmmio->priv;
	struct blk_slot *slot = &dev->slots[chain->head % VIRTQ_MAX_SIZE];
	struct blk_req *req = &slot->req;
	uint8_t status;

	(void)q;
	/* A head the driver made available again while still in flight. */
	if (slot->busy)
		req = &dev->scratch;
	status = blk_req_parse(chain, &dev->disk, req);
	if (slot->busy)
		status = VIRTIO_BLK_S_IOERR;
	if (status == VIRTIO_BLK_S_OK && req->type == VIRTIO_BLK_T_GET_ID) {
		uint32_t n = blk_req_fill_id(req, dev->cfg->serial);

		*req->status = status;
		return n + 1;
	}
	if (status == VIRTIO_BLK_S_OK && write_here(dev, req)) {
		status = write_in_loop(dev, req);
		if (status == VIRTIO_BLK_S_OK)
			STAT_ADD(dev->writes_here, 1);
	}
	else if (status == VIRTIO_BLK_S_OK) {
		slot->dev = dev;
		slot->head = chain->head;
		slot->gen = dev->reset_gen;
		slot->op.done = request_done;
		slot->op.guest_request = true;
		if (!submit(dev, slot)) {
			slot->busy = true;
			dev->inflight++;
			if (dev->inflight > dev->max_inflight)
				dev->max_inflight = dev->inflight;
			return VIRTIO_QUEUE_HELD;
		}
		status = VIRTIO_BLK_S_IOERR;
	}
	count(dev, req, status);
	if (req->status)
		*req->status = status;
	return used_len(req, status);
}

/*
 * No request is started once the VM is stopping (the guest powered off,
 * or the VMM was told to stop): what the guest queued and was not told
 * of is left in the ring, so nothing is written after the guest stops.
 */
static bool blk_can_take(struct virtio_mmio *vmmio, unsigned int q)
{
	struct virtio_blk *dev = vmmio->priv;

	(void)q;
	return !vm_stopping(dev->vm);
}

/* A pass over the queue is over (in the loop): write_here()'s bound starts again. */
static void blk_kicked(struct virtio_mmio *vmmio, unsigned int q)
{
	struct virtio_blk *dev = vmmio->priv;

	(void)q;
	dev->here_bytes = 0;
}

static void blk_read_config(struct virtio_mmio *vmmio, unsigned int off,
			    void *data, unsigned int len)
{
	struct virtio_blk *dev = vmmio->priv;
	struct virtio_blk_config c;

	memset(&c, 0, sizeof(c));
	c.capacity = dev->disk.sectors;
	c.size_max = BLK_SIZE_MAX;
	c.seg_max = BLK_SEG_MAX;
	c.blk_size = dev->img.block_size;	/* 512, or what O_DIRECT aligns to */
	c.num_queues = 1;
	if (dev->disk.discard) {
		c.max_discard_sectors = BLK_DISCARD_MAX_SECTORS;
		c.max_discard_seg = 1;
		c.discard_sector_alignment = 8;
		c.max_write_zeroes_sectors = BLK_DISCARD_MAX_SECTORS;
		c.max_write_zeroes_seg = 1;
		c.write_zeroes_may_unmap = 1;
	}
	memcpy(data, (uint8_t *)&c + off, len);
}

/* The device with its ops, which depend on the image. */
struct virtio_blk_dev {
	struct virtio_blk blk;
	struct virtio_dev_ops ops;
};

static void blk_reset(struct virtio_mmio *vmmio)
{
	struct virtio_blk *dev = vmmio->priv;

	dev->reset_gen++;
}

/* Features are per device (read-only, discard): so are the ops. */
static void blk_ops_init(struct virtio_dev_ops *ops, const struct blk_disk *disk)
{
	*ops = (struct virtio_dev_ops) {
		.device_id	= VIRTIO_ID_BLOCK,
		.features	= (1ull << VIRTIO_F_VERSION_1) |
				  (1ull << VIRTIO_BLK_F_SIZE_MAX) |
				  (1ull << VIRTIO_BLK_F_SEG_MAX) |
				  (1ull << VIRTIO_BLK_F_BLK_SIZE) |
				  (1ull << VIRTIO_BLK_F_FLUSH) |
				  (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
				  (1ull << VIRTIO_RING_F_EVENT_IDX),
		.nr_queues	= 1,
		.config_size	= sizeof(struct virtio_blk_config),
		.read_config	= blk_read_config,
		.reset		= blk_reset,
		.can_take	= blk_can_take,
		.handle_chain	= blk_handle_chain,
		.kicked		= blk_kicked,
	};
	if (disk->read_only)
		ops->features |= 1ull << VIRTIO_BLK_F_RO;
	if (disk->discard)
		ops->features |= (1ull << VIRTIO_BLK_F_DISCARD) |
				 (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
}

/*
 * One image as two disks, either of them writable: its own lock would
 * refuse the second as if another VMM held it. Said as what it is.
 * Two read-only disks may share an image.
 */
static int refuse_given_twice(const struct vm *vm, const struct disk_cfg *cfg)
{
	const struct virtio_blk_dev *bd;
	struct stat st;
	unsigned int i;

	if (stat(cfg->path, &st) < 0)
		return 0;	/* disk_image_open() says why */
	for (i = 0; i < vm->nr_devices; i++) {
		bd = vm->devices[i].priv;
		if (vm->devices[i].ops != &virtio_blk_ops || !bd ||
		    !disk_image_is(&bd->blk.img, &st) ||
		    (cfg->read_only && bd->blk.img.read_only))
			continue;
		pr_err("--disk %s: the same image as --disk %s; give it once, or ,ro to both",
		       cfg->path, bd->blk.cfg->path);
		return -EINVAL;
	}
	return 0;
}

static int blk_init(struct vm *vm, struct device *device)
{
	struct virtio_blk_dev *bd;
	struct virtio_blk *dev;
	int ret;

	ret = refuse_given_twice(vm, device->cfg);
	if (ret)
		return ret;
	bd = calloc(1, sizeof(*bd));
	if (!bd)
		return -ENOMEM;
	device->priv = bd;
	dev = &bd->blk;
	dev->vm = vm;
	dev->cfg = device->cfg;
	dev->img.fd = -1;

	ret = disk_image_open(&dev->img, dev->cfg);
	if (ret)
		return ret;
	dev->disk = (struct blk_disk) {
		.sectors = dev->img.size / BLK_SECTOR_SIZE,
		.read_only = dev->img.read_only,
		.discard = dev->img.can_punch,
	};
	blk_ops_init(&bd->ops, &dev->disk);

	if (virtio_plug_reserve(&dev->plug, vm)) {
		pr_err("--disk %s: no guest address or interrupt left", dev->cfg->path);
		return -ENOSPC;
	}
	snprintf(dev->name, sizeof(dev->name), "virtio-blk@%llx",
		 (unsigned long long)dev->plug.base);
	ret = virtio_mmio_init(&dev->vmmio, &bd->ops, &vm->ram, dev->name, dev);
	if (ret) {
		pr_err("--disk %s: %s", dev->cfg->path, strerror(-ret));
		return ret;
	}
	/* The notification goes to the loop through KVM: no exit to user space. */
	ret = virtio_plug_wire(&dev->plug, vm, &dev->vmmio, 1u << REQUESTQ);
	if (ret) {
		pr_err("--disk %s: wiring it to KVM: %s", dev->cfg->path, strerror(-ret));
		return ret;
	}
	/* write_here(): the loop's own writes, on this image only. */
	if (dev->img.in_memory && !dev->img.read_only)
		sandbox_allow_fd(dev->img.fd, SANDBOX_FD_PWRITEV, SANDBOX_ROLE(SANDBOX_LOOP));
	virtio_queue_listen(&dev->vmmio, &vm->loop);
	pr_debug("%s: %llu sectors%s%s%s%s", dev->name, (unsigned long long)dev->disk.sectors,
		 dev->disk.read_only ? ", read-only" : "",
		 dev->disk.discard ? ", discard" : "",
		 dev->img.direct ? ", direct I/O" : "",
		 dev->img.in_memory && !dev->img.read_only ? ", in memory: the loop writes it" : "");
	return 0;
}

static void blk_exit(struct vm *vm, struct device *device)
{
	struct virtio_blk_dev *bd = device->priv;
	struct virtio_blk *dev;

	if (!bd)
		return;
	dev = &bd->blk;
	virtio_plug_unwire(&dev->plug, vm, &dev->vmmio);
	virtio_mmio_exit(&dev->vmmio);
	disk_image_close(&dev->img);
	free(bd);
	device->priv = NULL;
}

static int blk_fdt(struct vm *vm, struct device *device, struct dt *dt)
{
	struct virtio_blk_dev *bd = device->priv;

	(void)vm;
	return virtio_plug_fdt(&bd->blk.plug, dt);
}

static void blk_stats(struct vm *vm, struct device *device, FILE *out)
{
	struct virtio_blk *dev = &((struct virtio_blk_dev *)device->priv)->blk;

	fprintf(out, ", \"image\": ");
	stats_json_string(out, dev->cfg->path);
	fprintf(out, ", \"read_only\": %s, \"direct\": %s, \"block_size\": %u, \"sectors\": %llu, \"mmio_exits\": %llu, \"loop_wakeups\": %llu, \"reads\": %llu, \"writes\": %llu, \"writes_in_loop\": %llu, \"flushes\": %llu, \"discards\": %llu, \"errors\": %llu, \"bytes_read\": %llu, \"bytes_written\": %llu, \"max_in_flight\": %u",
		dev->disk.read_only ? "true" : "false",
		dev->img.direct ? "true" : "false", dev->img.block_size,
		(unsigned long long)dev->disk.sectors,
		(unsigned long long)stats_mmio_exits(vm, dev->name),
		(unsigned long long)(dev->vmmio.queues[REQUESTQ].kick_op.completions +
				     dev->reads + dev->writes - dev->writes_here +
				     dev->flushes + dev->discards),
		(unsigned long long)dev->reads, (unsigned long long)dev->writes,
		(unsigned long long)dev->writes_here, (unsigned long long)dev->flushes, (unsigned long long)dev->discards,
		(unsigned long long)dev->errors, (unsigned long long)dev->bytes_read,
		(unsigned long long)dev->bytes_written, dev->max_inflight);
	virtio_plug_stats_irqs(&dev->plug, dev->vmmio.irqs_raised, out);
}

const struct dev_ops virtio_blk_ops = {
	.name	= "virtio-blk",
	.init	= blk_init,
	.exit	= blk_exit,
	.fdt	= blk_fdt,
	.stats	= blk_stats,
};
