// SPDX-License-Identifier: GPL-2.0
/*
 * Disk images: raw files and block devices; see disk-image.h.
 */
#include "devices/backend/disk-image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/magic.h>

#include "vmm/config.h"
#include "vmm/log.h"

#define SECTOR	512

/* Formats a raw image could be mistaken for, by the magic they start with. */
static const struct format {
	const char *name;
	size_t offset;
	const char *magic;
	size_t len;
} formats[] = {
	{ "qcow2", 0, "QFI\xfb", 4 },
	{ "QED", 0, "QED\0", 4 },
	{ "VMDK", 0, "KDMV", 4 },
	{ "VMDK", 0, "# Disk DescriptorFile", 21 },
	{ "VHDX", 0, "vhdxfile", 8 },
	{ "VHD", 0, "conectix", 8 },
	{ "VDI", 64, "\x7f\x10\xda\xbe", 4 },
	{ "Parallels", 0, "WithoutFreeSpace", 16 },
};

const char *disk_image_format(const uint8_t *hdr, size_t len)
{
	unsigned int i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct format *f = &formats[i];

		if (f->offset + f->len <= len && !memcmp(hdr + f->offset, f->magic, f->len))
			return f->name;
	}
	return NULL;
}

/*
 * QEMU locks no image whole: it holds a shared lock on byte 100 + n for
 * each permission n it has, and on byte 200 + n for each it does not
 * share; writing is permission 1. A writable lkvm-rcar image's
 * whole-file write lock conflicts with any of them, and a QEMU that
 * comes to write an image lkvm-rcar reads finds our read lock over its
 * byte 201. What a lock alone misses is lkvm-rcar reading an image a
 * QEMU already writes: that QEMU holds byte 101, which lock_image()
 * looks for.
 * Another lkvm-rcar reading the image holds a lock on all of it, which
 * is no writer.
 */
#define QEMU_WRITER_BYTE	101

