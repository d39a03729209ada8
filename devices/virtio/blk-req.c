// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk requests taken apart and checked; see blk-req.h.
 */
#include "devices/virtio/blk-req.h"

#include <string.h>
#include <linux/virtio_blk.h>

#define HEADER_SIZE	16

/* virtio is little-endian; so are arm64 guests and the hosts we run on. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

/*
 * The iovecs of @chain from @first to @end (an iovec index, exclusive),
 * less @skip bytes at the start and @trim at the end, into @req's data.
 * False if there are fewer bytes than that, more segments than we take,
 * or a segment larger than we advertised (size_max).
 */
static bool take_data(const struct virtq_chain *chain, unsigned int first,
		      unsigned int end, uint64_t skip, uint64_t trim,
		      struct blk_req *req)
{
	uint64_t total = 0, want;
	unsigned int i;

	for (i = first; i < end; i++)
		total += chain->iov[i].iov_len;
	if (total < skip + trim)
		return false;
	want = total - skip - trim;
	req->nr_iov = 0;
	req->len = 0;
	for (i = first; i < end && req->len < want; i++) {
		char *base = chain->iov[i].iov_base;
		uint64_t len = chain->iov[i].iov_len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		base += skip;
		len -= skip;
		skip = 0;
		if (len > want - req->len)
			len = want - req->len;
		if (req->nr_iov == BLK_SEG_MAX || len > BLK_SIZE_MAX)
			return false;
		req->iov[req->nr_iov++] = (struct iovec) { base, len };
		req->len += len;
	}
	return true;
}

/* Whether @sectors from @sector lie within the disk (no overflow). */
static bool in_range(const struct blk_disk *disk, uint64_t sector, uint64_t sectors)
{
	return sector <= disk->sectors && sectors <= disk->sectors - sector;
}

/*
 * The byte range of a read or write; IOERR if it is empty, off the disk
 * or not whole sectors.
 */
static uint8_t check_rw(const struct blk_disk *disk, uint64_t sector,
			struct blk_req *req)
{
	if (!req->len || req->len % BLK_SECTOR_SIZE ||
	    !in_range(disk, sector, req->len / BLK_SECTOR_SIZE))
		return VIRTIO_BLK_S_IOERR;
	req->offset = sector * BLK_SECTOR_SIZE;
	return VIRTIO_BLK_S_OK;
}

/* Copy the @len bytes of data @req points at into @dst. */
static void gather(const struct blk_req *req, void *dst, uint64_t len)
{
	uint8_t *out = dst;
	unsigned int i;

	for (i = 0; i < req->nr_iov && len; i++) {
		uint64_t n = req->iov[i].iov_len < len ? req->iov[i].iov_len : len;

		memcpy(out, req->iov[i].iov_base, n);
		out += n;
		len -= n;
	}
}

/* One discard or write-zeroes segment, the only one we take (max_*_seg 1). */
static uint8_t parse_discard(const struct blk_disk *disk, struct blk_req *req)
{
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t sector;
	uint32_t n;

	if (req->len != sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	gather(req, &seg, sizeof(seg));
	sector = seg.sector;
	n = seg.num_sectors;
	if (!n || n > BLK_DISCARD_MAX_SECTORS || !in_range(disk, sector, n) ||
	    (seg.flags & ~(uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
	    (req->type == VIRTIO_BLK_T_DISCARD && seg.flags))
		return VIRTIO_BLK_S_IOERR;
	req->offset = sector * BLK_SECTOR_SIZE;
	req->len = (uint64_t)n * BLK_SECTOR_SIZE;
	req->nr_iov = 0;
	return VIRTIO_BLK_S_OK;
}

uint8_t blk_req_parse(const struct virtq_chain *chain, const struct blk_disk *disk,
		      struct blk_req *req)
{
	unsigned int nr = chain->nr_out + chain->nr_in;
	uint8_t hdr[HEADER_SIZE];
	uint64_t sector;
	bool writes;

	req->type = 0;
	req->offset = 0;
	req->len = 0;
	req->nr_iov = 0;
	req->status = NULL;
	/* The status byte: the last byte of the last, device-writable, iovec. */
	if (chain->nr_in && chain->iov[nr - 1].iov_len)
		req->status = (uint8_t *)chain->iov[nr - 1].iov_base +
			      chain->iov[nr - 1].iov_len - 1;
	if (!req->status || chain->out_len < HEADER_SIZE)
		return VIRTIO_BLK_S_IOERR;
	virtq_chain_read(chain, hdr, HEADER_SIZE);
	memcpy(&req->type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);

	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_GET_ID:
		/* Nothing after the header to read; data, then the status. */
		if (chain->out_len != HEADER_SIZE ||
		    !take_data(chain, chain->nr_out, nr, 0, 1, req))
			return VIRTIO_BLK_S_IOERR;
		if (req->type == VIRTIO_BLK_T_GET_ID)
			return VIRTIO_BLK_S_OK;
		return check_rw(disk, sector, req);
	case VIRTIO_BLK_T_OUT:
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		writes = true;
		break;
	case VIRTIO_BLK_T_FLUSH:
		writes = false;
		break;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (req->type != VIRTIO_BLK_T_OUT && req->type != VIRTIO_BLK_T_FLUSH &&
	    !disk->discard)
		return VIRTIO_BLK_S_UNSUPP;
	/* Device-writable: the status byte alone. */
	if (chain->in_len != 1)
		return VIRTIO_BLK_S_IOERR;
	if (writes && disk->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!take_data(chain, 0, chain->nr_out, HEADER_SIZE, 0, req))
		return VIRTIO_BLK_S_IOERR;
	if (req->type == VIRTIO_BLK_T_FLUSH)
		return req->len ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	if (req->type == VIRTIO_BLK_T_OUT)
		return check_rw(disk, sector, req);
	return parse_discard(disk, req);
}

uint32_t blk_req_fill_id(const struct blk_req *req, const char *id)
{
	char buf[VIRTIO_BLK_ID_BYTES];
	uint32_t done = 0, n;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, id, strnlen(id, sizeof(buf)));
	for (i = 0; i < req->nr_iov && done < sizeof(buf); i++) {
		n = req->iov[i].iov_len < sizeof(buf) - done ?
		    req->iov[i].iov_len : sizeof(buf) - done;
		memcpy(req->iov[i].iov_base, buf + done, n);
		done += n;
	}
	return done;
}
