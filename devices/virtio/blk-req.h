/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk requests (virtio 1.2, section 5.2.6) as a hostile driver
 * writes them: one chain is taken apart into the request header, the
 * data and the status byte, and checked against the disk before any of
 * it reaches the image. Pure: no file, no ring, so that every layout can
 * be unit-tested and fuzzed.
 *
 * A chain is: a device-readable header of 16 bytes (type, reserved,
 * sector), then the data (device-readable for a write, device-writable
 * for a read or an ID), then one device-writable status byte, the last
 * byte of the chain. The header and data may be split across descriptors
 * in any way.
 */
#ifndef LKVM_DEVICES_VIRTIO_BLK_REQ_H
#define LKVM_DEVICES_VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio/virtq.h"

#define BLK_SECTOR_SIZE		512
/*
 * Data segments per request we advertise (seg_max), and take: a chain
 * holds at most VIRTQ_MAX_SIZE buffers, two of them the header and the
 * status. With indirect tables (offered) a request takes one ring entry
 * whatever its size, so a 1 MiB transfer is at most two requests.
 */
#define BLK_SEG_MAX		(VIRTQ_MAX_SIZE - 2)
/* Bytes per data segment we advertise (size_max). */
#define BLK_SIZE_MAX		(1u << 20)
/* Sectors one discard or write-zeroes segment may cover. */
#define BLK_DISCARD_MAX_SECTORS	(1u << 22)

/* What the disk is, for checking requests against it. */
struct blk_disk {
	uint64_t sectors;	/* capacity */
	bool read_only;
	bool discard;		/* DISCARD and WRITE_ZEROES offered */
};

/* A request, taken apart; the iovecs point into guest memory. */
struct blk_req {
	uint32_t type;			/* VIRTIO_BLK_T_* */
	uint64_t offset;		/* in the image, bytes */
	uint64_t len;			/* data bytes (or bytes to discard) */
	struct iovec iov[BLK_SEG_MAX];	/* the data */
	unsigned int nr_iov;
	uint8_t *status;		/* where the status byte goes, or NULL */
};

/*
 * Take @chain apart for @disk into @req. Returns VIRTIO_BLK_S_OK when the
 * request is to be carried out, or the status to answer at once with
 * (VIRTIO_BLK_S_IOERR for a malformed request, a sector past the end or
 * a write to a read-only disk; VIRTIO_BLK_S_UNSUPP for a type we do not
 * offer). req->status is NULL when the chain has no room for a status
 * byte: then nothing can be answered but an empty used entry.
 */
uint8_t blk_req_parse(const struct virtq_chain *chain, const struct blk_disk *disk,
		      struct blk_req *req);

/*
 * VIRTIO_BLK_T_GET_ID: the serial @id (NUL-padded to 20 bytes, not
 * terminated when full) into @req's data. Returns the bytes written.
 */
uint32_t blk_req_fill_id(const struct blk_req *req, const char *id);

#endif
