/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A disk image on the host: a raw file or a block device, opened for a
 * virtio-blk device. Images of other formats (qcow2 and the like) are
 * refused with the command that converts them; the image is locked with
 * an open file description lock, as QEMU does, so that a second VMM on
 * the same image is refused before its guest runs: a writable image
 * takes the lock whole and exclusive, a read-only one shared. With
 * ,direct its I/O goes past the host's page cache (O_DIRECT), in blocks
 * of the size the file system or device asks, which the guest is given
 * as its logical block.
 */
#ifndef LKVM_DEVICES_BACKEND_DISK_IMAGE_H
#define LKVM_DEVICES_BACKEND_DISK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct disk_cfg;

struct disk_image {
	int fd;			/* -1 when closed */
	uint64_t size;		/* bytes the guest sees: whole sectors */
	bool read_only;
	bool block_device;
	bool can_punch;		/* writable, its file system punches holes: discard */
	bool in_memory;		/* a file on tmpfs or ramfs: no disk behind it */
	bool direct;		/* opened O_DIRECT (,direct) */
	uint32_t block_size;	/* the guest's logical block: what O_DIRECT aligns to */
};

/*
 * Open, check and lock the image @cfg names. Returns 0, or -errno after
 * one line naming the image and what to do (missing, a directory, another
 * format, empty, in use by another VMM, no permission, no direct I/O).
 */
int disk_image_open(struct disk_image *img, const struct disk_cfg *cfg);

/*
 * Whether open @img is the file or block device @st describes (as
 * stat() gave it, whatever the path): the same image given twice.
 */
bool disk_image_is(const struct disk_image *img, const struct stat *st);

/* Close it, which drops the lock. Safe twice and after a failed open. */
void disk_image_close(struct disk_image *img);

/*
 * The name of the image format whose header @hdr (@len bytes from the
 * start of the image) shows, or NULL if it shows none we know (raw).
 */
const char *disk_image_format(const uint8_t *hdr, size_t len);

#endif