static bool qemu_writes(int fd)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = QEMU_WRITER_BYTE,
		.l_len = 1,
	};

	if (fcntl(fd, F_OFD_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return false;
	return !(fl.l_type == F_RDLCK && fl.l_start == 0 && fl.l_len == 0);
}

/*
 * Whole file, exclusive for writing, shared for reading; refused, not
 * waited for (-EAGAIN), as is reading while a QEMU writes.
 */
static int lock_image(int fd, bool read_only)
{
	struct flock fl = {
		.l_type = read_only ? F_RDLCK : F_WRLCK,
		.l_whence = SEEK_SET,
	};

	if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		return -errno;
	return read_only && qemu_writes(fd) ? -EAGAIN : 0;
}

static int image_size(struct disk_image *img, const struct disk_cfg *cfg,
		      const struct stat *st)
{
	uint64_t size = st->st_size;

	if (img->block_device && ioctl(img->fd, BLKGETSIZE64, &size) < 0) {
		int ret = -errno;

		pr_err("--disk %s: reading its size: %s", cfg->path, strerror(-ret));
		return ret;
	}
	if (size < SECTOR) {
		pr_err("--disk %s: the image is empty (%llu bytes); a disk is at least one 512-byte sector",
		       cfg->path, (unsigned long long)size);
		return -EINVAL;
	}
	if (size % SECTOR)
		pr_warn("--disk %s: its size (%llu bytes) is not a multiple of 512; the guest sees the first %llu bytes",
			cfg->path, (unsigned long long)size,
			(unsigned long long)(size - size % SECTOR));
	img->size = size - size % SECTOR;
	return 0;
}

/* The header is read to refuse other formats, which a guest would see as garbage. */
static int check_format(const struct disk_image *img, const struct disk_cfg *cfg)
{
	uint8_t hdr[512];
	ssize_t n = pread(img->fd, hdr, sizeof(hdr), 0);
	const char *name;

	if (n < 0) {
		int ret = -errno;

		pr_err("--disk %s: reading it: %s", cfg->path, strerror(-ret));
		return ret;
	}
	name = disk_image_format(hdr, n);
	if (name) {
		pr_err("--disk %s: a %s image; lkvm-rcar takes raw images: convert it with 'qemu-img convert -O raw %s %s.raw'",
		       cfg->path, name, cfg->path, cfg->path);
		return -EINVAL;
	}
	return 0;
}

static int open_image(struct disk_image *img, const struct disk_cfg *cfg)
{
	int ret;

	img->fd = open(cfg->path, (cfg->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (img->fd >= 0)
		return 0;
	ret = -errno;
	if (ret == -ENOENT)
		pr_err("--disk %s: no such file; give a raw image or a block device", cfg->path);
	else if (ret == -EISDIR)
		pr_err("--disk %s: a directory; give a raw image or a block device", cfg->path);
	else if (ret == -EACCES || ret == -EPERM || ret == -EROFS)
		pr_err("--disk %s: %s; give it with ,ro to use it read-only, or run as a user who may write it",
		       cfg->path, strerror(-ret));
	else
		pr_err("--disk %s: opening it: %s", cfg->path, strerror(-ret));
	return ret;
}

/*
 * The alignment O_DIRECT needs on @img's file (offsets, lengths and
 * buffers), 0 if its file system says it cannot do direct I/O, or
 * SECTOR where it does not say (every one before Linux 6.1, and those
 * that do not fill in STATX_DIOALIGN since; fcntl() then decides).
 */
static uint32_t direct_alignment(const struct disk_image *img)
{
	int sector = 0;

	if (img->block_device)
		return ioctl(img->fd, BLKSSZGET, &sector) < 0 || sector <= 0 ?
			SECTOR : (uint32_t)sector;
#ifdef STATX_DIOALIGN
	{
		struct statx stx;

		if (!statx(img->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) &&
		    (stx.stx_mask & STATX_DIOALIGN)) {
			if (!stx.stx_dio_offset_align)
				return 0;
			return stx.stx_dio_offset_align > stx.stx_dio_mem_align ?
				stx.stx_dio_offset_align : stx.stx_dio_mem_align;
		}
	}
#endif
	return SECTOR;
}

/*
 * ,direct: O_DIRECT from here on (the header was read through the page
 * cache, into a buffer O_DIRECT would refuse). A guest's logical block
 * is at most a page (4 KiB on the boards we run on), so alignments
 * between 512 bytes and that, as every disk asks, are taken.
 */
static int make_direct(struct disk_image *img, const struct disk_cfg *cfg)
{
	uint32_t align = direct_alignment(img);
	int flags, ret;

	if (align && (align < SECTOR || align > 4096 || (align & (align - 1)))) {
		pr_err("--disk %s: direct I/O there needs %u-byte alignment, which a guest's blocks (512 to 4096 bytes) cannot give; drop ,direct",
		       cfg->path, align);
		return -EINVAL;
	}
	if (!align)
		ret = -EINVAL;
	else if ((flags = fcntl(img->fd, F_GETFL)) < 0 ||
		 fcntl(img->fd, F_SETFL, flags | O_DIRECT) < 0)
		ret = -errno;
	else
		ret = 0;
	/* fcntl() says EINVAL where the file system has no direct I/O. */
	if (ret == -EINVAL)
		pr_err("--disk %s: its file system cannot do direct I/O; drop ,direct or put the image on one that can",
		       cfg->path);
	else if (ret)
		pr_err("--disk %s: turning on direct I/O: %s", cfg->path, strerror(-ret));
	if (ret)
		return ret;
	img->direct = true;
	img->block_size = align;
	return 0;
}

/* Whether the file @fd is on a file system kept in memory (tmpfs, ramfs). */
static bool on_memory_fs(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return false;
	return (uint32_t)sfs.f_type == TMPFS_MAGIC || (uint32_t)sfs.f_type == RAMFS_MAGIC;
}

/*
 * Whether the file system punches holes in @fd (not every one does: FAT,
 * some network file systems): tried past the end of the file, @end,
 * where there is nothing to free and the size is kept. Discard and write
 * zeroes are offered only where it does, so that a guest is not given
 * commands that would only ever fail.
 */
static bool punches_holes(int fd, off_t end)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, end, SECTOR) == 0;
}

bool disk_image_is(const struct disk_image *img, const struct stat *st)
{
	struct stat own;

	if (img->fd < 0 || fstat(img->fd, &own) < 0)
		return false;
	if (S_ISBLK(own.st_mode))
		return S_ISBLK(st->st_mode) && own.st_rdev == st->st_rdev;
	return own.st_dev == st->st_dev && own.st_ino == st->st_ino;
}

int disk_image_open(struct disk_image *img, const struct disk_cfg *cfg)
{
	struct stat st;
	int ret;

	memset(img, 0, sizeof(*img));
	img->read_only = cfg->read_only;
	img->block_size = SECTOR;
	ret = open_image(img, cfg);
	if (ret) {
		img->fd = -1;
		return ret;
	}
	if (fstat(img->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		pr_err("--disk %s: not a regular file or a block device; give a raw image", cfg->path);
		ret = -EINVAL;
		goto fail;
	}
	img->block_device = S_ISBLK(st.st_mode);
	img->in_memory = !img->block_device && on_memory_fs(img->fd);
	ret = lock_image(img->fd, img->read_only);
	if (ret == -EAGAIN || ret == -EACCES) {
		pr_err("--disk %s: in use by another VMM (it holds the image's lock); stop it first, or give the image with ,ro to both",
		       cfg->path);
		goto fail;
	}
	if (ret) {
		pr_err("--disk %s: locking it: %s", cfg->path, strerror(-ret));
		goto fail;
	}
	ret = check_format(img, cfg);
	if (!ret)
		ret = image_size(img, cfg, &st);
	/* Under the lock: no other VMM is writing the file meanwhile. */
	img->can_punch = !ret && !img->block_device && !img->read_only &&
			 punches_holes(img->fd, st.st_size);
	if (!ret && cfg->direct)
		ret = make_direct(img, cfg);
	if (ret)
		goto fail;
	return 0;
fail:
	disk_image_close(img);
	return ret;
}

void disk_image_close(struct disk_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}
