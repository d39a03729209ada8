// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: virtio-blk requests as a hostile driver lays them out.
 * The input gives the disk (size, read-only, discard), the chain's
 * split into descriptors (how many, which are device-readable, each
 * length) and the bytes of guest memory they point into. Whatever the
 * parser accepts is then used as the device would: the data written (a
 * read's) or read (a write's) through its iovecs and the status byte
 * set, so that AddressSanitizer sees any iovec that strays outside the
 * guest memory the chain described, and the checks below any request
 * that strays outside the disk.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>

#include "devices/virtio/blk-req.h"
#include "tests/fuzz/fuzz.h"

#define MEM_SIZE	8192

static struct virtq_chain chain;
static struct blk_req req;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blk_disk disk;
	uint8_t *mem, sink[64];
	unsigned int nr, i;
	size_t pos = 0, off = 0;
	uint8_t st;

	if (size < 6)
		return 0;
	disk.sectors = (uint64_t)data[0] << 8 | data[1];
	disk.read_only = data[2] & 1;
	disk.discard = data[2] & 2;
	nr = 1 + data[3] % (BLK_SEG_MAX + 8);
	if (nr > VIRTQ_MAX_SIZE)
		nr = VIRTQ_MAX_SIZE;
	memset(&chain, 0, sizeof(chain));
	chain.nr_out = data[4] % (nr + 1);
	chain.nr_in = nr - chain.nr_out;
	data += 5;
	size -= 5;
	mem = malloc(MEM_SIZE);
	if (!mem)
		return 0;
	memcpy(mem, data, size < MEM_SIZE ? size : MEM_SIZE);
	/* Lengths from the input, each descriptor after the last. */
	for (i = 0; i < nr; i++) {
		size_t len = pos < size ? data[pos++] * 3 : 1;

		if (off + len > MEM_SIZE)
			len = MEM_SIZE - off;
		chain.iov[i] = (struct iovec) { mem + off, len };
		off += len;
		if (i < chain.nr_out)
			chain.out_len += len;
		else
			chain.in_len += len;
	}
	st = blk_req_parse(&chain, &disk, &req);
	if (req.status)
		*req.status = st;
	if (st == VIRTIO_BLK_S_OK) {
		uint64_t total = 0;

		for (i = 0; i < req.nr_iov; i++) {
			total += req.iov[i].iov_len;
			if (req.type == VIRTIO_BLK_T_IN)
				memset(req.iov[i].iov_base, 0xa5, req.iov[i].iov_len);
			else
				memcpy(sink, req.iov[i].iov_base,
				       req.iov[i].iov_len < sizeof(sink) ?
				       req.iov[i].iov_len : sizeof(sink));
		}
		if (req.nr_iov > BLK_SEG_MAX)
			abort();
		if (req.type == VIRTIO_BLK_T_IN || req.type == VIRTIO_BLK_T_OUT) {
			if (total != req.len || req.len % BLK_SECTOR_SIZE ||
			    req.offset / BLK_SECTOR_SIZE + req.len / BLK_SECTOR_SIZE > disk.sectors)
				abort();
			if (req.type == VIRTIO_BLK_T_OUT && disk.read_only)
				abort();
		}
		if ((req.type == VIRTIO_BLK_T_DISCARD || req.type == VIRTIO_BLK_T_WRITE_ZEROES) &&
		    (disk.read_only || !disk.discard ||
		     req.offset / BLK_SECTOR_SIZE + req.len / BLK_SECTOR_SIZE > disk.sectors))
			abort();
		if (req.type == VIRTIO_BLK_T_GET_ID)
			blk_req_fill_id(&req, "fuzz-serial-0123456789");
	}
	free(mem);
	return 0;
}
