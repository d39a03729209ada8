// SPDX-License-Identifier: GPL-2.0
/*
 * blk-io: make bench's disk load, in the guest, the same whatever VMM
 * serves the disk. With direct I/O (the guest's page cache out of the
 * way, every byte crosses the virtqueue):
 *
 *   blk-io DEVICE MIB OPS
 *
 * writes MIB MiB from the start of DEVICE in 1 MiB requests and syncs,
 * reads them back the same way, then reads OPS 4 KiB blocks at random
 * offsets within them, one at a time, then OPS more with QUEUED_DEPTH of
 * them in flight (Linux AIO: one thread keeps the queue full, the way a
 * database or fio's libaio engine would). Before the first and after each
 * phase it prints one line, which the harness times (vmmtime marks):
 *
 *   bench-blk-begin
 *   bench-blk-write bytes N us T
 *   bench-blk-read bytes N us T
 *   bench-blk-randread ops N us T
 *   bench-blk-queued ops N us T
 *
 * T is the guest's own monotonic clock. Exit status 1 with a message on
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK	(1u << 20)
#define RAND_BLOCK	4096u
#define QUEUED_DEPTH	4u

static int fail(const char *what)
{
	fprintf(stderr, "blk-io: %s: %s\n", what, errno ? strerror(errno) : "failed");
	return 1;
}

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void say(const char *what, const char *unit, uint64_t n, uint64_t us)
{
	printf("bench-blk-%s %s %llu us %llu\n", what, unit,
	       (unsigned long long)n, (unsigned long long)us);
	fflush(stdout);
}

static int sequential(int fd, void *buf, unsigned int mib, int writing)
{
	uint64_t t = now_us();
	unsigned int i;
	ssize_t n;

	for (i = 0; i < mib; i++) {
		off_t at = (off_t)i * SEQ_BLOCK;

		n = writing ? pwrite(fd, buf, SEQ_BLOCK, at) : pread(fd, buf, SEQ_BLOCK, at);
		if (n != SEQ_BLOCK)
			return fail(writing ? "pwrite" : "pread");
	}
	if (writing && fdatasync(fd))
		return fail("fdatasync");
	say(writing ? "write" : "read", "bytes", (uint64_t)mib * SEQ_BLOCK, now_us() - t);
	return 0;
}

/* A fixed sequence of offsets (xorshift), the same for every VMM. */
struct offsets {
	uint64_t x, blocks;
};

static struct offsets offsets_start(unsigned int mib, uint64_t seed)
{
	return (struct offsets){ .x = seed, .blocks = (uint64_t)mib * (SEQ_BLOCK / RAND_BLOCK) };
}

static off_t next_offset(struct offsets *o)
{
	o->x ^= o->x << 13;
	o->x ^= o->x >> 7;
	o->x ^= o->x << 17;
	return (off_t)(o->x % o->blocks) * RAND_BLOCK;
}

static int random_reads(int fd, void *buf, unsigned int mib, unsigned int ops)
{
	struct offsets o = offsets_start(mib, 0x9e3779b97f4a7c15ull);
	uint64_t t = now_us();
	unsigned int i;

	for (i = 0; i < ops; i++)
		if (pread(fd, buf, RAND_BLOCK, next_offset(&o)) != RAND_BLOCK)
			return fail("pread (random)");
	say("randread", "ops", ops, now_us() - t);
	return 0;
}

/* Linux AIO by its system calls: the guest's C library has no wrapper. */
static int queue_read(aio_context_t ctx, struct iocb *cb, int fd, void *buf, off_t at)
{
	struct iocb *one = cb;

	*cb = (struct iocb){ .aio_data = (uintptr_t)cb, .aio_lio_opcode = IOCB_CMD_PREAD,
			     .aio_fildes = (uint32_t)fd, .aio_buf = (uintptr_t)buf,
			     .aio_nbytes = RAND_BLOCK, .aio_offset = at };
	return syscall(__NR_io_submit, ctx, 1L, &one) == 1 ? 0 : fail("io_submit");
}

/*
 * Random reads again, from other offsets, with QUEUED_DEPTH in flight:
 * each completion is replaced by the next read at once, so the disk
 * always holds QUEUED_DEPTH requests until the last ones drain.
 */
static int queued_reads(aio_context_t ctx, int fd, char *buf, unsigned int mib, unsigned int ops)
{
	struct offsets o = offsets_start(mib, 0x2545f4914f6cdd1dull);
	struct iocb cbs[QUEUED_DEPTH];
	struct io_event done[QUEUED_DEPTH];
	unsigned int sent = 0, seen = 0, i;
	uint64_t t = now_us();
	long n;

	for (i = 0; i < QUEUED_DEPTH && sent < ops; i++, sent++)
		if (queue_read(ctx, &cbs[i], fd, buf + i * RAND_BLOCK, next_offset(&o)))
			return 1;
	while (seen < ops) {
		n = syscall(__NR_io_getevents, ctx, 1L, (long)QUEUED_DEPTH, done, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("io_getevents");
		for (i = 0; i < n; i++, seen++) {
			struct iocb *cb = (struct iocb *)(uintptr_t)done[i].data;

			if (done[i].res != RAND_BLOCK) {
				errno = done[i].res < 0 ? (int)-done[i].res : 0;
				return fail("queued read");
			}
			if (sent < ops && queue_read(ctx, cb, fd, (void *)(uintptr_t)cb->aio_buf, next_offset(&o)))
				return 1;
			sent += sent < ops;
		}
	}
	say("queued", "ops", ops, now_us() - t);
	return 0;
}

static int random_reads_queued(int fd, void *buf, unsigned int mib, unsigned int ops)
{
	aio_context_t ctx = 0;
	int ret;

	if (syscall(__NR_io_setup, (long)QUEUED_DEPTH, &ctx))
		return fail("io_setup");
	ret = queued_reads(ctx, fd, buf, mib, ops);
	syscall(__NR_io_destroy, ctx);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int mib, ops;
	void *buf;
	int fd, ret;

	if (argc != 4) {
		fprintf(stderr, "usage: blk-io DEVICE MIB OPS\n");
		return 2;
	}
	mib = strtoul(argv[2], NULL, 0);
	ops = strtoul(argv[3], NULL, 0);
	if (!mib) {
		fprintf(stderr, "blk-io: MIB must be at least 1\n");
		return 2;
	}
	errno = posix_memalign(&buf, 4096, SEQ_BLOCK);
	if (errno)
		return fail("posix_memalign");
	memset(buf, 0x5a, SEQ_BLOCK);
	fd = open(argv[1], O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1]);
	printf("bench-blk-begin\n");
	fflush(stdout);
	ret = sequential(fd, buf, mib, 1) || sequential(fd, buf, mib, 0) ||
	      random_reads(fd, buf, mib, ops) || random_reads_queued(fd, buf, mib, ops);
	close(fd);
	free(buf);
	return ret;
}
